"""`paperenrich bibtex LIST.md [-o refs.bib]`: BibTeX of the resolved papers of a list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, output_option, write_output
from paperenrich.cli.options import Verbosity, service_options, settings_from, verbosity_options


@app.command(short_help="BibTeX of the resolved papers, with stable keys.")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)
@output_option
@click.option("--key-pattern", default="{author}{year}{title}", show_default=True,
              help="Citation keys from {author} {year} {title} {title2} {venue}; a/b suffixes on collision.")
@click.option("--no-unresolved", is_flag=True, help="Leave out entries that could not be resolved (default: @misc with a note).")
@click.option("--utf8", is_flag=True,
              help="Keep non-ASCII characters as UTF-8 (for biber/biblatex, XeLaTeX, LuaLaTeX). "
                   "Default: LaTeX-safe ASCII ({\\\"u}, {$\\lambda$}) that pdflatex + BibTeX accept.")
@click.option("--ascii", "ascii_only", is_flag=True, hidden=True, help="The default (LaTeX-safe ASCII); kept for old scripts.")
@verbosity_options
@service_options
def bibtex(paths: tuple[str, ...], output: Path | None, key_pattern: str, no_unresolved: bool, utf8: bool, ascii_only: bool,
           verbosity: Verbosity, **service: Any) -> None:
    """BibTeX of the papers of a list: one entry per paper, stable unique keys.

    Several lists (files, directories of *.md, globs) give one bibliography: a paper two lists
    cite is one entry.

    \b
    Examples:
      paperenrich bibtex README.md -o refs.bib
      paperenrich bibtex README.md --utf8 --no-unresolved --key-pattern '{author}{year}{venue}'
    """
    from paperenrich.cli.enrich import summary_line
    from paperenrich.errors import UsageError
    from paperenrich import api
    from paperenrich.export.bibtex import BibOptions, check_key_pattern

    try:
        check_key_pattern(key_pattern)
    except ValueError as exc:
        raise UsageError(f"--key-pattern: {exc}") from None
    settings = settings_from(**service)
    states = api.resolve_lists(paths, settings, show_progress=verbosity.show_progress)
    options = BibOptions(key_pattern=key_pattern, include_unresolved=not no_unresolved, utf8=utf8 and not ascii_only)
    write_output(api.bibtex(states, options=options), output)
    verbosity.detail(summary_line(states[0].stats))
