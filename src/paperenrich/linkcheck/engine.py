"""The checking engine: one AsyncClient, a global concurrency limit, per-host lanes, retries.

Per host (the URL's host name): at most `host_concurrency` requests at once and request starts
at least `host_interval` apart (`http.Pacer`), both overridable per host in the config file.
A host that answers 429 gets a longer interval for the rest of the run. Every host is served
by its own small set of workers, so a slow host never holds up the others.

Method: `auto` sends HEAD to file-like URLs (PDFs, archives: a body would be big) and GET to
pages, reading only the first bytes (enough to see a soft 404 or a bot challenge), so each
URL costs one request. HEAD that is refused or looks wrong is repeated as GET, and a host that
refuses HEAD is asked with GET for the rest of the run. Redirects are followed by hand so that
every hop is paced by its own host, loops are caught and the chain is reported.

Retries (tenacity): only timeouts, resets, 408, 429 and 5xx, with exponential backoff and
jitter; a Retry-After header wins, capped at `retry_after_cap`.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
import socket
import ssl
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence
from urllib.parse import urljoin, urlsplit

import httpx
import tenacity

from paperenrich.config import HostRule, Settings
from paperenrich.http import TRANSIENT_STATUS, Pacer, retry_after_seconds
from paperenrich.linkcheck.classify import classify_status, has_anchor
from paperenrich.linkcheck.safety import UNSAFE_SCHEMES, ForbiddenAddress, is_forbidden_ip, literal_ip
from paperenrich.linkcheck.suggest import PERMANENT_REDIRECTS, is_home_page, suggest
from paperenrich.linkcheck.transport import AiohttpTransport
from paperenrich.model import LinkResult, Place
from paperenrich.urls import is_double_encoded

REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
GITHUB_HOSTS = frozenset({"github.com", "api.github.com", "raw.githubusercontent.com", "gist.github.com"})
_FILE_LIKE = re.compile(r"\.(pdf|ps|zip|gz|tgz|bz2|xz|tar|7z|rar|mp4|mov|avi|mkv|mp3|pptx?|docx?|xlsx?|bin|pt|ckpt|safetensors)$",
                        re.IGNORECASE)
_TEXTUAL = ("text/", "application/xhtml", "application/xml")
_PEEK_BYTES = 64 * 1024  # enough for <title>, <h1> and challenge markers
FORBIDDEN_DETAIL = "non-public address (private, loopback, link-local or metadata) refused; --allow-private checks it"


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes


class _Retry(Exception):
    """A transient HTTP answer (408, 429, 5xx): retried, and returned as is when retries run out."""

    def __init__(self, answer: Answer, retry_after: float | None):
        self.answer = answer
        self.retry_after = retry_after


@dataclass
class HostLane:
    """Pacing and statistics of one host."""

    pacer: Pacer  # spacing between request starts (entered last, right before sending)
    slots: asyncio.Semaphore  # requests at once to this host
    rule: HostRule
    head_refused: bool = False
    requests: int = 0
    rate_limited: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    statuses: Counter = field(default_factory=Counter)

    def stats(self) -> dict:
        return {"requests": self.requests, "max_in_flight": self.max_in_flight, "rate_limited": self.rate_limited,
                "interval": round(self.pacer.interval, 4), "waited_s": round(self.pacer.waited, 3),
                "head_refused": self.head_refused, "statuses": dict(self.statuses)}


@functools.lru_cache(maxsize=4096)  # asked several times per URL and per redirect hop
def host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def rule_for(host: str, hosts: Mapping[str, HostRule]) -> HostRule:
    """The rule of the host itself, else of its nearest parent domain, else the empty rule."""
    parts = host.split(".")
    for i in range(len(parts) - 1):
        rule = hosts.get(".".join(parts[i:]))
        if rule is not None:
            return rule
    return hosts.get(host, HostRule())


def build_client(settings: Settings) -> httpx.AsyncClient:
    """The checker's client: httpx's API on aiohttp's pool (transport.py), the address guard in
    its connector unless private addresses are allowed."""
    per_host = max([settings.host_concurrency] + [r.max_concurrency or 0 for r in settings.hosts.values()])
    transport = AiohttpTransport(per_host=per_host, total=settings.max_concurrency, guard=not settings.allow_private)
    return httpx.AsyncClient(
        transport=transport,
        headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
        timeout=httpx.Timeout(settings.link_timeout, connect=min(10.0, settings.link_timeout)),
        follow_redirects=False,
        trust_env=False,
    )


def precheck(url: str, settings: Settings, include: Sequence[re.Pattern], exclude: Sequence[re.Pattern]) -> tuple[str, str] | None:
    """(status, detail) for a URL that must not or cannot be requested; None to go ahead."""
    included = any(p.search(url) for p in include)
    if not included:
        for pattern in exclude:
            if pattern.search(url):
                return "skipped", f"excluded by pattern {pattern.pattern!r}"
    if url.startswith("#"):
        return "skipped", "in-page anchor"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return "invalid", f"malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if not scheme:
        return "skipped", "relative link (not checked)"
    if scheme in UNSAFE_SCHEMES:
        return "skipped", f"{scheme}: links are never requested"
    if scheme not in ("http", "https"):
        return "skipped", f"{scheme}: link (only http and https are checked)"
    if re.search(r"[\s<>\"\\^`{|}]", url) or any(ord(c) < 32 for c in url):
        return "invalid", "malformed URL (spaces or characters that must be encoded)"
    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, ValueError) as exc:
        return "invalid", f"malformed URL ({exc})"
    if not host:
        return "invalid", "malformed URL (no host)"
    if is_double_encoded(url):
        return "invalid", "double-encoded URL (%25XX): the server sees a literal '%'"
    ip = literal_ip(host)
    if ip and is_forbidden_ip(ip) and not settings.allow_private:
        return "skipped", FORBIDDEN_DETAIL
    return None


class Checker:
    """Checks distinct URLs; one instance per run (its host lanes hold the run's pacing state)."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient):
        self.settings = settings
        self.client = client
        self.lanes: dict[str, HostLane] = {}
        self._global = asyncio.Semaphore(max(1, settings.max_concurrency))
        self._include = [re.compile(p) for p in settings.include]
        self._exclude = [re.compile(p) for p in settings.exclude]
        self._accept = frozenset(settings.accept)

    # --- per-host lanes -------------------------------------------------------------------------
    def lane(self, host: str) -> HostLane:
        lane = self.lanes.get(host)
        if lane is None:
            rule = rule_for(host, self.settings.hosts)
            interval = rule.interval if rule.interval is not None else self.settings.host_interval
            concurrency = rule.max_concurrency or self.settings.host_concurrency
            lane = self.lanes[host] = HostLane(Pacer(interval, concurrency), asyncio.Semaphore(concurrency), rule)
        return lane

    def _headers(self, host: str, lane: HostLane) -> dict[str, str]:
        headers = dict(lane.rule.headers)
        if host in GITHUB_HOSTS and self.settings.github_token:
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
        return headers

    def _first_method(self, url: str, lane: HostLane, wants_fragment: bool) -> str:
        if wants_fragment or lane.head_refused:
            return "GET"
        choice = (lane.rule.method or self.settings.link_method).lower()
        if choice in ("head", "get"):
            return choice.upper()
        return "HEAD" if _FILE_LIKE.search(urlsplit(url).path) else "GET"

    # --- one request, with the retry policy -----------------------------------------------------
    async def _attempt(self, url: str, method: str, host: str, lane: HostLane, body_limit: int) -> Answer:
        # Host slot, then a global slot, then the host's spacing: the interval is kept between
        # the moments requests really start, not between moments they began to wait.
        async with lane.slots, self._global, lane.pacer:
            lane.requests += 1
            lane.in_flight += 1
            lane.max_in_flight = max(lane.max_in_flight, lane.in_flight)
            try:
                async with asyncio.timeout(self.settings.link_timeout):  # a whole-answer deadline: tarpits end here
                    request = self.client.build_request(method, url, headers=self._headers(host, lane))
                    response = await self.client.send(request, stream=True)
                    try:
                        body = b""
                        textual = response.headers.get("content-type", "").lower().startswith(_TEXTUAL)
                        if method == "GET" and textual and response.status_code not in REDIRECT_STATUS:
                            body = await _read_some(response, body_limit)
                    finally:
                        await response.aclose()
            finally:
                lane.in_flight -= 1
        return Answer(response.status_code, response.headers, body)

    def _delay_after(self, exc: BaseException | None, failures: int) -> float:
        """Retry-After when the server gave one (already capped), else exponential backoff with jitter."""
        if isinstance(exc, _Retry) and exc.retry_after is not None:
            return exc.retry_after
        base = self.settings.link_backoff * 2 ** (failures - 1)
        return min(base * random.uniform(0.5, 1.5), self.settings.retry_after_cap)

    def _wait(self, state: tenacity.RetryCallState) -> float:
        # tenacity counts from the second try (the first ran outside it): one failure more
        return self._delay_after(state.outcome.exception() if state.outcome else None, state.attempt_number + 1)

    def _slow_down(self, lane: HostLane, retry_after: float | None) -> None:
        """After a 429: wider spacing for the rest of the run, and a pause if the host asked for one."""
        lane.rate_limited += 1
        lane.pacer.interval = min(max(lane.pacer.interval * 2, self.settings.link_backoff), 10.0)
        lane.pacer.slow_down(retry_after if retry_after is not None else self.settings.link_backoff)

    async def _attempt_once(self, url: str, method: str, host: str, lane: HostLane, body_limit: int) -> Answer:
        """One try; a transient answer (408, 429, 5xx) is raised as _Retry."""
        answer = await self._attempt(url, method, host, lane, body_limit)
        if answer.status in TRANSIENT_STATUS:
            retry_after = retry_after_seconds(httpx.Response(answer.status, headers=answer.headers), self.settings.retry_after_cap)
            if answer.status == 429:
                self._slow_down(lane, retry_after)
            raise _Retry(answer, retry_after)
        return answer

    async def fetch(self, url: str, method: str, body_limit: int) -> Answer:
        host = host_key(url)
        lane = self.lane(host)
        try:
            try:
                return await self._attempt_once(url, method, host, lane, body_limit)
            except Exception as exc:  # the common case above costs no retry machinery
                if not _transient(exc) or self.settings.link_retries < 1:
                    raise
                first_failure = exc
            retrying = tenacity.AsyncRetrying(
                stop=tenacity.stop_after_attempt(self.settings.link_retries),
                retry=tenacity.retry_if_exception(_transient),
                wait=self._wait,
                reraise=True,
            )
            await asyncio.sleep(self._delay_after(first_failure, 1))
            async for attempt in retrying:
                with attempt:
                    return await self._attempt_once(url, method, host, lane, body_limit)
        except _Retry as exc:
            return exc.answer
        raise AssertionError("unreachable")  # tenacity either returns, or re-raises

    # --- one URL --------------------------------------------------------------------------------
    async def check(self, url: str, places: Sequence[Place] = ()) -> LinkResult:
        try:
            status, http_status, final, chain, codes, detail = await self._check(url)
        except Exception as exc:  # one odd URL must never end the run
            status, http_status, final, chain, codes, detail = "error", None, None, (), (), f"unexpected {type(exc).__name__}: {exc}"
        self.lane(host_key(url)).statuses[status] += 1
        return LinkResult(
            url=url, status=status, http_status=http_status, final_url=final, redirects=tuple(chain),
            places=tuple(places), suggestion=suggest(url, status, final, tuple(codes)), detail=detail,
        )

    async def _check(self, url: str):
        pre = precheck(url, self.settings, self._include, self._exclude)
        if pre:
            return pre[0], None, None, (), (), pre[1]
        fragment = urlsplit(url).fragment if self.settings.check_fragments else ""
        body_limit = self.settings.max_body_bytes if fragment else min(_PEEK_BYTES, self.settings.max_body_bytes)
        chain: list[str] = []
        codes: list[int] = []
        seen = {url.split("#", 1)[0]}
        current = url
        method = self._first_method(url, self.lane(host_key(url)), bool(fragment))
        for _hop in range(self.settings.max_redirects + 1):
            lane = self.lane(host_key(current))
            try:
                answer = await self.fetch(current, method, body_limit)
                if (method == "HEAD" and answer.status not in REDIRECT_STATUS and answer.status not in TRANSIENT_STATUS
                        and not (200 <= answer.status < 300)):
                    if answer.status in (405, 501):
                        lane.head_refused = True
                    method = "GET"  # HEAD refused or looks wrong: ask the way a browser does
                    answer = await self.fetch(current, method, body_limit)
            except Exception as exc:
                status, detail = _classify_exception(exc)
                return status, None, current if chain else None, chain, codes, detail
            location = answer.headers.get("location")
            if answer.status in REDIRECT_STATUS and location:
                target = urljoin(current, location.strip())
                codes.append(answer.status)
                chain.append(target)
                if target.split("#", 1)[0] in seen:
                    return "broken", answer.status, target, chain, codes, "redirect loop"
                seen.add(target.split("#", 1)[0])
                pre = precheck(target, self.settings, (), ())
                if pre:
                    return ("broken" if pre[0] == "invalid" else pre[0]), answer.status, target, chain, codes, f"redirects to a URL that is not checked: {pre[1]}"
                if answer.status == 303:
                    method = "GET"
                current = target
                continue
            break
        else:
            return "broken", answer.status, current, chain, codes, f"more than {self.settings.max_redirects} redirects"

        host = host_key(current)
        accept = self._accept | frozenset(self.lane(host).rule.accept)
        status, detail = classify_status(answer.status, host, answer.headers, answer.body, accept)
        if status == "ok" and fragment and answer.body and not has_anchor(answer.body, fragment):
            status, detail = "broken", f"the page has no anchor #{fragment}"
        if status == "ok" and chain:
            kind = "permanent" if all(c in PERMANENT_REDIRECTS for c in codes) else "temporary"
            status, detail = "redirected", f"{kind} redirect ({' -> '.join(str(c) for c in codes)})"
            if is_home_page(current) and not is_home_page(url):
                status, detail = "soft_404", "redirects to the site's home page (the page is gone)"
        return status, answer.status, current if chain else None, chain, codes, detail


async def _read_some(response: httpx.Response, limit: int) -> bytes:
    """At most `limit` bytes of the body: endless or huge bodies are cut, never held whole."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


def _transient(exc: BaseException) -> bool:
    """Retried: transient answers, timeouts, resets. Not retried: refused connections, DNS, TLS."""
    if isinstance(exc, _Retry):
        return True
    if isinstance(exc, httpx.ConnectError):
        return False
    return isinstance(exc, (TimeoutError, httpx.TimeoutException, httpx.ReadError, httpx.WriteError,
                            httpx.RemoteProtocolError))


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything behind it (causes, contexts, members of exception groups)."""
    found: list[BaseException] = []
    todo = [exc]
    while todo and len(found) < 50:
        current = todo.pop()
        if current is None or any(current is seen for seen in found):
            continue
        found.append(current)
        todo += [current.__cause__, current.__context__, *getattr(current, "exceptions", ())]
    return found


def _classify_exception(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, httpx.ConnectError):
        causes = _causes(exc)
        if any(isinstance(c, ForbiddenAddress) for c in causes):
            return "skipped", FORBIDDEN_DETAIL
        text = str(exc)
        lowered = " ".join(str(c) for c in causes).lower()
        if any(isinstance(c, ssl.SSLError) for c in causes) or "certificate" in lowered:
            return "broken", f"TLS error: {text}"
        if any(isinstance(c, socket.gaierror) for c in causes) or "dns" in lowered:
            return "broken", f"DNS failure: {text}"
        if any(isinstance(c, ConnectionRefusedError) for c in causes) or "refused" in lowered:
            return "broken", "connection refused"
        return "broken", f"cannot connect: {text}"
    if isinstance(exc, (TimeoutError, httpx.TimeoutException)):
        return "timeout", "no complete answer within the timeout"
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return "error", f"connection reset or closed by the server ({type(exc).__name__})"
    if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
        return "invalid", str(exc)
    return "error", f"{type(exc).__name__}: {exc}"


async def run_checks(places_by_url: Mapping[str, Sequence[Place]], settings: Settings, client: httpx.AsyncClient,
                     progress: Callable[[int, int], None] | None = None) -> tuple[list[LinkResult], dict[str, HostLane]]:
    """Check every URL (each host served by its own workers); results in the input's order."""
    checker = Checker(settings, client)
    by_host: dict[str, list[str]] = {}
    for url in places_by_url:
        by_host.setdefault(host_key(url), []).append(url)
    results: dict[str, LinkResult] = {}
    total = len(places_by_url)

    async def worker(queue: list[str]) -> None:
        while queue:
            url = queue.pop()
            results[url] = await checker.check(url, places_by_url[url])
            if progress:
                progress(len(results), total)

    workers = []
    for host, urls in by_host.items():
        urls.reverse()  # pop() from the end keeps the document order per host
        width = rule_for(host, settings.hosts).max_concurrency or settings.host_concurrency
        workers += [worker(urls) for _ in range(max(1, min(width, len(urls))))]
    await asyncio.gather(*workers)
    return [results[url] for url in places_by_url], checker.lanes
