"""The entry points: entries, texts or list files in; resolutions (and what they cost) out."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.merge import merge
from paperenrich.model import Candidate, Entry, Resolution, ScanResult
from paperenrich.overrides import Overrides
from paperenrich.resolve.driver import Resolver, Stats
from paperenrich.resolve.lookups import Lookups
from paperenrich.resolve.stages import Work, plan_work


def _resolution(w: Work, offline: bool) -> Resolution:
    if w.match is not None and (w.arxiv_rec or w.s2_rec):
        return Resolution(w.entry, merge(w.arxiv_rec, w.s2_rec, w.match))
    choice = w.choice
    candidates: tuple[Candidate, ...] = choice.candidates if choice else ()
    if choice is not None and choice.ambiguous:
        reason = "ambiguous"
    elif offline and w.errors:
        reason = "offline: not in cache"
    elif w.errors:
        reason = "error: " + "; ".join(w.errors)
    else:
        reason = "not found"
    if w.notes and reason == "not found":
        reason = "not found (" + "; ".join(w.notes) + ")"
    return Resolution(w.entry, None, reason, candidates)


def count_outcomes(resolutions: list[Resolution], stats: Stats) -> None:
    for r in resolutions:
        if r.paper is None:
            stats.outcomes["unresolved"] += 1
            if r.reason and r.reason.startswith("error"):
                stats.outcomes["errors"] += 1
        else:
            stats.outcomes[f"by_{r.paper.match.method}"] += 1


async def resolve_entries(entries: list[Entry], settings: Settings, *, cache: Cache | None = None,
                          overrides: Overrides | None = None, progress=None,
                          clients: tuple[Any, Any] | None = None,
                          more: AsyncIterator[list[Entry]] | None = None) -> tuple[list[Resolution], Stats]:
    """Every entry resolved (a paper) or not (a reason), in input order, and what it cost.

    `clients`: an (ArxivClient, S2Client) pair to use instead of building them (tests pass clients
    over httpx.MockTransport). `more`: further entries (a list's, as it is scanned) that join the
    run while it goes on; their resolutions follow `entries`' in the order given."""
    started = time.monotonic()
    own_cache = cache is None
    cache = cache or Cache(settings.cache_dir, enabled=settings.use_cache)
    overrides = overrides or Overrides()
    try:
        works = plan_work(entries, overrides)
        lookups = Lookups(cache, settings)

        def report() -> None:
            if progress is not None:
                progress.update(
                    sum(w.stage == "done" for w in works), of=len(works),
                    requests=sum(resolver.stats.requests.values()),
                    rate_limit_wait=f"{resolver.rate_wait():.0f}s",
                )

        async def more_works() -> AsyncIterator[list[Work]]:
            async for batch in more:
                yield plan_work(batch, overrides)

        resolver = Resolver(works, settings, lookups, report, clients=clients)
        await resolver.run(more_works() if more is not None else None)
        resolutions = [_resolution(w, settings.offline) for w in works]
        stats = resolver.stats
        count_outcomes(resolutions, stats)
        stats.wall = time.monotonic() - started
        return resolutions, stats
    finally:
        if own_cache:
            cache.close()


@dataclass(frozen=True)
class ListResolutions:
    """One list of a run: its scan and its entries' resolutions, in list order."""

    source: str
    scan: ScanResult
    resolutions: list[Resolution]


@dataclass(frozen=True)
class EnrichResult:
    source: str  # the first list's name (several lists: see `lists`)
    resolutions: list[Resolution]  # every list's, in order
    stats: Stats
    lists: tuple[ListResolutions, ...] = ()


def resolve_texts(texts: list[tuple[str, str]], settings: Settings, *,
                  show_progress: bool | None = None) -> tuple[list[ListResolutions], Stats]:
    """Scan several lists ((text, source) pairs) and resolve all their entries in one run: the
    batches and the pace are shared, so a paper two lists cite is asked for once.

    The blocks a previous `fix --add` wrote are left out first: their authors and links are not the list's.
    """
    from paperenrich.export.markdown import strip_additions
    from paperenrich.scanner import scan_text
    from paperenrich.overrides import load_overrides
    from paperenrich.progress import Progress

    def scan(text: str, source: str) -> ScanResult:
        return scan_text(strip_additions(text), source=source)

    # The first list is scanned before the run; the others while it goes on (in a thread, while the
    # lanes wait on the services' pace), so the first requests do not wait for the last list.
    scans = [scan(*texts[0])] if texts else []

    async def the_others() -> AsyncIterator[list[Entry]]:
        for text, source in texts[1:]:
            scans.append(await asyncio.to_thread(scan, text, source))
            yield scans[-1].entries

    overrides = load_overrides(settings.overrides_file)
    first = scans[0].entries if scans else []
    total = len(first) or int(len(texts) > 1)  # (the bar grows as the other lists join)
    with Progress.for_stderr("resolving", total, enabled=show_progress) as progress:
        resolutions, stats = asyncio.run(resolve_entries(first, settings, overrides=overrides, progress=progress,
                                                         more=the_others() if len(texts) > 1 else None))
    out, start = [], 0
    for scan in scans:
        end = start + len(scan.entries)
        out.append(ListResolutions(scan.source, scan, resolutions[start:end]))
        start = end
    return out, stats


def resolve_text(text: str, source: str, settings: Settings, *,
                 show_progress: bool | None = None) -> tuple[ScanResult, list[Resolution], Stats]:
    """Scan one list's text and resolve its entries, with a progress bar on a terminal (by default)."""
    (one,), stats = resolve_texts([(text, source)], settings, show_progress=show_progress)
    return one.scan, one.resolutions, stats


def enrich_lists(sources: list[str], settings: Settings | None = None, *,
                 show_progress: bool | None = None) -> EnrichResult:
    """Read several list files ("-": standard input) and resolve them in one run."""
    from paperenrich.config import load_settings
    from paperenrich.listfile import read_list_file

    settings = settings or load_settings()
    texts = [(read_list_file(source), source) for source in sources]
    lists, stats = resolve_texts(texts, settings, show_progress=show_progress)
    resolutions = [r for one in lists for r in one.resolutions]
    return EnrichResult(lists[0].source, resolutions, stats, tuple(lists))


def enrich_list(path_or_text: Any, settings: Settings | None = None, *, show_progress: bool | None = None,
                source: str | None = None) -> EnrichResult:
    """Read (a path) or take (text) a list, scan it, and resolve its entries: the library's entry point."""
    from pathlib import Path

    from paperenrich.config import load_settings
    from paperenrich.listfile import read_list_file

    settings = settings or load_settings()
    is_path = isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and (path_or_text == "-" or Path(path_or_text).is_file())
    )
    if is_path:
        text, source = read_list_file(path_or_text), source or str(path_or_text)
    else:
        text, source = str(path_or_text), source or "<text>"
    scan, resolutions, stats = resolve_text(text, source, settings, show_progress=show_progress)
    return EnrichResult(source, resolutions, stats, (ListResolutions(source, scan, resolutions),))
