"""The link checker's library API: cache first, then the engine, then the report.

    check_lists(paths, settings)          -> CheckReport   (what `paperenrich check` and the exporters call)
    await check_urls(places_by_url, ...)  -> list[LinkResult]
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import httpx

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.linkcheck.collect import collect_places
from paperenrich.linkcheck.engine import build_client, run_checks
from paperenrich.model import LinkResult, Place

NAMESPACE = "links"
# Only answers that will still be true tomorrow are cached; timeouts, rate limits, resets and
# connection-level failures (DNS, refused: maybe our own network) are asked again next run.
FINAL_STATUSES = frozenset({"ok", "redirected", "broken", "blocked", "soft_404"})
STATUSES = ("ok", "redirected", "broken", "blocked", "rate_limited", "timeout", "soft_404", "invalid", "skipped", "error")


@dataclass
class CheckReport:
    results: list[LinkResult]
    summary: dict[str, Any]
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def by_status(self, *statuses: str) -> list[LinkResult]:
        return [r for r in self.results if r.status in statuses]

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results], "summary": self.summary, "hosts": self.hosts}

    def requested_hosts(self) -> set[str | None]:
        """Hosts of the links that were (to be) requested: not skipped, not invalid."""
        return {urlsplit(r.url).hostname for r in self.results if r.status not in ("skipped", "invalid")}

    def no_host_answered(self) -> bool:
        """No requested link got an HTTP answer, on 3 or more hosts: this machine is offline, the
        links are not all broken."""
        requested = [r for r in self.results if r.status not in ("skipped", "invalid")]
        return len(self.requested_hosts()) >= 3 and all(r.http_status is None for r in requested)


def _settings_signature(settings: Settings) -> str:
    """What changes a verdict: a cached result made under other rules is not reused."""
    return repr((sorted(settings.accept), settings.check_fragments, settings.allow_private,
                 sorted((h, r.accept) for h, r in settings.hosts.items())))


def _cacheable(result: LinkResult) -> bool:
    if result.status not in FINAL_STATUSES:
        return False
    # broken without an HTTP status = DNS failure, refused, TLS: possibly our own network's fault
    return not (result.status == "broken" and result.http_status is None)


def _from_cache(url: str, value: dict[str, Any], places: Sequence[Place]) -> LinkResult:
    return LinkResult(url=url, status=value["status"], http_status=value.get("http_status"),
                      final_url=value.get("final_url"), redirects=tuple(value.get("redirects", ())),
                      places=tuple(places), suggestion=value.get("suggestion"), detail=value.get("detail"))


async def check_urls(places_by_url: Mapping[str, Sequence[Place]], settings: Settings, client: httpx.AsyncClient | None = None,
                     *, cache: Cache | None = None, progress: Callable[[int, int], None] | None = None,
                     run_info: dict[str, Any] | None = None) -> list[LinkResult]:
    """Check each distinct URL once; results in the order of `places_by_url`.

    With a `cache`, fresh final results are reused (no request at all) and new final results
    are written as soon as the run ends. `run_info`, if given, receives "hosts" (per-host
    statistics), "from_cache" and "requests" (how many HTTP requests were sent).
    """
    signature = _settings_signature(settings)
    cached: dict[str, LinkResult] = {}
    if cache is not None and cache.enabled and not settings.refresh:
        for url, hit in cache.get_many(NAMESPACE, list(places_by_url), max_age=settings.ttl_links).items():
            if isinstance(hit.value, dict) and hit.value.get("signature") == signature:
                cached[url] = _from_cache(url, hit.value, places_by_url[url])
    todo = {url: places for url, places in places_by_url.items() if url not in cached}
    if progress and cached:
        progress(len(cached), len(places_by_url))

    def shifted(done: int, total: int) -> None:
        if progress:
            progress(done + len(cached), total + len(cached))

    if settings.offline:  # answers come from the cache only
        fresh = [LinkResult(url, "skipped", places=tuple(places), detail="offline: not in the cache") for url, places in todo.items()]
        lanes = {}
    else:
        own_client = client is None
        client = client or build_client(settings)
        try:
            fresh, lanes = await run_checks(todo, settings, client, shifted if progress else None)
        finally:
            if own_client:
                await client.aclose()
    if cache is not None:
        cache.put_many(NAMESPACE, {r.url: {**r.to_dict(), "places": [], "signature": signature}
                                   for r in fresh if _cacheable(r)})
    if run_info is not None:
        run_info["hosts"] = {host: lane.stats() for host, lane in sorted(lanes.items()) if lane.requests}
        run_info["from_cache"] = len(cached)
        run_info["requests"] = sum(lane.requests for lane in lanes.values())
    fresh_by_url = {r.url: r for r in fresh}
    return [cached.get(url) or fresh_by_url[url] for url in places_by_url]


def summarize(results: Sequence[LinkResult], elapsed: float, cached: int = 0, requests: int = 0) -> dict[str, Any]:
    counts = Counter(r.status for r in results)
    return {
        "urls": len(results),
        "places": sum(len(r.places) for r in results),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "suggestions": sum(1 for r in results if r.suggestion),
        "from_cache": cached,
        "requests": requests,
        "elapsed_s": round(elapsed, 3),
    }


def _note_alternatives(results: list[LinkResult], texts: Mapping[str, str]) -> list[LinkResult]:
    """For a blocked link, say when the same entry has an arXiv or DOI link that answers."""
    if not any(r.status == "blocked" for r in results):
        return results  # (parsing the entries is only needed for blocked links)
    from paperenrich.ids import extract_ids
    from paperenrich.listparse import scan_text

    by_url = {r.url: r for r in results}
    entry_of: dict[tuple[str, int], Any] = {}
    for name, text in texts.items():
        for entry in scan_text(text, name).entries:
            for line in range(entry.line, entry.end_line + 1):
                entry_of[(name, line)] = entry
    out = []
    for result in results:
        if result.status == "blocked":
            for place in result.places:
                entry = entry_of.get((place.file, place.line))
                if entry is None:
                    continue
                alternatives = [link.url for link in entry.links
                                if link.url != result.url and (ids := extract_ids(link.url)) and (ids.arxiv or ids.doi)
                                and by_url.get(link.url) and by_url[link.url].status in ("ok", "redirected")]
                if alternatives:
                    note = f"the same entry's {alternatives[0]} answers"
                    result = LinkResult(**{**result.__dict__, "detail": f"{result.detail}; {note}" if result.detail else note})
                    break
        out.append(result)
    return out


def check_lists(paths: Iterable[str | Path], settings: Settings, *, progress: Callable[[int, int], None] | None = None,
                cache: Cache | None = None) -> CheckReport:
    """Check every http(s) link of the given Markdown lists (each distinct URL once)."""
    from paperenrich.listfile import read_list_file

    started = time.monotonic()
    texts = {str(path): read_list_file(path, settings) for path in paths}
    places = collect_places(texts)
    own_cache = cache is None
    if own_cache:
        cache = Cache(settings.cache_dir, enabled=settings.use_cache)
    info: dict[str, Any] = {}
    try:
        results = asyncio.run(check_urls(places, settings, cache=cache, progress=progress, run_info=info))
    finally:
        if own_cache:
            cache.close()
    results = _note_alternatives(results, texts)
    summary = summarize(results, time.monotonic() - started, info["from_cache"], info["requests"])
    return CheckReport(results, summary, info["hosts"])
