"""`paperenrich check LIST.md|DIR ...`: the liveness of every http(s) link, fit for CI.

Exit codes: 0 no broken links, 2 broken links found (or other `--fail-on` statuses),
1 runtime error, 3 usage or config error, 4 unreadable list file, 5 no linked host reachable.
"""

from __future__ import annotations

import sys
from pathlib import Path
import click

from paperenrich.cli.app import app, output_option, write_output
from paperenrich.cli.options import Verbosity, note_caching, verbosity_options
from paperenrich.errors import EXIT_FINDINGS, NetworkUnavailable

FORMATS = ("text", "json", "markdown", "junit", "sarif", "github")  # = linkcheck.report.FORMATS (kept light to import)
IGNORE_FILE = ".paperenrichignore"  # = linkcheck.options.IGNORE_FILE (named in --help)


def network_looks_down(report) -> bool:
    """Every request of the run failed before any HTTP answer, on 3 or more hosts: that is our
    network, not the links (reporting them all as broken would be wrong). The library's judgement,
    with check's stricter terms: 3 hosts really asked (not refused as unsafe), nothing from the cache."""
    return report.no_host_answered() and len(report.hosts) >= 3 and report.summary.get("from_cache", 0) == 0


def _host_summary(hosts: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="per host", show_edge=False)
    for column in ("host", "requests", "max at once", "429s", "interval s", "statuses"):
        table.add_column(column)
    for host, s in sorted(hosts.items(), key=lambda kv: -kv[1]["requests"])[:30]:
        statuses = ", ".join(f"{n} {k}" for k, n in sorted(s["statuses"].items()))
        table.add_row(host, str(s["requests"]), str(s["max_in_flight"]), str(s["rate_limited"]), str(s["interval"]), statuses)
    Console(stderr=True).print(table)


@app.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))  # str: a URL keeps its "//"
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Report format.")
@output_option
@click.option("--summary-file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also append the Markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY).")
@click.option("--exclude", multiple=True, help="Skip URLs matching this regex (repeatable).")
@click.option("--include", multiple=True, help="Always check URLs matching this regex, even if excluded (repeatable).")
@click.option("--ignore-file", type=click.Path(path_type=Path, dir_okay=False),
              help=f"Regexes of URLs to skip, one a line (default: {IGNORE_FILE} if present).")
@click.option("--accept", help="Extra status codes counted as ok, e.g. '200..299,403'.")
@click.option("--fail-on", default="broken", show_default=True, help="Statuses that make the exit code 2 (comma-separated).")
@click.option("--timeout", type=click.FloatRange(min=0.001), help="Seconds per request (default 20).")
@click.option("--max-concurrency", type=click.IntRange(min=1), help="Requests at once overall (default 128).")
@click.option("--host-concurrency", type=click.IntRange(min=1), help="Requests at once per host (default 8).")
@click.option("--host-interval", type=click.FloatRange(min=0), help="Seconds between request starts per host (default 0.05).")
@click.option("--retries", type=click.IntRange(min=0), help="Extra tries after a transient failure (default 2).")
@click.option("--method", type=click.Choice(["auto", "head", "get"]), help="auto (HEAD for files, GET for pages), head or get.")
@click.option("--github-token", help="Token for github.com links (default: $GITHUB_TOKEN).")
@click.option("--check-fragments", is_flag=True, help="Check that #anchors exist on the page.")
@click.option("--allow-private", is_flag=True, help="Allow loopback and private addresses (tests, intranets).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Cache directory (default: the user cache, e.g. ~/.cache/paperenrich; $PAPERENRICH_CACHE).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--offline", is_flag=True, help="No requests: answers from the cache only (the rest: skipped).")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
              help="Config file (default: paperenrich.toml, or [tool.paperenrich] in pyproject.toml).")
@verbosity_options
@click.option("--dump", is_flag=True,
              help="Request nothing: print the links that would be checked, one a line (with -v, the skipped ones and why).")
