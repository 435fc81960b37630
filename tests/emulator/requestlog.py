"""The request log every emulated service writes: tests assert counts, spacing and concurrency on it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class RequestRecord:
    """One request as the server saw it. Times are `time.monotonic()` seconds.

    `has_key` says whether an API key header was sent; the key itself is never recorded.
    `status` is set just before the reply is sent (so a client that has read its answer finds it
    here); `end` only once the last byte is written.
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
    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: dict[str, int] = field(default_factory=dict)

    def begin(self, service: str, method: str, path: str, query: dict[str, list[str]], body: bytes, has_key: bool) -> RequestRecord:
        with self._lock:
            self._in_flight[service] = self._in_flight.get(service, 0) + 1
            record = RequestRecord(service, method, path, query, body, has_key, time.monotonic(), self._in_flight[service])
            self._records.append(record)
            return record

    def mark(self, record: RequestRecord, status: int | None, fault: str | None = None) -> None:
        """The status about to be sent (before `end`, which comes after the last byte)."""
        with self._lock:
            record.status = status
            record.fault = fault

    def end(self, record: RequestRecord, status: int | None, fault: str | None = None) -> None:
        with self._lock:
            self._in_flight[record.service] -= 1
            record.end = time.monotonic()
            record.status = status
            record.fault = fault

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being served (every `end` is set); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not any(self._in_flight.values()):
                    return True
            time.sleep(0.005)
        return False

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    # --- queries -------------------------------------------------------------------------------
    def records(self, service: str | None = None, path: str | None = None, status: int | None = None,
                method: str | None = None) -> list[RequestRecord]:
        """Records in arrival order; `path` matches when it is a substring of the request path."""
        with self._lock:
            items = list(self._records)
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
        with self._lock:
            return len(self._records)
