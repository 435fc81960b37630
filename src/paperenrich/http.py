"""The one HTTP layer: client construction, pacing and retry rules shared by `resolve` and `check`.

Politeness is enforced here once, not remembered at each call site:
- `Pacer` spaces request starts (a minimum interval) and caps how many run at once;
- `retry_after_seconds` reads a server's Retry-After (seconds or an HTTP date), capped;
- `is_transient` says which failures deserve a retry (timeouts, resets, 408, 429, 5xx).

And so is distrust: whatever a service sends is bounded before it is parsed:
- `read_capped` reads a body up to `max_response_bytes`, counting both the bytes on the wire and the
  decoded bytes (it inflates gzip/deflate itself, a bounded piece at a time), so neither a huge
  body nor a gzip bomb can fill the memory;
- `send_with_retries` gives one request, its retries and waits included, one total deadline
  (`request_deadline`): a server that trickles a byte a second, never answers, or asks for a
  Retry-After of days costs that much time at most;
- `may_send_secret` keeps keys and tokens off plain http (only https, or the loopback emulator).

The client honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY (`trust_env`) and verifies certificates with
the system's trust store (truststore), as a user behind a corporate proxy needs.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import ssl
import time
import zlib

import httpx
import truststore

from paperenrich.config import Settings

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


# The encodings `read_capped` can inflate under its cap: we ask for these only.
ACCEPT_ENCODING = "gzip, deflate"


def make_client(settings: Settings, *, follow_redirects: bool = False, timeout: float | None = None,
                max_connections: int = 100, http2: bool = True) -> httpx.AsyncClient:
    """The shared AsyncClient: connection reuse, HTTP/2 where the server offers it, our User-Agent,
    the environment's proxies and the system's certificates."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout or settings.http_timeout, connect=min(10.0, timeout or settings.http_timeout)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=follow_redirects,
        http2=http2,
        trust_env=True,  # HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY
        verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
    )


def may_send_secret(url: str | httpx.URL) -> bool:
    """A key or token may go to `url` only over https, or to a loopback address named as such (the
    local emulator): never in clear text across a network."""
    url = httpx.URL(str(url))
    if url.scheme == "https":
        return True
    host = url.host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_after_seconds(response: httpx.Response, cap: float) -> float | None:
    """Seconds the server asked us to wait (Retry-After as delta-seconds or HTTP-date), capped."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        delay = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        delay = when.timestamp() - time.time()
    return max(0.0, min(delay, cap))


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: timeouts, connection resets/refusals mid-run, and transient statuses."""
    if isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in TRANSIENT_STATUS
    return False


class Pacer:
    """At most `concurrency` requests at once, and request starts at least `interval` seconds apart.

    `slow_down(seconds)` pushes the next start back (used after a 429), and `waited`
    accumulates the time callers spent waiting on the pace (reported as rate-limit wait).
    """

    def __init__(self, interval: float = 0.0, concurrency: int = 1):
        self.interval = max(0.0, interval)
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self._lock = asyncio.Lock()
        self._next_start = 0.0
        self.waited = 0.0
        self.requests = 0

    async def __aenter__(self) -> "Pacer":
        await self._sem.acquire()
        try:
            async with self._lock:
                now = time.monotonic()
                delay = self._next_start - now
                if delay > 0:
                    self.waited += delay
                    await asyncio.sleep(delay)
                    now = time.monotonic()
                self._next_start = now + self.interval
                self.requests += 1
        except BaseException:
            self._sem.release()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._sem.release()

    def slow_down(self, seconds: float) -> None:
        """Make the next request start no sooner than `seconds` from now."""
        self._next_start = max(self._next_start, time.monotonic() + seconds)


# --- one request with the retry policy (shared by the arXiv and S2 clients) -----------------------


class MalformedResponse(Exception):
    """A response whose body could not be parsed (truncated, not XML/JSON): retried like a 5xx."""


class ResponseTooLarge(Exception):
    """A body over the size cap (on the wire or decoded): refused, not retried (it would be again)."""


class DeadlineExceeded(Exception):
    """No complete answer within the request deadline, retries and waits included."""


# --- reading a body under a cap -------------------------------------------------------------------


