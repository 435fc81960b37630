"""Deadlines for many concurrent requests, kept by one periodic check instead of a timer each.

`asyncio.timeout` puts a timer handle on the loop's heap for every request; nearly all are
cancelled long before they fire, and the heap of cancelled handles (ordered by Python-level
comparisons) cost ~12% of a 5,000-link check's CPU. Here each request notes its deadline in a
dict, and one callback, due every TICK seconds while any request is registered, cancels those
past it: the request then raises TimeoutError, as under `asyncio.timeout`. A deadline is kept to
within TICK (a link's timeout is seconds).
"""

from __future__ import annotations

import asyncio

TICK = 0.05  # s


class Watchdog:
    """One per run (per event loop): `with watchdog.limit(seconds):` bounds the block's time."""

    def __init__(self) -> None:
        self._due: dict[_Limit, float] = {}  # the blocks running under a limit not yet passed
        self._timer: asyncio.TimerHandle | None = None

    def limit(self, seconds: float) -> "_Limit":
        return _Limit(self, seconds)

    def _register(self, limit: "_Limit", seconds: float) -> None:
        loop = limit.task.get_loop()
        self._due[limit] = loop.time() + seconds
        if self._timer is None:
            self._timer = loop.call_later(min(TICK, seconds), self._check, loop)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        for limit, due in list(self._due.items()):
            if due <= now:  # cancelled once, and no longer watched: its block is unwinding
                del self._due[limit]
                limit.expired = True
                limit.task.cancel()
        if self._due:
            soonest = min(self._due.values())
            self._timer = loop.call_later(min(TICK, soonest - now), self._check, loop)

    def _unregister(self, limit: "_Limit") -> None:
        self._due.pop(limit, None)
        if not self._due and self._timer is not None:
            self._timer.cancel()
            self._timer = None


class _Limit:
    """One block's limit (blocks may nest, in one task or many: each has its own)."""

    __slots__ = ("_watchdog", "_seconds", "task", "expired", "_cancelling")

    def __init__(self, watchdog: Watchdog, seconds: float):
        self._watchdog = watchdog
        self._seconds = seconds
        self.expired = False

    def __enter__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Watchdog.limit() must be used inside a task")
        self.task = task
        self._cancelling = task.cancelling()
        self._watchdog._register(self, self._seconds)

    def __exit__(self, exc_type, exc, tb) -> None:
        self._watchdog._unregister(self)
        if not self.expired:
            return
        # Our cancellation, and no one else's (Ctrl-C, a caller's own timeout): a timeout.
        if self.task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError("the deadline passed") from exc
