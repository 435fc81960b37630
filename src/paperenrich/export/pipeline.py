"""What every command that resolves lists (enrich, lint, bibtex, fix, report) needs from them: their
text, resolutions and, optionally, link results. The one place that resolves lists (`gather_texts`;
`paperenrich.api.resolve` calls it) and link-checks them for those commands.

Our own marked additions are removed before the list is scanned, so the authors or DOI link a
previous `fix` wrote never change what an entry is taken to be (lines stay where they were).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperenrich.config import Settings
from paperenrich.listfile import read_list_file
from paperenrich.model import LinkResult, Resolution, ScanResult


@dataclass(frozen=True)
class ListState:
    """One list of a run: its text, scan, resolutions, link results (if checked) and the run's Stats."""

    source: str
    text: str
    scan: ScanResult
    resolutions: list[Resolution]
    link_results: list[LinkResult]
    links_checked: bool
    warning: str | None = None  # e.g. why the links were not checked after all
    stats: Any = None  # resolve.Stats: requests and outcomes of the resolution


def gather(path: str | Path, settings: Settings, *, check_links: bool, show_progress: bool | None = None) -> ListState:
    """Read, scan, resolve and (if asked) link-check one list file."""
    (state,) = gather_many([str(path)], settings, check_links=check_links, show_progress=show_progress)
    return state


def gather_many(sources: list[str], settings: Settings, *, check_links: bool,
                show_progress: bool | None = None) -> list[ListState]:
    """Read (files, "-", http(s) URLs) and gather several lists: see `gather_texts`."""
    texts = [(read_list_file(s, settings), s) for s in sources]
    return gather_texts(texts, settings, check_links=check_links, show_progress=show_progress)


def gather_texts(texts: list[tuple[str, str]], settings: Settings, *, check_links: bool,
                 show_progress: bool | None = None) -> list[ListState]:
    """Scan, resolve and (if asked) link-check lists already read ((text, source) pairs): one
    resolution run and one link check over them all, so what two lists share is asked for once.
    Every state carries the run's Stats."""
    from paperenrich.resolve import resolve_texts

    lists, stats = resolve_texts(texts, settings, show_progress=show_progress)
    pairs = [(text, one) for (text, _), one in zip(texts, lists)]
    if not check_links:
        return [ListState(one.source, text, one.scan, one.resolutions, [], False, stats=stats) for text, one in pairs]
    from paperenrich.linkcheck.run import check_texts

    report = check_texts({source: text for text, source in texts}, settings)
    if report.no_host_answered():
        # Calling every link broken would be wrong: this machine is offline (`check` exits 5 then).
        trouble = report.network_trouble()
        warning = (f"no linked host could be reached ({trouble}; check HTTP_PROXY / HTTPS_PROXY / NO_PROXY); links not checked"
                   if trouble else f"no linked host could be reached ({len(report.requested_hosts())} hosts tried); links not checked")
        return [ListState(one.source, text, one.scan, one.resolutions, [], False, warning, stats=stats) for text, one in pairs]
    return [ListState(one.source, text, one.scan, one.resolutions,
                      [r for r in report.results if any(p.file == one.source for p in r.places)], True, stats=stats)
            for text, one in pairs]
