"""The link checker's library API: cache first, then the engine, then the report.

    check_lists(paths, settings)          -> CheckReport   (what `paperenrich check` and the exporters call)
    await check_urls(places_by_url, ...)  -> list[LinkResult]
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import httpx

from paperenrich.cache import Cache
from paperenrich.collector import paused_collector
from paperenrich.config import Settings
from paperenrich.errors import ConfigError
from paperenrich.linkcheck.collect import collect_places
from paperenrich.linkcheck.local import check_local
from paperenrich.linkcheck.engine import build_client, run_checks, url_filter
from paperenrich.model import LinkResult, LinkStatus, Place

NAMESPACE = "links"
STATUSES = tuple(status.value for status in LinkStatus)
VERIFY_BY = ("auto", "http")  # auto: ids by their services, the rest over HTTP; http: every page
FLUSH_SECONDS = 0.2  # results are written to the cache at most this long after they arrive


@dataclass
class CheckReport:
    results: list[LinkResult]
    summary: dict[str, Any]
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"results": [r.to_dict() for r in self.results], "summary": self.summary, "hosts": self.hosts}

    def _requested(self) -> list[LinkResult]:
        """Links that were (to be) requested over HTTP: not skipped, not invalid, not judged by a service."""
        return [r for r in self.results if r.status not in (LinkStatus.SKIPPED, LinkStatus.INVALID) and r.verified_by == "http"]

    def requested_hosts(self) -> set[str | None]:
        """Hosts of the links that were (to be) requested: not skipped, not invalid."""
        return {urlsplit(r.url).hostname for r in self._requested()}

    def proxy_trouble(self) -> str | None:
        """The reason of a link that failed at the proxy (unreachable, or refusing a tunnel), if any."""
        from paperenrich.linkcheck.wire import PROXY_TROUBLE

        return next((r.detail for r in self._requested() if r.detail and r.detail.startswith(PROXY_TROUBLE)), None)

    def silent_proxy(self) -> str | None:
        """When every requested link went through a proxy (the environment's) and none was
        answered: "no answer through the proxy host:port". A silent proxy leaves each link a
        timeout, which alone reads as this machine being offline."""
        from paperenrich.linkcheck.wire import Proxies, ProxyError, authority

        try:
            proxies = Proxies.from_environment()
        except ProxyError:
            return None
        requested = self._requested()
        if proxies is None or not requested or any(r.http_status is not None for r in requested):
            return None
        used: set[str] = set()
        for result in requested:
            try:
                parts = urlsplit(result.url)
                port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError:
                return None
            proxy = proxies.for_target(parts.scheme, parts.hostname or "", port)
            if proxy is None:
                return None  # (a link asked directly got no answer either: the network's trouble)
            used.add(authority(proxy.host, proxy.port))
        return f"no answer through the proxy {', '.join(sorted(used))}"

    def network_trouble(self) -> str | None:
        """What a run in which no host answered can blame besides the machine being offline: the proxy."""
        return self.proxy_trouble() or self.silent_proxy()

    def no_host_answered(self) -> bool:
        """No requested link got an HTTP answer, on 3 or more hosts: this machine is offline, the
        links are not all broken."""
        requested = self._requested()
        return len({urlsplit(r.url).hostname for r in requested}) >= 3 and all(r.http_status is None for r in requested)


def _settings_signature(settings: Settings) -> str:
    """What changes a verdict: a cached result made under other rules is not reused. (Excludes
    and includes are applied before the cache, so they are not part of it.)"""
    return repr((sorted(settings.accept), settings.check_fragments, settings.allow_private, settings.verify_by,
                 sorted((h, r.accept) for h, r in settings.hosts.items())))


def _cacheable(result: LinkResult) -> bool:
    if not result.status.is_final:
        return False
    # broken without an HTTP status = DNS failure, refused, TLS: possibly our own network's fault
    # (a service's verdict has no HTTP status of the page, and is final)
    return not (result.status == LinkStatus.BROKEN and result.http_status is None and result.verified_by == "http")


def _from_cache(url: str, value: dict[str, Any], places: Sequence[Place]) -> LinkResult:
    return LinkResult(url=url, status=value["status"], http_status=value.get("http_status"),
                      final_url=value.get("final_url"), redirects=tuple(value.get("redirects", ())),
                      places=tuple(places), suggestion=value.get("suggestion"), detail=value.get("detail"),
                      verified_by=value.get("verified_by", "http"))


class ResultWriter:
    """Writes final results to the cache as they arrive: at once when the last write is
    FLUSH_SECONDS old, else in the next batch, due at most FLUSH_SECONDS later (one commit per
    result would cost 5,000 commits on a big list). A killed run loses at most that moment's
    results; an interrupted one (Ctrl-C) nothing, as `flush` runs on the way out."""

    def __init__(self, cache: Cache | None, signature: str):
        self.cache = cache if cache is not None and cache.enabled else None
        self.signature = signature
        self._pending: dict[str, Any] = {}
        self._last = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def add(self, result: LinkResult) -> None:
        if self.cache is None or not _cacheable(result):
            return
        self._pending[result.url] = {**result.to_dict(), "places": [], "signature": self.signature}
        waited = time.monotonic() - self._last
        if waited >= FLUSH_SECONDS:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_SECONDS - waited, self.flush)

    def flush(self) -> None:
        self._last = time.monotonic()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.cache is not None and self._pending:
            pending, self._pending = self._pending, {}
            self.cache.put_many(NAMESPACE, pending)


async def check_urls(places_by_url: Mapping[str, Sequence[Place]], settings: Settings, client: httpx.AsyncClient | None = None,
                     *, cache: Cache | None = None, progress: Callable[[int, int], None] | None = None,
                     run_info: dict[str, Any] | None = None) -> list[LinkResult]:
    """Check each distinct URL once; results in the order of `places_by_url`.

    Excludes, includes and the ignore file apply first (an excluded URL is skipped even when a
    verdict is cached). With a `cache`, fresh final results are reused (no request at all) and
    new final results are written as they arrive. `run_info`, if given, receives "hosts"
    (per-host statistics), "from_cache", "requests" (HTTP requests to the links' hosts) and
    "services" (requests to arXiv, the DOI API and OpenReview).
    """
    if settings.verify_by not in VERIFY_BY:
        raise ConfigError(f"verify_by: {settings.verify_by!r} is not one of {', '.join(VERIFY_BY)}")
    include = [re.compile(p) for p in settings.include]
    exclude = [re.compile(p) for p in settings.exclude]
    done: dict[str, LinkResult] = {}
    for url, places in places_by_url.items():
        excluded = url_filter(url, include, exclude)
        if excluded:
            done[url] = LinkResult(url, LinkStatus.SKIPPED, places=tuple(places), detail=excluded)
    signature = _settings_signature(settings)
    from_cache = 0
    if cache is not None and cache.enabled and not settings.refresh:
        wanted = [url for url in places_by_url if url not in done]
        for url, hit in cache.get_many(NAMESPACE, wanted, max_age=settings.ttl_links).items():
            if isinstance(hit.value, dict) and hit.value.get("signature") == signature:
                try:
                    done[url] = _from_cache(url, hit.value, places_by_url[url])
                    from_cache += 1
                except (KeyError, ValueError, TypeError):
                    pass  # a value this version cannot read is a miss
    todo = {url: places for url, places in places_by_url.items() if url not in done}
    total = len(places_by_url)
    if progress and done:
        progress(len(done), total)
    writer = ResultWriter(cache, signature)

    def arrived(result: LinkResult) -> None:
        done[result.url] = result
        writer.add(result)
        if progress:
            progress(len(done), total)

    lanes: dict = {}
    services: dict[str, int] = {}
    if settings.offline:  # answers come from the cache only
        for url, places in todo.items():
            done[url] = LinkResult(url, LinkStatus.SKIPPED, places=tuple(places), detail="offline: not in the cache")
    else:
        own_client = client is None
        client = client or build_client(settings)
        try:
            if settings.verify_by == "http":
                lanes = await run_checks(todo, settings, client, arrived)
            else:
                from paperenrich.linkcheck.papers import split_by_owner, verify_claims

                # The services' batches (arXiv: one request per 3 s) and the pages over HTTP at once:
                # neither waits for the other.
                claims, pages = split_by_owner(todo, settings, arrived)
                lanes, _ = await _both(run_checks(pages, settings, client, arrived),
                                       verify_claims(claims, todo, settings, cache, arrived, services))
        finally:
            writer.flush()  # also on Ctrl-C or an error: what finished is kept
            if own_client:
                await client.aclose()
    if run_info is not None:
        run_info["hosts"] = {host: lane.stats() for host, lane in sorted(lanes.items()) if lane.requests}
        run_info["from_cache"] = from_cache
        run_info["requests"] = sum(lane.requests for lane in lanes.values())
        run_info["services"] = services
    return [done[url] for url in places_by_url]


async def _both(first: Awaitable[Any], second: Awaitable[Any]) -> tuple[Any, Any]:
    """Both results; if either fails, the other is cancelled (and awaited) before the error is
    raised, so nothing goes on reporting results or asking a host after the run has ended."""
    tasks = [asyncio.ensure_future(first), asyncio.ensure_future(second)]
    try:
        return tuple(await asyncio.gather(*tasks))  # type: ignore[return-value]
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def summarize(results: Sequence[LinkResult], elapsed: float, cached: int = 0, requests: int = 0,
              services: Mapping[str, int] | None = None) -> dict[str, Any]:
    counts = Counter(r.status for r in results)
    return {
        "urls": len(results),
        "places": sum(len(r.places) for r in results),
        "counts": {status: counts.get(status, 0) for status in STATUSES},
        "suggestions": sum(1 for r in results if r.suggestion),
        "from_cache": cached,
        "requests": requests,
        "service_requests": dict(services or {}),
        "verified_by": dict(Counter(r.verified_by for r in results)),
        "elapsed_s": round(elapsed, 3),
    }


def _note_alternatives(results: list[LinkResult], texts: Mapping[str, str]) -> list[LinkResult]:
    """For a blocked link, say when the same entry has an arXiv or DOI link that answers."""
    if not any(r.status == LinkStatus.BLOCKED for r in results):
        return results  # (parsing the entries is only needed for blocked links)
    from paperenrich.ids import extract_ids
    from paperenrich.scanner import scan_text

    by_url = {r.url: r for r in results}
    entry_of: dict[tuple[str, int], Any] = {}
    for name, text in texts.items():
        for entry in scan_text(text, name).entries:
            for line in range(entry.line, entry.end_line + 1):
                entry_of[(name, line)] = entry
    out = []
    for result in results:
        if result.status == LinkStatus.BLOCKED:
            for place in result.places:
                entry = entry_of.get((place.file, place.line))
                if entry is None:
                    continue
                alternatives = [link.url for link in entry.links
                                if link.url != result.url and (ids := extract_ids(link.url)) and (ids.arxiv or ids.doi)
                                and by_url.get(link.url) and by_url[link.url].status.is_working]
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

    return check_texts({str(path): read_list_file(path, settings) for path in paths}, settings, progress=progress, cache=cache)


def check_texts(texts: Mapping[str, str], settings: Settings, *, progress: Callable[[int, int], None] | None = None,
                cache: Cache | None = None) -> CheckReport:
    """Check every http(s) link of lists already read ({source name: Markdown text})."""
    started = time.monotonic()
    own_cache = cache is None
    if own_cache:
        cache = Cache(settings.cache_dir, enabled=settings.use_cache)
    info: dict[str, Any] = {}
    # The links, the places and the run's requests make no cycles: a full collection set off
    # while they are built scanned everything for 20-40 ms before the first request (the run
    # collects the young generations by hand, see engine.GC_EVERY).
    try:
        with paused_collector():
            places = collect_places(texts)
            include, exclude = [re.compile(p) for p in settings.include], [re.compile(p) for p in settings.exclude]
            local, remote = check_local(places, lambda url: url_filter(url, include, exclude) is not None,
                                        texts if settings.check_fragments else None)
            checked = asyncio.run(check_urls(remote, settings, cache=cache, progress=progress, run_info=info))
    finally:
        if own_cache:
            cache.close()
    results = checked
    if local:  # merged back in the lists' order
        by_url: dict[str, list[LinkResult]] = {}
        for result in local + checked:
            by_url.setdefault(result.url, []).append(result)
        results = [result for url in places for result in by_url.get(url, ())]
    results = _note_alternatives(results, texts)
    summary = summarize(results, time.monotonic() - started, info["from_cache"], info["requests"], info["services"])
    return CheckReport(results, summary, info["hosts"])
