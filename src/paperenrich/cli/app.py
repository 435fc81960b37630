"""The Click command group and small helpers shared by the command modules.

Click rather than Typer: recent Typer releases carry a private copy of Click, so catching its
usage errors (to give them exit code 3 and one line) would mean importing Typer internals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperenrich import __version__


def _scanner_build() -> str:
    """Which build of the scanner this install runs (a regular install compiles it: setup.py). Python
    loads a compiled module before the source beside it, so the file there tells."""
    folder = Path(__file__).resolve().parents[1] / "scanner"
    return "compiled with mypyc" if any(folder.glob("walk.*.so")) or any(folder.glob("walk.*.pyd")) else "plain Python"


@click.group(
    name="paperenrich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
    epilog="Exit codes: 0 success, 1 runtime error, 2 check found broken links (lint: findings), 3 usage or configuration "
           "error, 4 unreadable list file, 5 network unavailable, 130 interrupted. "
           "'paperenrich COMMAND --help' shows a command's options.",
)
@click.version_option(__version__, "-V", "--version", prog_name="paperenrich",
                      message=f"%(prog)s, version %(version)s (scanner: {_scanner_build()})")
def app() -> None:
    """Scan, resolve, link-check and export Markdown lists of research papers."""


def console_err(message: str) -> None:
    """One line to standard error."""
    print(message, file=sys.stderr, flush=True)


def _is_stdout(output: Path | None) -> bool:
    return output is None or str(output) == "-"


def output_is_terminal(output: Path | None) -> bool:
    """Whether a person reads the output on a terminal (Rich tables are for them; files and pipes
    get plain aligned text)."""
    return _is_stdout(output) and sys.stdout.isatty()


def write_output(text: str, output: Path | None) -> None:
    """Write to -o FILE (atomically: a temp file renamed into place), or to standard output."""
    if _is_stdout(output):
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    from paperenrich.atomic import replace_file

    replace_file(output, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


def _writable_target(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Refuse an output FILE whose folder is missing or unwritable at once, before any work is done
    (not after a long run). Tried for real with a probe file: permission bits alone lie for root,
    read-only mounts and ACLs."""
    if value is None or _is_stdout(value):
        return value
    import tempfile

    folder = value.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise click.BadParameter(f"cannot write {value}: {folder} {problem}", ctx, param)
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".paperenrich-probe-"):
            pass
    except OSError as exc:
        raise click.BadParameter(f"cannot write {value}: folder {folder} is not writable ({exc.strerror or exc})",
                                 ctx, param) from None
    return value


# Options several commands share, defined once.
output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, callback=_writable_target,
    help="Write to FILE instead of standard output.",
)
