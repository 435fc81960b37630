"""`paperenrich bibtex LIST.md [-o refs.bib]`: BibTeX of the resolved papers of a list.

Also home of the service options the publishing commands (bibtex, fix, report) share with
`enrich`: --config, --cache, --no-cache, --offline, --refresh, --overrides, --contact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from paperenrich.cli.app import app, output_option, write_output


def service_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags that choose how to reach arXiv and Semantic Scholar, and the cache."""
    options = [
        click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Config file (default: paperenrich.toml, or [tool.paperenrich] in pyproject.toml)."),
        click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                     help="Cache directory (default ./cache)."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
        click.option("--offline", is_flag=True, help="No network: use only what is in the cache."),
        click.option("--refresh", is_flag=True, help="Ignore cached lookups (new answers are still cached)."),
        click.option("--overrides", "overrides_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="File of manual matches (pins and rejections)."),
        click.option("--contact", default=None, help="E-mail address put in the User-Agent."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def settings_from(config: Path | None, cache_dir: Path | None, no_cache: bool, offline: bool, refresh: bool,
                  overrides_file: Path | None, contact: str | None):
    from paperenrich.config import load_settings

    return load_settings(
        config, cache_dir=cache_dir, use_cache=False if no_cache else None, offline=offline or None,
        refresh=refresh or None, overrides_file=overrides_file, contact=contact,
    )


@app.command()
@click.argument("path", type=click.Path(path_type=Path, allow_dash=True))
@output_option
@click.option("--key-pattern", default="{author}{year}{title}", show_default=True,
              help="Citation keys from {author} {year} {title} {title2} {venue}; a/b suffixes on collision.")
@click.option("--no-unresolved", is_flag=True, help="Leave out entries that could not be resolved (default: @misc with a note).")
@click.option("--ascii", "ascii_only", is_flag=True, help="Write non-ASCII letters as LaTeX commands ({\\\"u}) instead of UTF-8.")
@service_options
def bibtex(path: Path, output: Path | None, key_pattern: str, no_unresolved: bool, ascii_only: bool, **service: Any) -> None:
    """BibTeX of the papers of a list: one entry per paper, stable unique keys."""
    from paperenrich.errors import UsageError
    from paperenrich.export.bibtex import BibOptions, check_key_pattern, to_bibtex
    from paperenrich.export.pipeline import resolve_list
    from paperenrich.listfile import read_list_file

    try:
        check_key_pattern(key_pattern)
    except ValueError as exc:
        raise UsageError(f"--key-pattern: {exc}") from None
    settings = settings_from(**service)
    _scan, resolutions = resolve_list(read_list_file(path), str(path), settings)
    options = BibOptions(key_pattern=key_pattern, include_unresolved=not no_unresolved, ascii=ascii_only)
    write_output(to_bibtex(resolutions, options), output)
