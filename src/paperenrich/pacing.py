"""The pace of each metadata service, in one place for every command and every process that calls it.

`enrich` (resolve) and `check` (paper-aware verdicts) both ask arXiv and Semantic Scholar; they must
share one pace, so both take their pacer from `service_pacer` instead of building their own.

The pace is machine-wide, not per process: arXiv asks for one request every 3 s *from a client*, and a
CI job or a maintainer runs several lists one after another (or at once), with one cache or several.
A small SQLite file (`pace_file`, by default `pace.db` in the user's state directory, whatever the
cache directory or `--no-cache`) holds, per lane (service + endpoint origin), the earliest time the
next request may start. Every request reserves its start slot in one short transaction, so consecutive and
concurrent processes queue on one lane; a 429's Retry-After pushes the lane back for all of them.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from paperenrich.config import Settings
from paperenrich.http import Pacer

PACE_MARGIN = (1.02, 0.02)  # factor, seconds: stay a little slower than the documented rule

SERVICES = ("arxiv", "s2")
PACE_DB = "pace.db"
LATE = 0.005  # seconds after its slot a request may start before the lane counts from its real start
# A lane time further ahead than this is not a queue of runs but a clock that jumped back: ignored.
MAX_AHEAD = 3600.0


def service_interval(settings: Settings, service: str) -> float:
    """Seconds between two request starts to `service`, margin included."""
    factor, extra = PACE_MARGIN
    if service == "arxiv":
        return settings.arxiv_interval * factor + extra
    if service == "s2":
        return factor / settings.effective_s2_rps + extra
    raise ValueError(f"unknown service {service!r}")


def lane_name(settings: Settings, service: str) -> str:
    """One lane per service endpoint: the same service at another address (a test emulator) is another lane."""
    url = httpx.URL(settings.arxiv_url if service == "arxiv" else settings.s2_url)
    return f"{service} {url.scheme}://{url.netloc.decode('ascii')}"


class LaneClock:
    """The shared next-start time of every lane, in one SQLite file; safe across processes."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("create table if not exists lanes (lane text primary key, next_at real not null)")
        self._lock = threading.Lock()  # one connection, used from worker threads and the event loop

    def _update(self, lane: str, decide) -> float:
        """In one write transaction: read the lane's next start, store `decide(now, next_at)`'s
        second value, return its first."""
        with self._lock:
            return self._update_locked(lane, decide)

    def _update_locked(self, lane: str, decide) -> float:
        db = self._db
        db.execute("begin immediate")
        try:
            row = db.execute("select next_at from lanes where lane = ?", (lane,)).fetchone()
            now = time.time()
            next_at = row[0] if row else 0.0
            if next_at > now + MAX_AHEAD:
                next_at = now
            result, stored = decide(now, next_at)
            db.execute("insert or replace into lanes (lane, next_at) values (?, ?)", (lane, stored))
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        return result

    def reserve(self, lane: str, interval: float) -> float:
        """Take the lane's next start slot: the wall-clock time to send at."""

        def decide(now: float, next_at: float) -> tuple[float, float]:
            start = max(now, next_at)
            return start, start + interval

        return self._update(lane, decide)

    def push_back(self, lane: str, seconds: float) -> None:
        """No request on this lane starts sooner than `seconds` from now (a service asked us to wait)."""
        self._update(lane, lambda now, next_at: (0.0, max(next_at, now + seconds)))

    def close(self) -> None:
        self._db.close()


class SharedPacer(Pacer):
    """A `Pacer` whose start times are shared with every process pacing the same lane.

    In-process, it still allows `concurrency` requests at once and serialises the reservations;
    the spacing itself comes from the `LaneClock`, so another run's requests count too.
    """

    def __init__(self, clock: LaneClock, lane: str, interval: float, concurrency: int = 1):
        super().__init__(interval=interval, concurrency=concurrency)
        self.clock = clock
        self.lane = lane

    async def __aenter__(self) -> "SharedPacer":
        await self._sem.acquire()
        try:
            async with self._lock:
                asked = time.monotonic()
                slot = await asyncio.to_thread(self.clock.reserve, self.lane, self.interval)
                delay = slot - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                self.waited += time.monotonic() - asked
                late = time.time() - slot
                if late > LATE:
                    # A busy event loop woke us late: the next request must count from this start,
                    # not from the slot, or it would reach the service too soon after this one.
                    await asyncio.to_thread(self.clock.push_back, self.lane, self.interval)
                self.requests += 1
        except BaseException:
            self._sem.release()
            raise
        return self

    def slow_down(self, seconds: float) -> None:
        super().slow_down(seconds)
        self.clock.push_back(self.lane, seconds)


_CLOCKS: dict[Path, LaneClock] = {}


def pace_file(settings: Settings) -> Path:
    """Where the lanes' clock lives: the setting, else `$XDG_STATE_HOME/paperenrich/pace.db`
    (`~/.local/state/paperenrich/pace.db`)."""
    if settings.pace_file is not None:
        return Path(settings.pace_file)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "paperenrich" / PACE_DB


def _clock_for(settings: Settings) -> LaneClock | None:
    """The lane clock (one per process and file); None when it cannot be opened (a read-only
    home, no home at all): the run then paces itself alone."""
    try:
        path = pace_file(settings).resolve()
    except (OSError, RuntimeError):
        return None
    if path not in _CLOCKS:
        try:
            _CLOCKS[path] = LaneClock(path)
        except (OSError, sqlite3.Error):
            return None
    return _CLOCKS[path]


# Modules httpx's transport loads on a client's first request. Loaded then, they delay that request
# by ~0.1 s after its slot, so the second one reached the service too soon after it (a 429 at the
# start of every run in the scaled bench); loaded with the pacer, the first request leaves on time.
_TRANSPORT_MODULES = ("anyio._backends._asyncio", "h11", "httpcore._async.http11", "httpcore._async.connection_pool")


def _load_transport_modules() -> None:
    import importlib

    for name in _TRANSPORT_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # another httpx/httpcore layout: only the first request is a little late
            pass


def service_pacer(settings: Settings, service: str) -> Pacer:
    """The pacer for one service's lane: one request at a time, `service_interval` apart, machine-wide."""
    _load_transport_modules()
    interval = service_interval(settings, service)
    clock = _clock_for(settings)
    if clock is None:
        return Pacer(interval=interval, concurrency=1)
    return SharedPacer(clock, lane_name(settings, service), interval, concurrency=1)
