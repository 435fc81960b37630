"""`paperenrich enrich LIST.md`: every entry resolved against arXiv and Semantic Scholar (cache first)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperenrich.cli.app import app, console_err, output_option, write_output


def summary_line(stats) -> str:
    """One line for standard error: outcomes, requests per service, time spent waiting on rate limits."""
    s = stats.to_dict()
    req = s["requests"]
    arxiv = sum(n for k, n in req.items() if k.startswith("arxiv"))
    s2 = sum(n for k, n in req.items() if k.startswith("s2"))
    total = s["by_id"] + s["by_title"] + s["by_override"] + s["unresolved"]
    return (
        f"enrich: {total} entries: {s['by_id']} by id, {s['by_title']} by title, {s['by_override']} pinned, "
        f"{s['unresolved']} unresolved ({s['errors']} with errors); {arxiv + s2} requests (arXiv {arxiv}, S2 {s2}), "
        f"{s['rate_limit_wait_s']:.1f} s waiting on rate limits, {s['wall_s']:.1f} s in all"
    )


@app.command()
@click.argument("path", type=click.Path(path_type=Path, allow_dash=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@output_option
@click.option("--offline", is_flag=True, help="Use only the cache; say which entries it could not fill.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still cached).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False), help="Cache directory (default ./cache).")
@click.option("--overrides", type=click.Path(path_type=Path, dir_okay=False), help="TOML file pinning or rejecting matches.")
@click.option("--contact", help="E-mail address put in the User-Agent.")
@click.option("--arxiv-url", help="arXiv API endpoint (default: $PAPERENRICH_ARXIV_URL or the real service).")
@click.option("--s2-url", help="Semantic Scholar Graph API base (default: $PAPERENRICH_S2_URL or the real service).")
@click.option("--arxiv-interval", type=click.FloatRange(min=0), help="Seconds between arXiv requests (default 3).")
@click.option("--s2-rps", type=click.FloatRange(min=0.001), help="S2 requests per second (default 1 with a key, 1/3 without).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: paperenrich.toml, or [tool.paperenrich] in pyproject.toml).")
def enrich(path: Path, fmt: str, output: Path | None, offline: bool, refresh: bool, cache_dir: Path | None,
           overrides: Path | None, contact: str | None, arxiv_url: str | None, s2_url: str | None,
           arxiv_interval: float | None, s2_rps: float | None, progress: bool | None, config: Path | None) -> None:
    """Resolve every entry of a list against arXiv and Semantic Scholar: authors, DOIs, citations, links."""
    from paperenrich.config import load_settings
    from paperenrich.export.tabular import to_csv, to_json, to_table
    from paperenrich.resolve import enrich_list

    settings = load_settings(config, offline=offline or None, refresh=refresh or None, cache_dir=cache_dir,
                             overrides_file=overrides, contact=contact, arxiv_url=arxiv_url, s2_url=s2_url,
                             arxiv_interval=arxiv_interval, s2_rps=s2_rps)
    result = enrich_list(path, settings, show_progress=progress, source=str(path))
    if fmt == "json":
        text = to_json(result.source, result.resolutions, result.stats.to_dict())
    elif fmt == "csv":
        text = to_csv(result.resolutions)
    else:
        # Rich only when a person is looking at a terminal; files and pipes get plain aligned text.
        to_terminal = (output is None or str(output) == "-") and sys.stdout.isatty()
        text = to_table(result.resolutions, rich=to_terminal)
    write_output(text, output)
    console_err(summary_line(result.stats))
