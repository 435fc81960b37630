"""Command line: `paperenrich COMMAND ...`. Thin: flags -> library call -> rendering.

Each command lives in its own module of this package and registers itself on `app`.
`main()` turns every error into a one-line message and a documented exit code (see errors.py).
"""

from __future__ import annotations

import os
import sys

import click

from paperenrich.cli.app import app, console_err
from paperenrich.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, PaperenrichError

# Command modules register themselves on `app` when imported.
from paperenrich.cli import scan as _scan  # noqa: F401,E402
from paperenrich.cli import check as _check  # noqa: F401,E402
from paperenrich.cli import bibtex as _bibtex, fix as _fix, report as _report  # noqa: F401,E402
from paperenrich.cli import enrich as _enrich, cache_cmd as _cache_cmd, lint as _lint  # noqa: F401,E402


COMPLETE_VAR = "_PAPERENRICH_COMPLETE"  # Click's name for `paperenrich`: see the README's shell completion


def _complete_if_asked() -> None:
    """Answer the shell's completion request (Click's own scripts for bash, zsh and fish), then exit."""
    instruction = os.environ.get(COMPLETE_VAR)
    if instruction:
        from click.shell_completion import shell_complete

        sys.exit(shell_complete(app, {}, "paperenrich", COMPLETE_VAR, instruction))


def _run(argv: list[str] | None) -> object:
    """Parse and run one command. Not `app.main()`: on Ctrl-C it writes a blank line to standard
    error, and it turns a closed pipe into exit code 1; both are ours to handle (one line, 130; 0)."""
    _complete_if_asked()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        with app.make_context("paperenrich", args) as ctx:
            return app.invoke(ctx)
    except click.exceptions.Exit as exc:  # --help, --version, and commands that choose their code
        return exc.exit_code


def _silence_stdout() -> None:
    """After a closed pipe: send what is still buffered for standard output nowhere, so the
    interpreter's final flush does not complain (the recipe of Python's signal documentation)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> None:
    try:
        _main(argv)
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (e.g. `| head`): not an error
        sys.exit(EXIT_OK)


def _main(argv: list[str] | None) -> None:
    try:
        rv = _run(argv)
    except PaperenrichError as exc:
        console_err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        print(exc.format_message(), flush=True)
        sys.exit(EXIT_OK)
    except click.ClickException as exc:
        # Usage errors: one line, exit 3 (exit 2 is reserved for "check found broken links").
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        console_err(f"error: {exc.format_message()}{hint}")
        sys.exit(EXIT_USAGE)
    except (click.exceptions.Abort, KeyboardInterrupt):
        from paperenrich.cli.options import interrupted_message

        console_err(interrupted_message())
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        raise  # handled in main(), which also covers the help text printed below
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("PAPERENRICH_DEBUG"):
            raise
        console_err(f"error: unexpected {type(exc).__name__}: {exc} (set PAPERENRICH_DEBUG=1 for a traceback)")
        sys.exit(EXIT_RUNTIME)
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)
