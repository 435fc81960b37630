"""`paperenrich report LIST.md [-o report.html]`: one self-contained HTML report of a list."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, console_err, output_option, write_output
from paperenrich.cli.options import (Verbosity, link_options, service_options, settings_from, verbosity_options,
                                     wants_link_check)


@app.command(short_help="One self-contained HTML report of a list.")
@click.argument("path", metavar="LIST.md", type=click.Path(path_type=Path))
@output_option
@click.option("--title", default=None, help="Report title (default: the list's first heading, else its file name).")
@link_options
@verbosity_options
@service_options
def report(path: Path, output: Path | None, title: str | None, check_links: bool | None,
           allow_private: bool | None, verbosity: Verbosity, **service: Any) -> None:
    """Write an HTML report: summary, coverage, link health, citations, findings, and a sortable table.

    \b
    Example:
      paperenrich report README.md -o report.html
    """
    from paperenrich.cli.enrich import summary_line
    from paperenrich.errors import InputError
    from paperenrich.export.pipeline import gather
    from paperenrich.export.report import ReportData, render_report, title_of
    from paperenrich.export.lint import format_findings, lint

    if str(path) == "-":
        raise InputError("report needs a file path, not standard input")
    settings = settings_from(**service).replace(allow_private=allow_private)
    state = gather(path, settings, check_links=wants_link_check(check_links, settings.offline),
                   show_progress=verbosity.show_progress)
    if state.warning:
        console_err(f"warning: {state.warning}")
    findings = lint(state.resolutions, state.link_results)
    data = ReportData(
        title=title or title_of(state.text, path.name),
        source=path.name,
        resolutions=state.resolutions,
        link_results=state.link_results,
        findings=findings,
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        links_checked=state.links_checked,
    )
    write_output(render_report(data), output)
    if findings:
        verbosity.say(format_findings(findings, str(path)))
    verbosity.detail(summary_line(state.stats))
    resolved = sum(1 for r in state.resolutions if r.paper)
    where = f" -> {output}" if output else ""
    verbosity.say(f"{path}: {len(state.resolutions)} entries, {resolved} resolved, {len(findings)} finding(s){where}")
