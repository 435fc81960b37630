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
        self._due: dict[asyncio.Task, float] = {}
        self._expired: set[asyncio.Task] = set()
        self._timer: asyncio.TimerHandle | None = None

    def limit(self, seconds: float) -> "_Limit":
        return _Limit(self, seconds)

    def _register(self, task: asyncio.Task, seconds: float) -> None:
        loop = task.get_loop()
        self._due[task] = loop.time() + seconds
        if self._timer is None:
            self._timer = loop.call_later(min(TICK, seconds), self._check, loop)

    def _check(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        now = loop.time()
        for task, due in list(self._due.items()):
            if due <= now and task not in self._expired:
                self._expired.add(task)
                task.cancel()
        if self._due:
            soonest = min(self._due.values())
            self._timer = loop.call_later(max(0.0, min(TICK, soonest - now)), self._check, loop)

    def _unregister(self, task: asyncio.Task) -> bool:
        """True when the watchdog cancelled the task (its time ran out)."""
        self._due.pop(task, None)
        if not self._due and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False


class _Limit:
    __slots__ = ("_watchdog", "_seconds", "_task", "_cancelling")

    def __init__(self, watchdog: Watchdog, seconds: float):
        self._watchdog = watchdog
        self._seconds = seconds

    def __enter__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Watchdog.limit() must be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._watchdog._register(task, self._seconds)

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._watchdog._unregister(self._task):
            return
        # Our cancellation, and no one else's (Ctrl-C, a caller's own timeout): a timeout.
        if self._task.uncancel() <= self._cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError("the deadline passed") from exc
