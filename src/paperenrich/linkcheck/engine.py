"""The checking engine: one client (requests through wire.py), a global limit, per-host lanes, retries.

Per host (the URL's host name): at most `host_concurrency` requests at once and request starts
at least `host_interval` apart (`http.Pacer`), both overridable per host in the config file;
known hosts have conservative defaults (`KNOWN_HOST_RULES`). Every host is served by its own
small set of workers, so a slow host never holds up the others.

Politeness that recovers: a 429 pauses the host for its Retry-After (capped) and widens its
spacing while it keeps refusing; each success narrows it again, back to the configured pace.
A host that answers 403 to `forbidden_stop` GETs in a row is not asked again in this run: its
remaining links are `blocked` with that reason.

Method: `auto` sends HEAD to file-like URLs (PDFs, archives: a body would be big) and GET to
pages, reading only the first bytes (enough to see a soft 404 or a bot challenge), so each
URL costs one request. HEAD that is refused or looks wrong is repeated as GET, and a host that
refuses HEAD is asked with GET for the rest of the run. Redirects are followed by hand so that
every hop is paced by its own host, loops are caught and the chain is reported.

Retries: transient answers (408, 429, 5xx) up to `link_retries` times, with exponential backoff
and jitter (a Retry-After wins, capped at `retry_after_cap`); a reset or a timeout only once (a
second reset is not news, and each timeout costs a whole `link_timeout`); aiohttp's own silent
re-send is off, so every request sent is one we counted. Everything for one URL (hops, retries,
pauses) ends within `link_deadline`. Bodies are capped twice: `max_body_bytes` as sent on the
wire and as decoded (a gzip bomb inflates at most to the cap; see `read_capped`).
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import random
import re
import socket
import ssl
import time
import zlib
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable, Mapping, Sequence
from urllib.parse import urljoin, urlsplit

import httpx
import yarl

from paperenrich.collector import paused_collector
from paperenrich.config import HostRule, Settings
from paperenrich.errors import ConfigError
from paperenrich.http import TRANSIENT_STATUS, Pacer, may_send_secret, retry_after_seconds
from paperenrich.linkcheck.classify import classify_status, has_anchor
from paperenrich.linkcheck.safety import UNSAFE_SCHEMES, ForbiddenAddress, is_forbidden_ip, literal_ip
from paperenrich.linkcheck.suggest import PERMANENT_REDIRECTS, is_home_page, suggest
from paperenrich.linkcheck.transport import AiohttpTransport
from paperenrich.linkcheck.watchdog import Watchdog
from paperenrich.linkcheck.wire import ChainCookies, Proxies, ProxyError, ProxyUnreachable, WireClient
from paperenrich.model import LinkResult, LinkStatus, Place
from paperenrich.urls import is_double_encoded, without_userinfo

_log = logging.getLogger(__name__)  # -vv shows its INFO lines: one per request, as httpx logs its own
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
GITHUB_HOSTS = frozenset({"github.com", "api.github.com", "raw.githubusercontent.com", "gist.github.com"})
_FILE_LIKE = re.compile(r"\.(pdf|ps|zip|gz|tgz|bz2|xz|tar|7z|rar|mp4|mov|avi|mkv|mp3|pptx?|docx?|xlsx?|bin|pt|ckpt|safetensors)$",
                        re.IGNORECASE)
_NOT_A_HEAD_FAILURE = REDIRECT_STATUS | TRANSIENT_STATUS
_MUST_BE_ENCODED = re.compile(r"[\s<>\"\\^`{|}\x00-\x1f]")  # characters a URL may not hold raw
_TEXTUAL = ("text/", "application/xhtml", "application/xml")
_PEEK_BYTES = 64 * 1024  # enough for <title>, <h1> and challenge markers
FORBIDDEN_DETAIL = "non-public address (private, loopback, link-local or metadata) refused; --allow-private checks it"
_THROTTLE_FLOOR = 0.25  # s: the spacing a 429 widens from when the configured spacing is (near) zero
_THROTTLE_MAX = 10.0  # s: the widest spacing a host that keeps refusing gets

# Conservative defaults for hosts whose rules are known; a config file's [hosts."..."] table wins.
# arxiv.org pages (when fetched at all, i.e. with --verify-by http): one connection and the
# `Crawl-delay: 15` of its robots.txt.
KNOWN_HOST_RULES: Mapping[str, HostRule] = {
    "arxiv.org": HostRule(max_concurrency=1, interval=15.0),
}


@dataclass
class Answer:
    status: int
    headers: Mapping[str, str]  # case-insensitive (httpx's or aiohttp's headers)
    body: bytes


@dataclass(frozen=True)
class Verdict:
    """What checking one URL concluded, before it becomes a LinkResult."""

    status: LinkStatus
    detail: str | None = None
    http_status: int | None = None
    final_url: str | None = None  # set only when the URL redirected
    chain: tuple[str, ...] = ()  # Location targets in order
    codes: tuple[int, ...] = ()  # the redirect status codes in order


class Deadline:
    """The time one URL may take: `link_deadline` from its first request's start (waiting for the
    host's turn before that is politeness, not the URL's cost), hops, retries and pauses included."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends: float | None = None

    def start(self) -> None:
        if self.ends is None:
            self.ends = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.seconds if self.ends is None else self.ends - time.monotonic()


