"""`paperenrich report LIST.md [-o report.html]`: one self-contained HTML report of a list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, console_err, output_option, write_output
from paperenrich.cli.options import (Verbosity, link_options, service_options, settings_from, verbosity_options,
                                     wants_link_check)


@app.command(short_help="One self-contained HTML report of a list.")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)
@output_option
@click.option("--title", default=None, help="Report title (default: the list's first heading, else its file name).")
@link_options
@verbosity_options
@service_options
def report(paths: tuple[str, ...], output: Path | None, title: str | None, check_links: bool | None,
           allow_private: bool | None, verbosity: Verbosity, **service: Any) -> None:
    """Write an HTML report: summary, coverage, link health, citations, findings, and a sortable table.

    Several lists (files, directories of *.md, globs) are resolved and checked in one run and
    reported together in one page.

    \b
    Example:
      paperenrich report README.md -o report.html
    """
    from paperenrich import api
    from paperenrich.cli.enrich import summary_line
    from paperenrich.errors import InputError
    from paperenrich.export.lint import format_findings

    if "-" in paths:
        raise InputError("report needs a file path, not standard input")
    settings = settings_from(**service).replace(allow_private=allow_private)
    states = api.resolve_lists(paths, settings, check_links=wants_link_check(check_links, settings.offline),
                         show_progress=verbosity.show_progress)
    if states[0].warning:
        console_err(f"warning: {states[0].warning}")
    write_output(api.report(states, title=title), output)
    findings = api.lint(states)
    findings_by_list = [(state, [f for f in findings if f.source == state.source]) for state in states]
    for state, found in findings_by_list:
        if found:
            verbosity.say(format_findings(found, state.source))
    verbosity.detail(summary_line(states[0].stats))
    where = f" -> {output}" if output else ""
    for state, found in findings_by_list:
        resolved = sum(1 for r in state.resolutions if r.paper)
        verbosity.say(f"{state.source}: {len(state.resolutions)} entries, {resolved} resolved, {len(found)} finding(s){where}")
