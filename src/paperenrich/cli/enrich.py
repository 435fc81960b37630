"""`paperenrich enrich LIST.md`: every entry resolved against arXiv and Semantic Scholar (cache first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, output_is_terminal, output_option, write_output
from paperenrich.cli.options import Verbosity, service_options, settings_from, verbosity_options


def summary_line(stats) -> str:
    """One line for standard error: outcomes, requests per service, time spent waiting on rate limits."""
    s = stats.to_dict()
    req = s["requests"]
    arxiv = sum(n for k, n in req.items() if k.startswith("arxiv"))
    s2 = sum(n for k, n in req.items() if k.startswith("s2"))
    match = req.get("s2_match", 0)
    total = s["by_id"] + s["by_title"] + s["by_override"] + s["unresolved"]
    stopped = "".join(f"; stopped asking {name}: {why} (a rerun retries those entries)" for name, why in s["stopped"].items())
    return (
        f"enrich: {total} entries: {s['by_id']} by id, {s['by_title']} by title, {s['by_override']} pinned, "
        f"{s['unresolved']} unresolved ({s['errors']} with errors); {arxiv + s2} requests (arXiv {arxiv}, S2 {s2}"
        f"{f', of which /search/match on {match} titles' if match else ''}), "
        f"{s['rate_limit_wait_s']:.1f} s waiting on rate limits, {s['wall_s']:.1f} s in all{stopped}"
    )


def requests_line(stats) -> str:
    """-v: the requests of the run per endpoint ("arxiv_id_list 2, s2_batch 1")."""
    requests = stats.to_dict()["requests"]
    return "requests: " + (", ".join(f"{name} {n}" for name, n in sorted(requests.items())) or "none (all from the cache)")


@app.command(short_help="Resolve each entry against arXiv and Semantic Scholar.")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="Output format (JSON: the documented contract; CSV: one row per entry).")
@output_option
@verbosity_options
@service_options
def enrich(paths: tuple[str, ...], fmt: str, output: Path | None, verbosity: Verbosity, **service: Any) -> None:
    """Resolve every entry of a list against arXiv and Semantic Scholar: authors, DOIs, citations, links.

    A table (or JSON/CSV) on standard output, a one-line summary on standard error. Every answer is
    cached, so a rerun is instant and an interrupted run resumes. LIST.md may be - for standard input,
    several files, directories (their *.md files, recursively) or globs: all their entries are resolved
    in one run (shared batches and pace), and the output names each entry's list.

    \b
    Examples:
      paperenrich enrich README.md
      paperenrich enrich README.md --format json -o enriched.json
      paperenrich enrich README.md --offline        # from the cache only
      paperenrich enrich lists/ 'more/*.md'         # many lists in one run
    """
    from paperenrich import api
    from paperenrich.export.tabular import to_csv, to_json, to_table

    settings = settings_from(**service)
    result = api.enrich(paths, settings, show_progress=verbosity.show_progress)
    lists = [(one.source, one.resolutions) for one in result.lists]
    if fmt == "json":
        text = to_json(result.source, result.resolutions, result.stats.to_dict(), lists=lists)
    elif fmt == "csv":
        text = to_csv(result.resolutions, lists=lists)
    elif len(lists) == 1:
        text = to_table(result.resolutions, rich=output_is_terminal(output))
    else:  # one table a list, under its name, as `head` shows several files
        text = "\n".join(f"==> {source} <==\n" + to_table(items, rich=output_is_terminal(output)) for source, items in lists)
    write_output(text, output)
    verbosity.say(summary_line(result.stats))
    verbosity.detail(requests_line(result.stats))
