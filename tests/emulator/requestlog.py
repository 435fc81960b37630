"""The request log every emulated service writes: tests assert counts, spacing and concurrency on it."""

from __future__ import annotations

import bisect
import threading
import time
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    """One request as the server saw it. Times are `time.monotonic()` seconds.

    `has_key` says whether an API key header was sent; the key itself is never recorded.
    A record reaches the log only when complete: `status` and `end` (after the last byte) are set.
    `in_flight` counts the requests of the same service being served at arrival, this one included.
    """

    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    has_key: bool
    start: float
    in_flight: int
    end: float | None = None
    status: int | None = None  # None when the connection was reset or the reply never finished
    fault: str | None = None  # the injected fault that shaped the reply, if any

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class RequestLog:
    """Records are published complete: a request joins the log only once its reply is finished.

    Readers (`records`, `count`, `len`, ...) first wait until no request of the current log is
    being served, so a test that has read its answer always finds that request whole (status and
    `end` set), never half-written by the server thread. `clear()` starts a new log: requests
    still in flight from before it (a hang a previous test gave up on) never appear in it, and do
    not count towards `in_flight` or `wait_idle`.
    """

    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _pending: dict[int, RequestRecord] = field(default_factory=dict)  # begun in this log, not ended
    _generation: int = 0
    _generation_of: dict[int, int] = field(default_factory=dict)
    read_timeout: float = 10.0  # readers wait at most this long for in-flight requests

    def begin(self, service: str, method: str, path: str, query: dict[str, list[str]], body: bytes, has_key: bool) -> RequestRecord:
        with self._lock:
            in_flight = 1 + sum(1 for r in self._pending.values() if r.service == service)
            record = RequestRecord(service, method, path, query, body, has_key, time.monotonic(), in_flight)
            self._pending[id(record)] = record
            self._generation_of[id(record)] = self._generation
            self._lock.notify_all()
            return record

    def end(self, record: RequestRecord, status: int | None, fault: str | None = None) -> None:
        with self._lock:
            record.end = time.monotonic()
            record.status = status
            record.fault = fault
            generation = self._generation_of.pop(id(record), None)
            if generation == self._generation:
                del self._pending[id(record)]
                bisect.insort(self._records, record, key=lambda r: r.start)  # arrival order, whatever order they end in
                self._lock.notify_all()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request of this log is being served; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending, timeout)

    def wait_busy(self, timeout: float = 5.0) -> bool:
        """Wait until some request of this log is being served (a client is mid-run); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: bool(self._pending), timeout)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._records.clear()
            self._pending.clear()
            self._lock.notify_all()

    def _complete(self) -> list[RequestRecord]:
        """The published records, after waiting (bounded) for the requests still being served."""
        with self._lock:
            self._lock.wait_for(lambda: not self._pending, self.read_timeout)
            return list(self._records)

    # --- queries -------------------------------------------------------------------------------
    def records(self, service: str | None = None, path: str | None = None, status: int | None = None,
                method: str | None = None) -> list[RequestRecord]:
        """Records in arrival order; `path` matches when it is a substring of the request path."""
        items = self._complete()
        return [
            r for r in items
            if (service is None or r.service == service)
            and (path is None or path in r.path)
            and (status is None or r.status == status)
            and (method is None or r.method == method)
        ]

    def count(self, service: str | None = None, path: str | None = None, status: int | None = None,
              method: str | None = None) -> int:
        return len(self.records(service, path, status, method))

    def starts(self, service: str | None = None) -> list[float]:
        return [r.start for r in self.records(service)]

    def gaps(self, service: str | None = None) -> list[float]:
        """Seconds between consecutive request arrivals."""
        starts = self.starts(service)
        return [b - a for a, b in zip(starts, starts[1:])]

    def max_in_flight(self, service: str | None = None) -> int:
        return max((r.in_flight for r in self.records(service)), default=0)

    def __len__(self) -> int:
        return len(self._complete())
