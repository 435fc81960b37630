"""What the publishing commands (bibtex, fix, report) need from a list: its text, its
resolutions and, optionally, its link results. The one place they call resolve and check.

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
    source: str
    text: str
    scan: ScanResult
    resolutions: list[Resolution]
    link_results: list[LinkResult]
    links_checked: bool
    warning: str | None = None  # e.g. why the links were not checked after all
    stats: Any = None  # resolve.Stats: requests and outcomes of the resolution


def resolve_list(text: str, source: str, settings: Settings, *, show_progress: bool | None = None,
                 with_stats: bool = False) -> tuple[Any, ...]:
    """Scan a list's text (without our additions) and resolve its entries, with a progress bar on a
    terminal (or as `show_progress` says): (scan, resolutions), and the Stats too `with_stats`."""
    from paperenrich.resolve import resolve_text

    scan, resolutions, stats = resolve_text(text, source, settings, show_progress=show_progress)
    return (scan, resolutions, stats) if with_stats else (scan, resolutions)


def resolve_lists(sources: list[str], settings: Settings, *, show_progress: bool | None = None) -> tuple[list[Any], Any]:
    """Read, scan and resolve several lists in one run (shared batches and pace): a
    `resolve.ListResolutions` per list, and the run's Stats."""
    from paperenrich.resolve import resolve_texts

    return resolve_texts([(read_list_file(s), s) for s in sources], settings, show_progress=show_progress)


def gather(path: str | Path, settings: Settings, *, check_links: bool, show_progress: bool | None = None) -> ListState:
    """Read, scan, resolve and (if asked) link-check one list file."""
    (state,) = gather_many([str(path)], settings, check_links=check_links, show_progress=show_progress)
    return state


def gather_many(sources: list[str], settings: Settings, *, check_links: bool,
                show_progress: bool | None = None) -> list[ListState]:
    """Read, scan, resolve and (if asked) link-check several list files: one resolution run and one
    link check over them all, so what two lists share is asked for once. Every state carries the
    run's Stats."""
    from paperenrich.resolve import resolve_texts

    texts = [(read_list_file(s), s) for s in sources]
    lists, stats = resolve_texts(texts, settings, show_progress=show_progress)
    pairs = [(text, one) for (text, _), one in zip(texts, lists)]
    if not check_links:
        return [ListState(one.source, text, one.scan, one.resolutions, [], False, stats=stats) for text, one in pairs]
    from paperenrich.links import check_lists

    report = check_lists(sources, settings)
    if report.no_host_answered():
        # Calling every link broken would be wrong: this machine is offline (`check` exits 5 then).
        warning = f"no linked host could be reached ({len(report.requested_hosts())} hosts tried); links not checked"
        return [ListState(one.source, text, one.scan, one.resolutions, [], False, warning, stats=stats) for text, one in pairs]
    return [ListState(one.source, text, one.scan, one.resolutions,
                      [r for r in report.results if any(p.file == one.source for p in r.places)], True, stats=stats)
            for text, one in pairs]