class _Inflater:
    """Decodes one Content-Encoding in bounded pieces: never more than `room + 1` bytes at a time."""

    def __init__(self, encoding: str):
        self.encoding = encoding
        self._zlib: zlib._Decompress | None = None  # type: ignore[name-defined]
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding not in ("", "identity", "deflate"):
            raise MalformedResponse(f"unsupported Content-Encoding {encoding!r}")

    def decode(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of `data`, stopping once more than `room` bytes came out."""
        if self.encoding in ("", "identity"):
            return data
        if self._zlib is None:  # deflate: zlib-wrapped as the RFC says, or raw as some servers send
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = bytearray()
        try:
            while data and len(out) <= room:
                out += self._zlib.decompress(data, room + 1 - len(out))
                data = self._zlib.unconsumed_tail
        except zlib.error as exc:
            raise MalformedResponse(f"undecodable {self.encoding} body ({exc})") from None
        return bytes(out)


async def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body of a streamed response; ResponseTooLarge as soon as the bytes on the wire
    or the decoded bytes pass `limit` (so at most about `limit` bytes are ever held)."""
    host = response.request.url.host
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(f"{host}: answer of {int(declared):,} bytes is over the {limit:,}-byte cap")
    if response.is_stream_consumed:  # read in full already (a test transport's prepared answer)
        if len(response.content) > limit:
            raise ResponseTooLarge(f"{host}: answer over the {limit:,}-byte cap")
        return response.content
    inflater = _Inflater(response.headers.get("content-encoding", "").strip().lower())
    body = bytearray()
    wire = 0
    async for chunk in response.aiter_raw():
        wire += len(chunk)
        body += inflater.decode(chunk, limit - len(body))
        if wire > limit or len(body) > limit:
            raise ResponseTooLarge(f"{host}: answer over the {limit:,}-byte cap "
                                   f"({'decoded' if len(body) > limit else 'on the wire'})")
    return bytes(body)


def _with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """The response as the parsers expect it: status, headers and the decoded body read in full."""
    headers = [(k, v) for k, v in response.headers.multi_items()
               if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)


class ServiceUnreachable(Exception):
    """A service could not be connected to at all (refused, no route, DNS failure)."""


def _should_retry(exc: BaseException) -> bool:
    return isinstance(exc, MalformedResponse) or (is_transient(exc) and not isinstance(exc, httpx.ConnectError))


async def send_with_retries(client: httpx.AsyncClient, pacer: Pacer, method: str, url: str, *, parse,
                            max_retries: int, base_delay: float, retry_after_cap: float,
                            connect_retries: int = 1, max_bytes: int = 16 * 1024 * 1024,
                            deadline: float = 300.0, **request_kwargs):
    """Send one request through `pacer` and return `parse(response)`.

    The body is read under `max_bytes` (ResponseTooLarge, not retried); the whole request, its
    retries and waits included, ends within `deadline` seconds (DeadlineExceeded), and a wait
    the server asks for that would pass the deadline ends it at once instead of sitting it out.

    Transient failures (429, 5xx, timeouts, resets, malformed bodies) are retried by tenacity with
    exponential backoff and jitter starting at `base_delay`; a Retry-After header wins (capped at
    `retry_after_cap`) and also pushes back the pacer, so the whole lane slows down, not only this
    request. A refused connection is retried `connect_retries` times only, then ServiceUnreachable:
    with no network the run must say so at once instead of backing off for minutes.
    `parse` raises MalformedResponse for a body it cannot read; other non-2xx statuses raise
    httpx.HTTPStatusError unless `parse` handles them (it sees every response).
    """
    import tenacity

    backoff = tenacity.wait_exponential_jitter(multiplier=base_delay, max=retry_after_cap, jitter=base_delay)
    connect_failures = 0
    host = httpx.URL(url).host
    ends_at = time.monotonic() + deadline

    def too_late(why: str) -> DeadlineExceeded:
        return DeadlineExceeded(f"{host}: no complete answer within the {deadline:g} s request deadline ({why})")

    def wait(state: tenacity.RetryCallState) -> float:
        seconds = _wait(state)
        if time.monotonic() + seconds >= ends_at:
            raise too_late("the next retry would start after it")
        return seconds

    def _wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, httpx.ConnectError):
            return min(backoff(state), 1.0)  # a refused connection: retry soon, or give up soon
        if isinstance(exc, httpx.HTTPStatusError):
            asked = retry_after_seconds(exc.response, retry_after_cap)
            if asked is None and exc.response.status_code == 429:
                asked = backoff(state)
            if asked is not None:
                # The service asked the whole lane to slow down: the wait happens in the pacer,
                # so every request of this lane honours it (and it counts as rate-limit wait).
                if time.monotonic() + asked >= ends_at:
                    raise too_late(f"the service asked to wait {asked:g} s")
                pacer.slow_down(asked)
                return 0.0
        return backoff(state)

    def retry_predicate(exc: BaseException) -> bool:
        nonlocal connect_failures
        if isinstance(exc, httpx.ConnectError):
            connect_failures += 1
            return connect_failures <= connect_retries
        return _should_retry(exc)

    async def attempt():
        async with pacer:
            async with client.stream(method, url, **request_kwargs) as response:
                body = await read_capped(response, max_bytes)
        return parse(_with_body(response, body))

    async def attempts():
        async for try_state in tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(retry_predicate),
            wait=wait,
            stop=tenacity.stop_after_attempt(max_retries + 1),
            reraise=True,
        ):
            with try_state:
                return await attempt()

    try:
        async with asyncio.timeout(deadline):
            return await attempts()
    except TimeoutError:
        raise too_late("still waiting") from None
    except httpx.ConnectError as exc:
        raise ServiceUnreachable(f"cannot connect to {host}: {exc}") from None
