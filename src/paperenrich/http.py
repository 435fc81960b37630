"""The one HTTP layer: client construction, pacing and retry rules shared by `resolve` and `check`.

Politeness is enforced here once, not remembered at each call site:
- `Pacer` spaces request starts (a minimum interval) and caps how many run at once;
- `retry_after_seconds` reads a server's Retry-After (seconds or an HTTP date), capped;
- `is_transient` says which failures deserve a retry (timeouts, resets, 408, 429, 5xx).
"""

from __future__ import annotations

import asyncio
import email.utils
import time

import httpx

from paperenrich.config import Settings

TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


def make_client(settings: Settings, *, follow_redirects: bool = False, timeout: float | None = None,
                max_connections: int = 100, http2: bool = True) -> httpx.AsyncClient:
    """The shared AsyncClient: connection reuse, HTTP/2 where the server offers it, our User-Agent."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        timeout=httpx.Timeout(timeout or settings.http_timeout, connect=min(10.0, timeout or settings.http_timeout)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=follow_redirects,
        http2=http2,
        trust_env=False,
    )


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


class ServiceUnreachable(Exception):
    """A service could not be connected to at all (refused, no route, DNS failure)."""


def _should_retry(exc: BaseException) -> bool:
    return isinstance(exc, MalformedResponse) or (is_transient(exc) and not isinstance(exc, httpx.ConnectError))


async def send_with_retries(client: httpx.AsyncClient, pacer: Pacer, method: str, url: str, *, parse,
                            max_retries: int, base_delay: float, retry_after_cap: float,
                            connect_retries: int = 1, **request_kwargs):
    """Send one request through `pacer` and return `parse(response)`.

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

    def wait(state: tenacity.RetryCallState) -> float:
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
            response = await client.request(method, url, **request_kwargs)
        return parse(response)

    try:
        async for try_state in tenacity.AsyncRetrying(
            retry=tenacity.retry_if_exception(retry_predicate),
            wait=wait,
            stop=tenacity.stop_after_attempt(max_retries + 1),
            reraise=True,
        ):
            with try_state:
                return await attempt()
    except httpx.ConnectError as exc:
        raise ServiceUnreachable(f"cannot connect to {httpx.URL(url).host}: {exc}") from None