class HostStopped(Exception):
    """The host refused the checker too often in a row: it is not asked again in this run."""


@dataclass
class HostLane:
    """Pacing and statistics of one host."""

    pacer: Pacer  # requests at once to this host, and the spacing between their starts
    rule: HostRule
    base_interval: float  # the configured spacing, which the lane returns to after a 429 spell
    head_refused: bool = False
    requests: int = 0
    rate_limited: int = 0
    throttle: int = 0  # 429s not yet made up for by successes: the spacing is widened this many times
    forbidden_run: int = 0  # 403s to GETs in a row
    stopped: str | None = None  # why this host is not asked again
    in_flight: int = 0
    max_in_flight: int = 0
    statuses: Counter = field(default_factory=Counter)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # per scheme: the request headers, built once

    def stats(self) -> dict:
        return {"requests": self.requests, "max_in_flight": self.max_in_flight, "rate_limited": self.rate_limited,
                "interval": round(self.pacer.interval, 4), "waited_s": round(self.pacer.waited, 3),
                "head_refused": self.head_refused, "stopped": self.stopped, "statuses": dict(self.statuses)}


@functools.lru_cache(maxsize=16384)  # asked several times per URL and per redirect hop
def host_key(url: str) -> str:
    plain = plain_url(url)
    if plain is not None:
        return plain[0]  # (lower case already, as urlsplit's hostname would give it)
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@functools.lru_cache(maxsize=4096)  # parsed in precheck, used again for the request right after
def parse_url(url: str) -> httpx.URL:
    return httpx.URL(url)


# A URL in this plain form is one httpx accepts and sends exactly as written (lower-case host,
# only characters httpx leaves unquoted, valid escapes, no dot segment, a port in range without
# a leading zero; a property test holds it to httpx): most links are, and they skip httpx's parser (~40 us each).
_IPV4_STYLE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")  # httpx's own test for an IPv4 host
# (Characters as one class, '%' among them, and the escapes checked apart: an alternation per
# character took ~1.5 us on a long URL, this ~0.3 us.)
_PLAIN_CHARS = r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]"
_PLAIN_URL = re.compile(rf"https?://(?P<host>[a-z0-9.-]+)(?::(?P<port>[1-9][0-9]{{0,4}}))?"
                        rf"(?P<path>/{_PLAIN_CHARS}*)?(?:\?[{_PLAIN_CHARS[1:-1]}?]*)?(?:#[{_PLAIN_CHARS[1:-1]}?]*)?")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@functools.lru_cache(maxsize=16384)  # asked for the host, in precheck, for the method and the request
