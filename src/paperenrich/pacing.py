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
import sqlite3
import threading
import time
from pathlib import Path

import httpx

from paperenrich.config import Settings
from paperenrich.http import Pacer

PACE_MARGIN = (1.01, 0.01)  # factor, seconds: stay a little slower than the documented rule

SERVICES = ("arxiv", "s2")
PACE_DB = "pace.db"
START_SLACK = 0.002  # seconds early a start may be against the previous real start (timer granularity)
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
    """The shared times of every lane, in one SQLite file; safe across processes.

    Per lane: `next_at`, the first free start slot (reservations queue on it), and `last_start`, when
    the latest request really started. A request reserves a slot, sleeps until it, then confirms its
    start against `last_start`: a run woken late (a busy machine) pushes the next one back instead of
    letting it leave right behind.
    """

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db.execute("create table if not exists lane_times "
                         "(lane text primary key, next_at real not null, last_start real not null)")
        self._lock = threading.Lock()  # one connection, used from worker threads and the event loop
        self.stamped = 0.0  # the wall-clock time of the latest start this process stamped

    def _update(self, lane: str, decide):
        """In one write transaction: read the lane's times, store what `decide(now, next_at,
        last_start)` returns second and third, return its first."""
        with self._lock:
            db = self._db
            db.execute("begin immediate")
            try:
                row = db.execute("select next_at, last_start from lane_times where lane = ?", (lane,)).fetchone()
                now = time.time()
                next_at, last_start = row if row else (0.0, 0.0)
                if next_at > now + MAX_AHEAD or last_start > now + MAX_AHEAD:
                    next_at = last_start = 0.0
                result, next_at, last_start = decide(now, next_at, last_start)
                db.execute("insert or replace into lane_times values (?, ?, ?)", (lane, next_at, last_start))
                db.execute("commit")
            except BaseException:
                db.execute("rollback")
                raise
            return result

    def reserve(self, lane: str, interval: float) -> float:
        """Take the lane's next start slot: the wall-clock time to send at."""

        def decide(now, next_at, last_start):
            start = max(now, next_at)
            return start, start + interval, last_start

        return self._update(lane, decide)

    def start(self, lane: str, interval: float) -> float:
        """Start now if the latest request started `interval` ago: 0.0, and this start is stamped.
        Else the seconds still to wait (nothing stamped)."""

        def decide(now, next_at, last_start):
            wait = last_start + interval - now
            if wait > START_SLACK:
                return wait, next_at, last_start
            self.stamped = now
            return 0.0, max(next_at, now + interval), now

        return self._update(lane, decide)

    def push_back(self, lane: str, seconds: float) -> None:
        """No request on this lane starts sooner than `seconds` from now (a service asked us to wait)."""
        self._update(lane, lambda now, next_at, last_start: (None, max(next_at, now + seconds), last_start))

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
        self.started_at = 0.0  # the stamp of this pacer's latest start: the time the lane counts from

    async def __aenter__(self) -> "SharedPacer":
        await self._sem.acquire()
        try:
            async with self._lock:
                asked = time.monotonic()
                slot = await asyncio.to_thread(self.clock.reserve, self.lane, self.interval)
                while True:
                    delay = slot - time.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    wait = await asyncio.to_thread(self.clock.start, self.lane, self.interval)
                    if wait <= 0:
                        self.started_at = self.clock.stamped  # (read under the lock: ours)
                        break
                    slot = time.time() + wait  # the request before ours started late: keep its interval
                self.waited += time.monotonic() - asked
                self.requests += 1
        except BaseException:
            self._sem.release()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.requests == 1:
            # A process's first request leaves later after its stamp than the next ones (connection
            # set-up, a busy machine: 0.2 s seen under load), so the next one counts from its end.
            await asyncio.to_thread(self.clock.push_back, self.lane, self.interval)
        await super().__aexit__(*exc_info)

    def slow_down(self, seconds: float) -> None:
        super().slow_down(seconds)
        self.clock.push_back(self.lane, seconds)


_CLOCKS: dict[Path, LaneClock] = {}


def pace_file(settings: Settings) -> Path:
    """Where the lanes' clock lives: the setting, else `pace.db` in the user's state directory
    (platformdirs: `$XDG_STATE_HOME/paperenrich`, else `~/.local/state/paperenrich` on Linux)."""
    if settings.pace_file is not None:
        return Path(settings.pace_file)
    import platformdirs

    return Path(platformdirs.user_state_dir("paperenrich", appauthor=False)) / PACE_DB


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