@click.option("--verify-by", type=click.Choice(["auto", "http"]),
              help="auto (default): arXiv ids, DOIs and OpenReview ids by their services' APIs, other links over HTTP; "
                   "http: fetch every page.")
def check(paths: tuple[str, ...], fmt: str, output: Path | None, summary_file: Path | None, exclude: tuple[str, ...], include: tuple[str, ...],
          ignore_file: Path | None, accept: str | None, fail_on: str, timeout: float | None, max_concurrency: int | None,
          host_concurrency: int | None, host_interval: float | None, retries: int | None, method: str | None,
          github_token: str | None, check_fragments: bool, allow_private: bool, cache_dir: Path | None, no_cache: bool, offline: bool,
          config: Path | None, verbosity: Verbosity, dump: bool, verify_by: str | None) -> None:
    """Check every http(s) link of Markdown lists (files, or directories of them); exit 2 when broken links are found."""
    from paperenrich.config import load_settings
    from paperenrich.errors import UsageError
    from paperenrich.linkcheck.options import check_patterns, parse_accept, read_ignore_file
    from paperenrich import api
    from paperenrich.linkcheck.report import DUMP_FORMATS, STATUSES, render, render_dump

    failing = {s.strip() for s in fail_on.split(",") if s.strip()}
    if not failing <= set(STATUSES):
        raise UsageError(f"--fail-on: unknown status {', '.join(sorted(failing - set(STATUSES)))} (known: {', '.join(STATUSES)})")

    settings = load_settings(config, link_timeout=timeout, max_concurrency=max_concurrency, host_concurrency=host_concurrency,
                             host_interval=host_interval, link_retries=retries, link_method=method, github_token=github_token,
                             cache_dir=cache_dir, verify_by=verify_by)
    ignored: tuple[str, ...] = ()
    if ignore_file is not None:
        ignored = read_ignore_file(ignore_file)
    elif Path(IGNORE_FILE).is_file():
        ignored = read_ignore_file(Path(IGNORE_FILE))
    changes: dict = {"exclude": settings.exclude + tuple(exclude) + ignored, "include": settings.include + tuple(include)}
    if accept is not None:
        changes["accept"] = settings.accept + parse_accept(accept)
    if check_fragments:
        changes["check_fragments"] = True
    if allow_private:
        changes["allow_private"] = True
    if no_cache:
        changes["use_cache"] = False
    if offline:
        changes["offline"] = True
    settings = note_caching(settings.replace(**changes))
    check_patterns(settings.exclude, "exclude")
    check_patterns(settings.include, "include")
    if dump:
        if fmt not in DUMP_FORMATS:
            raise UsageError(f"--dump: the formats are {' and '.join(DUMP_FORMATS)}")
        return write_output(render_dump(api.links(paths, settings), fmt, with_skipped=verbosity.level >= 1), output)

    if verbosity.bar_wanted():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(transient=True, console=Console(stderr=True)) as bar:  # stdout is for the report
            task = bar.add_task("checking links", total=None)
            report = api.check(paths, settings, progress=lambda done, total: bar.update(task, completed=done, total=total))
    else:
        report = api.check(paths, settings)
    if (sys.stderr.isatty() and not verbosity.quiet) or verbosity.level >= 1:
        _host_summary(report.hosts)
    if network_looks_down(report):
        proxy = report.network_trouble()
        if proxy is not None:
            raise NetworkUnavailable(f"no linked host could be reached: {proxy}; check HTTP_PROXY / HTTPS_PROXY / NO_PROXY")
        raise NetworkUnavailable(f"no linked host could be reached ({len(report.hosts)} hosts tried, none answered); "
                                 "is this machine offline? --offline answers from the cache")
    write_output(render(report, fmt), output)
    if summary_file is not None:
        try:
            with summary_file.open("a", encoding="utf-8") as fh:
                fh.write(render(report, "markdown") + "\n")
        except OSError as exc:
            raise UsageError(f"--summary-file: cannot write {summary_file}: {exc.strerror or exc}") from None
    if any(r.status in failing for r in report.results):
        raise click.exceptions.Exit(EXIT_FINDINGS)