def plain_url(url: str) -> tuple[str, str] | None:
    """(host, raw path) of a URL in the plain form above, None for any other URL (httpx parses those)."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None or "/." in url or (match["port"] and int(match["port"]) > 65535):
        return None
    if "%" in url and _BAD_ESCAPE.search(url):
        return None
    if _IPV4_STYLE.match(match["host"]) and literal_ip(match["host"]) is None:
        return None  # httpx refuses what looks like an IPv4 address and is not one
    return match["host"], match["path"] or ""


def plain_host(url: str) -> str | None:
    plain = plain_url(url)
    return plain[0] if plain else None


@functools.lru_cache(maxsize=16384)  # a URL is asked again on a retry or a HEAD repeated as GET
def request_target(url: str) -> yarl.URL:
    """The URL as sent: without credentials (never sent; aiohttp refuses them), encoded as httpx
    encodes it (the form precheck validated), and not re-quoted by yarl."""
    if plain_host(url) is not None:
        return yarl.URL(url, encoded=True)
    return yarl.URL(str(parse_url(without_userinfo(url)[0] if "@" in url else url)), encoded=True)


def rule_for(host: str, hosts: Mapping[str, HostRule]) -> HostRule:
    """The rule of the host itself, else of its nearest parent domain (configured rules first,
    then the known hosts' defaults), else the empty rule."""
    parts = host.split(".")
    for table in (hosts, KNOWN_HOST_RULES):
        for i in range(len(parts) - 1):
            rule = table.get(".".join(parts[i:]))
            if rule is not None:
                return rule
        if host in table:
            return table[host]
    return HostRule()


def base_headers(settings: Settings) -> dict[str, str]:
    # Only the encodings read_capped can inflate within the cap.
    return {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate"}


def connect_timeout(settings: Settings) -> float:
    # Ends before the request's own limit, so a connection (or a proxy's tunnel) that never comes
    # is reported as such, not as an answer that never came.
    return min(10.0, settings.link_timeout * 0.9)


class LinkClient(httpx.AsyncClient):
    """The checker's client: httpx's API on aiohttp's pool (remote lists, any caller), and
    `wire`, the lean HTTP/1.1 client the checker sends its GETs and HEADs through (wire.py)."""

    def __init__(self, transport: AiohttpTransport, settings: Settings):
        super().__init__(transport=transport, headers=base_headers(settings), follow_redirects=False, trust_env=False,
                         timeout=httpx.Timeout(settings.link_timeout, connect=connect_timeout(settings)))
        try:  # HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY, as for the services (http.make_client)
            proxies = Proxies.from_environment()
        except ProxyError as exc:
            raise ConfigError(str(exc)) from None
        self.wire = WireClient(guard=not settings.allow_private, tls_context=lambda: transport.ssl_context,
                               connect_timeout=connect_timeout(settings), proxies=proxies)

    async def aclose(self) -> None:
        await self.wire.aclose()
        await super().aclose()


def build_client(settings: Settings) -> LinkClient:
    """The checker's client: httpx's API on aiohttp's pool (transport.py), the address guard in
    its connector unless private addresses are allowed."""
    per_host = max([settings.host_concurrency] + [r.max_concurrency or 0 for r in settings.hosts.values()])
    transport = AiohttpTransport(per_host=per_host, total=settings.max_concurrency, guard=not settings.allow_private)
    return LinkClient(transport, settings)


def url_filter(url: str, include: Sequence[re.Pattern], exclude: Sequence[re.Pattern]) -> str | None:
    """The reason an --exclude/ignore-file pattern skips `url` (unless an --include keeps it); None to keep it."""
    if any(p.search(url) for p in include):
        return None
    for pattern in exclude:
        if pattern.search(url):
            return f"excluded by pattern {pattern.pattern!r}"
    return None


def precheck(url: str, settings: Settings, include: Sequence[re.Pattern], exclude: Sequence[re.Pattern]) -> tuple[str, str] | None:
    """(status, detail) for a URL that must not or cannot be requested; None to go ahead."""
    excluded = url_filter(url, include, exclude)
    if excluded:
        return "skipped", excluded
    if url.startswith("#"):
        return "skipped", "in-page anchor"
    plain = plain_url(url)
    if plain is not None:  # http(s), nothing to encode, a host: only the last two rules can apply
        return _address_rules(url, plain[0], settings)
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
    if _MUST_BE_ENCODED.search(url):
        return "invalid", "malformed URL (spaces or characters that must be encoded)"
    try:
        host = parse_url(url).host
    except (httpx.InvalidURL, ValueError) as exc:
        return "invalid", f"malformed URL ({exc})"
    if not host:
        return "invalid", "malformed URL (no host)"
    return _address_rules(url, host, settings)


def _address_rules(url: str, host: str, settings: Settings) -> tuple[str, str] | None:
    if is_double_encoded(url):
        return "invalid", "double-encoded URL (%25XX): the server sees a literal '%'"
    if not settings.allow_private and (ip := literal_ip(host)) and is_forbidden_ip(ip):
        return "skipped", FORBIDDEN_DETAIL
    return None


class Checker:
    """Checks distinct URLs; one instance per run (its host lanes hold the run's pacing state)."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient):
        self.settings = settings
        self.client = client
        # build_client's client is asked straight through aiohttp; any other httpx client (a
        # test's transport, say) through httpx's own API.
        self._send = self._send_direct if isinstance(client, LinkClient) else self._send_httpx
        self._base_headers = base_headers(settings)
        self.lanes: dict[str, HostLane] = {}
        self._include = [re.compile(p) for p in settings.include]
        self._exclude = [re.compile(p) for p in settings.exclude]
        self._accept = frozenset(settings.accept)
        self._watchdog = Watchdog()  # every request's time limit (see watchdog.py)

    # --- per-host lanes -------------------------------------------------------------------------
    def host_done(self, host: str) -> None:
        """The run has no more links on `host`: its kept-alive connections can go."""
        if isinstance(self.client, LinkClient):
            self.client.wire.close_idle(host)

    def lane(self, host: str) -> HostLane:
        lane = self.lanes.get(host)
        if lane is None:
            rule = rule_for(host, self.settings.hosts)
            interval = rule.interval if rule.interval is not None else self.settings.host_interval
            concurrency = rule.max_concurrency or self.settings.host_concurrency
            lane = self.lanes[host] = HostLane(Pacer(interval, concurrency), rule, interval)
        return lane

    def _headers(self, url: str, host: str, lane: HostLane) -> dict[str, str]:
        """The host's own headers (its rule's, a GitHub token over https) on top of the client's."""
        headers = dict(lane.rule.headers)
        if host in GITHUB_HOSTS and self.settings.github_token and may_send_secret(url):  # never over http://
            headers["Authorization"] = f"Bearer {self.settings.github_token}"
        return headers

    def _request_headers(self, url: str, host: str, lane: HostLane) -> dict[str, str]:
        """Every header of a request to this host, built once per host and scheme."""
        scheme = url[:url.index(":")].lower()
        headers = lane.headers.get(scheme)
        if headers is None:
            headers = lane.headers[scheme] = {**self._base_headers, **self._headers(url, host, lane)}
        return headers

    def _first_method(self, url: str, lane: HostLane, wants_fragment: bool) -> str:
        if wants_fragment or lane.head_refused:
            return "GET"
        choice = (lane.rule.method or self.settings.link_method).lower()
        if choice in ("head", "get"):
            return choice.upper()
        plain = plain_url(url)
        return "HEAD" if _FILE_LIKE.search(plain[1] if plain else urlsplit(url).path) else "GET"

    # --- one request ----------------------------------------------------------------------------
    async def _send_direct(self, url: str, method: str, host: str, lane: HostLane, body_limit: int,
                           cookies: ChainCookies) -> Answer:
        target = request_target(url)
        headers = self._request_headers(url, host, lane)
        cookie = cookies.header(target)
        if cookie:
            headers = {**headers, "Cookie": cookie}
        response = await self.client.wire.open(method, target, headers)
        if _log.isEnabledFor(logging.INFO):  # (formatted only when shown)
            _log.info('HTTP Request: %s %s "HTTP/1.1 %d %s"', method, target, response.status, response.reason)
        try:
            cookies.take(response)
            body = b""
            if method == "GET" and response.status not in REDIRECT_STATUS and _is_textual(response.headers):
                body = await read_capped(response.headers.get("content-encoding"), response.raw_chunks(), body_limit)
        finally:
            response.release()  # a body read to its end gives the connection back; a cut one closes it
        return Answer(response.status, response.headers, body)

    async def _send_httpx(self, url: str, method: str, host: str, lane: HostLane, body_limit: int,
                          cookies: ChainCookies) -> Answer:
        # Credentials written into a link are never sent; cookies are the client's own jar.
        url, _ = without_userinfo(url)
        request = self.client.build_request(method, parse_url(url), headers=self._headers(url, host, lane) or None)
        response = await self.client.send(request, stream=True)
        try:
            body = b""
            if method == "GET" and response.status_code not in REDIRECT_STATUS and _is_textual(response.headers):
                body = await read_capped(response.headers.get("content-encoding"), response.aiter_raw(), body_limit)
        finally:
            await response.aclose()
        return Answer(response.status_code, response.headers, body)

    async def _attempt(self, url: str, method: str, host: str, lane: HostLane, body_limit: int, deadline: Deadline,
                       cookies: ChainCookies) -> Answer:
        # The host's slot, then its spacing (kept between the moments requests really start, not
        # the moments they began to wait). The global limit needs no lock of its own: it is the
        # number of workers (run_checks), and each worker's requests are one after the other.
        if lane.stopped:  # (not made to wait for a turn first)
            raise HostStopped(lane.stopped)
        async with lane.pacer:
            if lane.stopped:  # decided while this request waited for its turn
                raise HostStopped(lane.stopped)
            lane.requests += 1
            lane.in_flight += 1
            lane.max_in_flight = max(lane.max_in_flight, lane.in_flight)
            try:
                # A whole-answer deadline (tarpits and trickles end here), never past the URL's own.
                deadline.start()
                with self._watchdog.limit(max(0.001, min(self.settings.link_timeout, deadline.left()))):
                    answer = await self._send(url, method, host, lane, body_limit, cookies)
            finally:
                lane.in_flight -= 1
        self._after_answer(lane, method, answer.status)
        return answer

    def _after_answer(self, lane: HostLane, method: str, status: int) -> None:
        """The host's politeness state after one answer: 429s widen its spacing, successes narrow
        it back; 403s to GETs in a row stop the host."""
        if status == 429:
            return  # handled with its Retry-After in _slow_down
        if lane.throttle:
            lane.throttle -= 1
            lane.pacer.interval = self._throttled_interval(lane)
        if method == "GET":
            lane.forbidden_run = lane.forbidden_run + 1 if status == 403 else 0
            limit = self.settings.forbidden_stop
            if limit and lane.forbidden_run >= limit and not lane.stopped:
                lane.stopped = f"the host answered 403 to {lane.forbidden_run} requests in a row; not asked again in this run"

    def _throttled_interval(self, lane: HostLane) -> float:
        if not lane.throttle:
            return lane.base_interval
        return min(max(lane.base_interval, _THROTTLE_FLOOR) * 2 ** (lane.throttle - 1), _THROTTLE_MAX)

    def _slow_down(self, lane: HostLane, retry_after: float | None) -> float:
        """After a 429: the host's Retry-After (or a backoff) before its next request, and wider
        spacing while it keeps refusing. Returns the pause."""
        lane.rate_limited += 1
        lane.throttle = min(lane.throttle + 1, 8)
        lane.pacer.interval = self._throttled_interval(lane)
        pause = retry_after if retry_after is not None else self._backoff(lane.throttle)
        lane.pacer.slow_down(pause)
        return pause

    def _backoff(self, failures: int) -> float:
        base = self.settings.link_backoff * 2 ** (failures - 1)
        return min(base * random.uniform(0.5, 1.5), self.settings.retry_after_cap)

    async def fetch(self, url: str, method: str, body_limit: int, deadline: Deadline,
                    cookies: ChainCookies | None = None) -> Answer:
        """One request with the retry policy (see the module doc); a transient answer is returned
        as it is when the retries or the deadline run out, a failure is raised."""
        host = host_key(url)
        lane = self.lane(host)
        cookies = cookies if cookies is not None else ChainCookies()
        answers = failures = 0
        while True:
            try:
                answer = await self._attempt(url, method, host, lane, body_limit, deadline, cookies)
            except Exception as exc:
                if not _transient(exc) or failures >= min(1, self.settings.link_retries):
                    raise
                failures += 1
                delay = self._backoff(failures)
                if delay >= deadline.left():
                    raise
                await asyncio.sleep(delay)
                continue
            if answer.status not in TRANSIENT_STATUS:
                return answer
            retry_after = retry_after_seconds(httpx.Response(answer.status, headers=answer.headers), self.settings.retry_after_cap)
            if answer.status == 429:
                pause = self._slow_down(lane, retry_after)  # the lane's pause: every request to the host waits
                delay = 0.0
            else:
                pause = delay = retry_after if retry_after is not None else self._backoff(answers + 1)
            answers += 1
            if answers > self.settings.link_retries or pause >= deadline.left():
                return answer  # a Retry-After past the deadline: rate limited now, not in an hour
            if delay:
                await asyncio.sleep(delay)

    # --- one URL --------------------------------------------------------------------------------
    async def check(self, url: str, places: Sequence[Place] = ()) -> LinkResult:
        try:
            verdict = await self._check(url)
        except Exception as exc:  # one odd URL must never end the run
            verdict = Verdict(LinkStatus.ERROR, f"unexpected {type(exc).__name__}: {exc}")
        self.lane(host_key(url)).statuses[verdict.status.value] += 1
        detail = verdict.detail
        if "@" in url and without_userinfo(url)[1]:
            detail = "; ".join(d for d in (detail, "the link holds credentials (user@): checked without them") if d)
        return LinkResult(
            url=url, status=verdict.status, http_status=verdict.http_status, final_url=verdict.final_url,
            redirects=verdict.chain, places=tuple(places), detail=detail,
            suggestion=suggest(url, verdict.status, verdict.final_url, verdict.codes),
        )

    async def _check(self, url: str) -> Verdict:
        pre = precheck(url, self.settings, self._include, self._exclude)
        if pre:
            return Verdict(LinkStatus(pre[0]), pre[1])
        deadline = Deadline(self.settings.link_deadline)
        fragment = url.partition("#")[2] if self.settings.check_fragments else ""  # as urlsplit splits it
        body_limit = self.settings.max_body_bytes if fragment else min(_PEEK_BYTES, self.settings.max_body_bytes)
        chain: list[str] = []
        codes: list[int] = []
        seen = {url.split("#", 1)[0]}
        cookies = ChainCookies()  # set by one hop, sent on the chain's later hops only
        current = url
        method = self._first_method(url, self.lane(host_key(url)), bool(fragment))

        def verdict(status: LinkStatus, detail: str | None, http_status: int | None = None, final: str | None = None) -> Verdict:
            return Verdict(status, detail, http_status, final, tuple(chain), tuple(codes))

        for _hop in range(self.settings.max_redirects + 1):
            lane = self.lane(host_key(current))
            try:
                try:
                    answer = await self.fetch(current, method, body_limit, deadline, cookies)
                    head_failed = method == "HEAD" and answer.status not in _NOT_A_HEAD_FAILURE and not 200 <= answer.status < 300
                except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
                    if method != "HEAD":
                        raise
                    head_failed = True  # some servers drop HEAD on the floor: ask the way a browser does
                    answer = None
                if head_failed:
                    if answer is not None and answer.status in (405, 501):
                        lane.head_refused = True
                    method = "GET"  # HEAD refused or looks wrong: ask the way a browser does
                    answer = await self.fetch(current, method, body_limit, deadline, cookies)
            except HostStopped as exc:
                return verdict(LinkStatus.BLOCKED, str(exc), None, current if chain else None)
            except Exception as exc:
                status, detail = _classify_exception(exc)
                return verdict(LinkStatus(status), detail, None, current if chain else None)
            location = answer.headers.get("location")
            if answer.status in REDIRECT_STATUS and location:
                target = urljoin(current, location.strip())
                codes.append(answer.status)
                chain.append(target)
                if target.split("#", 1)[0] in seen:
                    return verdict(LinkStatus.BROKEN, "redirect loop", answer.status, target)
                seen.add(target.split("#", 1)[0])
                pre = precheck(target, self.settings, (), ())
                if pre:
                    status = LinkStatus.BROKEN if pre[0] == "invalid" else LinkStatus(pre[0])
                    return verdict(status, f"redirects to a URL that is not checked: {pre[1]}", answer.status, target)
                if answer.status == 303:
                    method = "GET"
                current = target
                continue
            break
        else:
            return verdict(LinkStatus.BROKEN, f"more than {self.settings.max_redirects} redirects", answer.status, current)

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
        return verdict(LinkStatus(status), detail, answer.status, current if chain else None)


def _is_textual(headers: Mapping[str, str]) -> bool:
    return headers.get("content-type", "").lower().startswith(_TEXTUAL)


async def read_capped(content_encoding: str | None, raw_chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """At most `limit` bytes of a body given as sent (`raw_chunks`), counted twice: as sent
    (compressed) and as decoded.

    The raw bytes are inflated here with a bounded zlib output instead of by httpx, whose decoder
    inflates each chunk whole: one 64 KB chunk of a gzip bomb is 64 MB. An encoding we did not
    ask for (not gzip or deflate) is not read at all: the page is judged by its status alone.
    """
    encoding = (content_encoding or "identity").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)  # gzip or zlib header, told apart by zlib
    elif encoding in ("", "identity"):
        inflater = None
    else:
        return b""
    chunks: list[bytes] = []
    size = wire = 0
    try:
        async for raw in raw_chunks:
            wire += len(raw)
            chunk = inflater.decompress(raw, limit - size) if inflater else raw
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit or wire >= limit or (inflater and inflater.eof):
                break
    except zlib.error:
        pass  # a damaged body: judge what inflated cleanly
    return b"".join(chunks)[:limit]


def _transient(exc: BaseException) -> bool:
    """Retried (once): timeouts and resets. Not retried: refused connections, DNS, TLS."""
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
    if isinstance(exc, ProxyUnreachable):
        return "broken", str(exc)
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


NOT_CHECKED_OFFLINE = "not checked: no linked host could be reached (is this machine offline? --offline answers from the cache)"
OFFLINE_HOSTS = 3  # hosts that failed without any HTTP answer anywhere before the run calls itself offline
# The cyclic collector is paused while links are checked and run by hand every GC_EVERY results:
# left alone it ran ~120 times in a 5,000-link run (each request allocates futures, tasks and
# buffers) for ~20% of the run's CPU; by hand, young generations only, it still frees the cycles
# failed requests leave (exception -> traceback -> frame), so memory stays bounded on any list.
GC_EVERY = 1000


async def run_checks(places_by_url: Mapping[str, Sequence[Place]], settings: Settings, client: httpx.AsyncClient,
                     on_result: Callable[[LinkResult], None]) -> dict[str, HostLane]:
    """Check every URL (each host served by its own workers), giving each result to `on_result`
    as it arrives; returns the host lanes (their statistics).

    Offline in a few seconds: once OFFLINE_HOSTS hosts have failed at the connection (or timed
    out) and no host at all has answered, the run stops and the links not yet checked are
    `skipped` as not checked (the caller then says the machine looks offline)."""
    checker = Checker(settings, client)
    by_host: dict[str, list[str]] = {}
    for url in places_by_url:
        by_host.setdefault(host_key(url), []).append(url)
    finished: set[str] = set()
    failed_hosts: set[str] = set()
    answered = False
    offline = asyncio.Event()

    widths = {}
    for host, urls in by_host.items():
        urls.reverse()  # pop() from the end keeps the document order per host
        widths[host] = max(1, min(rule_for(host, settings.hosts).max_concurrency or settings.host_concurrency, len(urls)))
    # The hosts with links left, taken in turn (one link of each host, then a second...): the
    # global slots go round the hosts, so each host is asked by as few connections at once as
    # the global limit allows (at 50 hosts, ~3 each, not the first 16 hosts 8 each).
    turns = deque(by_host)
    busy: Counter = Counter()  # links being checked per host, at most its width

    never_asked = set(by_host)  # hosts no worker has taken a link of yet

    def next_link(last: str | None = None) -> tuple[str, str] | None:
        # Once every host has been asked, the host the worker just asked, while it has links:
        # the connection that request used is free again (taking the next host in turn, whose
        # connections were all still busy with answers not yet handled, opened ~65 new
        # connections at 5,000 links, each a few loop turns late). Before that, hosts in turn,
        # so that a list with more hosts than workers has each host asked early.
        if last is not None and not never_asked and by_host[last] and busy[last] < widths[last]:
            return last, by_host[last].pop()
        for _ in range(len(turns)):  # bounded: a host is skipped only while all its slots are busy
            host = turns[0]
            if not by_host[host]:
                turns.popleft()
                continue
            turns.rotate(-1)
            if busy[host] < widths[host]:
                never_asked.discard(host)
                return host, by_host[host].pop()
        return None

    async def worker() -> None:
        # A worker takes whichever host's link is next, so a finished check starts the next
        # request at once; with a worker per host slot (400 at 50 hosts) waiting on 128 global
        # slots, each freed slot went to another task woken a loop turn later, after the whole
        # wave of answers had been handled: the slots idled ~7% of the run.
        nonlocal answered
        host = None
        while not offline.is_set() and (picked := next_link(host)) is not None:
            host, url = picked
            busy[host] += 1
            try:
                result = await checker.check(url, places_by_url[url])
            finally:
                busy[host] -= 1
            if not by_host[host] and not busy[host]:
                checker.host_done(host)
            finished.add(url)
            on_result(result)
            if len(finished) % GC_EVERY == 0:
                gc.collect(1)  # the young generations only: what the paused collector would have found
            if result.http_status is not None:
                answered = True
            elif result.status in (LinkStatus.BROKEN, LinkStatus.TIMEOUT, LinkStatus.ERROR):
                failed_hosts.add(host)
                if not answered and len(failed_hosts) >= OFFLINE_HOSTS:
                    offline.set()

    # As many workers as requests may run at once: more would only queue for the global slots.
    # A worker exits when every host with links left is at its width; those hosts' own workers finish them.
    with paused_collector():  # see GC_EVERY
        workers = [worker() for _ in range(min(sum(widths.values()), max(1, settings.max_concurrency)))]
        everything = asyncio.ensure_future(asyncio.gather(*workers))
        stop = asyncio.ensure_future(offline.wait())
        try:
            await asyncio.wait({everything, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # offline, or the run itself was cancelled (Ctrl-C): end whatever still runs
            for task in (everything, stop):
                if not task.done():
                    task.cancel()
            await asyncio.gather(everything, stop, return_exceptions=True)
    if not offline.is_set():
        everything.result()  # a bug in a worker must show, not pass as "offline"
    for url, places in places_by_url.items():
        if url not in finished:
            on_result(LinkResult(url, LinkStatus.SKIPPED, places=tuple(places), detail=NOT_CHECKED_OFFLINE))
    return checker.lanes
