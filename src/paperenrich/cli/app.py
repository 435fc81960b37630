"""The Typer application object and small helpers shared by the command modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from paperenrich import __version__

app = typer.Typer(
    name="paperenrich",
    help="Scan, resolve, link-check and export Markdown lists of research papers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def console_err(message: str) -> None:
    """One line to standard error (no Rich markup interpretation)."""
    print(message, file=sys.stderr)


def write_output(text: str, output: Optional[Path]) -> None:
    """Write to -o FILE (atomically: a temp file renamed into place), or to standard output."""
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    tmp.replace(output)


def _version(value: bool) -> None:
    if value:
        print(f"paperenrich {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Scan, resolve, link-check and export Markdown lists of research papers."""
