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
