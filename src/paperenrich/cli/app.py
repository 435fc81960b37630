"""The Click command group and small helpers shared by the command modules.

Click rather than Typer: recent Typer releases carry a private copy of Click, so catching its
usage errors (to give them exit code 3 and one line) would mean importing Typer internals.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperenrich import __version__


@click.group(
    name="paperenrich",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    no_args_is_help=True,
    epilog="Exit codes: 0 success, 1 runtime error, 2 check found broken links, 3 usage or configuration "
           "error, 4 unreadable list file, 5 network unavailable, 130 interrupted. "
           "'paperenrich COMMAND --help' shows a command's options.",
)
@click.version_option(__version__, "--version", prog_name="paperenrich")
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


# Options several commands share, defined once.
output_option = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="Write to FILE instead of standard output.",
)
