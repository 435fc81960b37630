"""`paperenrich lint LIST.md ...`: the findings of `fix` and `report` as a CI check.

Exit codes as `check`'s: 0 no finding of a failing kind, 2 one or more (the kinds named in
`--fail-on`), 1 runtime error, 3 usage or config error, 4 unreadable list, 5 network unavailable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, output_option, write_output
from paperenrich.cli.options import (Verbosity, link_options, service_options, settings_from, verbosity_options,
                                     wants_link_check)
from paperenrich.errors import EXIT_FINDINGS

FORMATS = ("text", "json", "github", "sarif", "junit")  # = export.lint_report.FORMATS (kept light to import)
# What a maintainer can fix in the list itself; `unresolved`, `soft_404` and `invalid` only when named.
DEFAULT_FAIL_ON = "published,venue,year,duplicate,broken"


def parse_fail_on(text: str) -> frozenset[str]:
    from paperenrich.errors import UsageError
    from paperenrich.export.lint import KINDS

    names = {n.strip() for n in text.split(",") if n.strip()}
    if "all" in names:
        return frozenset(KINDS)
    if names == {"none"}:
        return frozenset()
    unknown = names - set(KINDS)
    if unknown:
        raise UsageError(f"--fail-on: unknown kind {', '.join(sorted(unknown))} (known: {', '.join(KINDS)}, all, none)")
    return frozenset(names)


@app.command(short_help="The lint findings of lists, as a CI check (exit 2 on findings).")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@output_option
@click.option("--fail-on", default=DEFAULT_FAIL_ON, show_default=True,
              help="Finding kinds that make the exit code 2 (comma-separated; 'all' or 'none').")
@link_options
@verbosity_options
@service_options
def lint(paths: tuple[str, ...], fmt: str, output: Path | None, fail_on: str, check_links: bool | None,
         allow_private: bool | None, verbosity: Verbosity, **service: Any) -> None:
    """Lint lists: published versions of preprints, venue and year disagreements, duplicates,
    unresolved entries and broken links (the findings fix and report show). Several lists (files,
    directories of *.md, globs, http(s) URLs of raw files) are resolved in one run.

    \b
    Kinds: published, venue, year, duplicate, unresolved, broken, soft_404, invalid.
    \b
    Examples:
      paperenrich lint README.md
      paperenrich lint README.md --format github --fail-on all      # annotations in a workflow
      paperenrich lint lists/*.md --format sarif -o lint.sarif --no-check-links
    """
    from paperenrich import api
    from paperenrich.cli.enrich import summary_line
    from paperenrich.export.lint_report import render

    failing = parse_fail_on(fail_on)
    settings = settings_from(**service).replace(allow_private=allow_private)
    states = api.resolve_lists(paths, settings, check_links=wants_link_check(check_links, settings.offline),
                         show_progress=verbosity.show_progress)
    if states[0].warning:
        click.echo(f"warning: {states[0].warning}", err=True)
    verbosity.detail(summary_line(states[0].stats))
    located = [(finding.source, finding) for finding in api.lint(states)]
    write_output(render(located, len(states), fmt, failing), output)
    if any(finding.kind in failing for _source, finding in located):
        raise click.exceptions.Exit(EXIT_FINDINGS)
