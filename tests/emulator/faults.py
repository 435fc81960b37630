"""Fault injection: how an emulated service misbehaves, chosen per request, deterministically.

A `Fault` matches requests by service and path substring, fires with probability `rate`
(drawn from a seeded RNG, so a given seed and arrival order always give the same faults)
and at most `times` times. Kinds:

    latency       wait `delay` seconds before answering (adds to whatever else happens)
    status        answer `status` with the service's own error shape (429 storms, 5xx, ...)
    reset         close the connection with a TCP RST before any byte is sent
    hang          send nothing for `delay` seconds, then close (a client timeout)
    slow_body     send headers at once, then the body in `chunks` pieces `delay` seconds apart
    truncate      announce the full Content-Length, send only the first half, then close
    malformed     a complete response whose body is cut and garbled (invalid XML / JSON)
    content_type  200 with an HTML page as `text/html` instead of the API's format
    empty         200 with a valid answer that holds nothing (arXiv: a feed with totalResults 0), as
                  the live arXiv API intermittently gives for queries that do have answers

Delays are real seconds: they are not multiplied by the world's time scale.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

KINDS = ("latency", "status", "reset", "hang", "slow_body", "truncate", "malformed", "content_type", "empty")


@dataclass
class Fault:
    kind: str
    service: str | None = None  # "arxiv" | "s2" | None for every service
    path: str | None = None  # substring of the request path; None matches all
    rate: float = 1.0
    times: int | None = None  # None: no limit
    status: int = 503
    delay: float = 0.0
    chunks: int = 8
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None  # for `status`: a body other than the service's usual error shape
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(KINDS)}")

    def matches(self, service: str, path: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        return (self.service is None or self.service == service) and (self.path is None or self.path in path)


class Faults:
    """The set of active faults of a world. All methods are thread-safe."""

    def __init__(self, seed: int = 0):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)

    def seed(self, seed: int) -> None:
        with self._lock:
            self._seed = seed
            self._rng = random.Random(seed)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._rng = random.Random(self._seed)

    def add(self, kind: str, **options) -> Fault:
        fault = Fault(kind, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def choose(self, service: str, path: str) -> tuple[float, Fault | None]:
        """For one request: total extra latency, and the one fault (if any) that shapes the reply."""
        latency = 0.0
        shaping: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if not fault.matches(service, path):
                    continue
                if fault.kind == "latency":
                    if self._rng.random() < fault.rate:
                        fault.hits += 1
                        latency += fault.delay
                elif shaping is None and self._rng.random() < fault.rate:
                    fault.hits += 1
                    shaping = fault
        return latency, shaping

    @property
    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    # --- shorthands -----------------------------------------------------------------------------
    def latency(self, seconds: float, **match) -> Fault:
        return self.add("latency", delay=seconds, **match)

    def status(self, code: int, **match) -> Fault:
        return self.add("status", status=code, **match)

    def storm_429(self, times: int, **match) -> Fault:
        """The next `times` matching requests get the service's real 429."""
        return self.add("status", status=429, times=times, **match)

    def server_errors(self, times: int | None = None, code: int = 503, **match) -> Fault:
        return self.add("status", status=code, times=times, **match)

    def reset(self, **match) -> Fault:
        return self.add("reset", **match)

    def hang(self, seconds: float, **match) -> Fault:
        return self.add("hang", delay=seconds, **match)

    def slow_body(self, seconds_between_chunks: float, chunks: int = 8, **match) -> Fault:
        return self.add("slow_body", delay=seconds_between_chunks, chunks=chunks, **match)

    def truncate(self, **match) -> Fault:
        return self.add("truncate", **match)

    def malformed(self, **match) -> Fault:
        return self.add("malformed", **match)

    def wrong_content_type(self, **match) -> Fault:
        return self.add("content_type", **match)

    def empty_answers(self, **match) -> Fault:
        """A valid answer with no results (arXiv's intermittent empty feed)."""
        return self.add("empty", **match)
