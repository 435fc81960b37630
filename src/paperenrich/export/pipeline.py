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


def gather(path: str | Path, settings: Settings, *, check_links: bool, show_progress: bool | None = None) -> ListState:
    """Read, scan, resolve and (if asked) link-check one list file."""
    text = read_list_file(path)
    scan, resolutions, stats = resolve_list(text, str(path), settings, show_progress=show_progress, with_stats=True)
    if not check_links:
        return ListState(str(path), text, scan, resolutions, [], False, stats=stats)
    from paperenrich.links import check_lists

    report = check_lists([path], settings)
    if report.no_host_answered():
        # Calling every link broken would be wrong: this machine is offline (`check` exits 5 then).
        warning = f"no linked host could be reached ({len(report.requested_hosts())} hosts tried); links not checked"
        return ListState(str(path), text, scan, resolutions, [], False, warning, stats=stats)
    return ListState(str(path), text, scan, resolutions, list(report.results), True, stats=stats)
