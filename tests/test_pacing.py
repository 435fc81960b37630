"""One pace per service for the whole machine: consecutive and concurrent processes share a lane."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from paperenrich.config import Settings
from paperenrich.pacing import PACE_DB, SharedPacer, lane_name, pace_file, service_interval, service_pacer

REPO = Path(__file__).resolve().parents[1]

# A process that takes `n` start slots on one lane and prints the wall-clock time each start was stamped.
_TAKER = textwrap.dedent("""
    import asyncio, json, sys, time
    from pathlib import Path
    from paperenrich.config import Settings
    from paperenrich.pacing import service_pacer

    cache, n, interval, slow = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    settings = Settings(pace_file=Path(cache) / "pace.db", arxiv_interval=interval, arxiv_url="http://127.0.0.1:9/api/query")

    async def main():
        pacer = service_pacer(settings, "arxiv")
        starts = []
        for _ in range(n):
            async with pacer:
                starts.append(pacer.started_at)  # the lane's stamp (the process may get control back later)
        if slow:
            pacer.slow_down(slow)
        print(json.dumps(starts))

    asyncio.run(main())
""")


def _taker(cache: Path, n: int, interval: float, slow: float = 0.0) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", _TAKER, str(cache), str(n), str(interval), str(slow)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _starts(proc: subprocess.Popen) -> list[float]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def _spacing(interval: float) -> float:
    return service_interval(Settings(arxiv_interval=interval), "arxiv")


def test_concurrent_processes_share_one_lane(tmp_path):
    interval = 0.2
    procs = [_taker(tmp_path, 4, interval) for _ in range(2)]
    first, second = (_starts(p) for p in procs)
    starts = sorted(first + second)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # Each process alone would start its 4 requests back to back at its own pace, so both at once would
    # put pairs of starts a few ms apart; one shared lane spaces all 8.
    assert len(starts) == 8
    # The stamps (taken in the lane's transaction) keep the whole interval: a process that gets
    # control back late after its stamp (a loaded machine) delays its request, never the next one's.
    assert min(gaps) >= interval, gaps
    assert (tmp_path / PACE_DB).is_file()


def test_a_run_started_right_after_another_waits_out_the_interval(tmp_path):
    interval = 1.0
    before = _starts(_taker(tmp_path, 2, interval))
    after = _starts(_taker(tmp_path, 1, interval))
    # The second process starts well under a second after the first one's last request (Python
    # start-up is ~0.1-0.3 s); its first request still waits for the lane.
    assert after[0] - before[-1] >= interval * 0.95


def test_a_slow_down_asked_in_one_process_holds_the_next(tmp_path):
    interval = 0.05
    first = _starts(_taker(tmp_path, 1, interval, slow=2.0))
    second = _starts(_taker(tmp_path, 1, interval))
    assert second[0] - first[0] >= 1.9


async def test_lanes_are_per_service_and_endpoint(tmp_path):
    a = Settings(pace_file=tmp_path / "pace.db", arxiv_url="http://127.0.0.1:9001/api/query", s2_url="http://127.0.0.1:9002/graph/v1")
    b = a.replace(arxiv_url="http://127.0.0.1:9003/api/query")
    assert lane_name(a, "arxiv") == "arxiv http://127.0.0.1:9001"
    assert lane_name(a, "s2") == "s2 http://127.0.0.1:9002"
    assert lane_name(a, "arxiv") != lane_name(b, "arxiv")
    # Other lanes do not wait on each other: three pacers, one slot each, at once.
    slow = a.replace(arxiv_interval=30.0)
    started = time.monotonic()
    for settings, service in ((slow, "arxiv"), (slow, "s2"), (b.replace(arxiv_interval=30.0), "arxiv")):
        async with service_pacer(settings, service):
            pass
    assert time.monotonic() - started < 5.0  # no-hang bound: a shared lane would have waited 30 s


def test_an_unwritable_pace_file_falls_back_to_a_process_pace(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    pacer = service_pacer(Settings(pace_file=blocker / "pace.db"), "arxiv")  # a file under a file cannot exist
    assert not isinstance(pacer, SharedPacer)
    assert pacer.interval == pytest.approx(_spacing(3.0))


def test_the_default_pace_file_is_per_user_not_per_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    one, two = Settings(cache_dir=tmp_path / "a"), Settings(cache_dir=tmp_path / "b", use_cache=False)
    assert pace_file(one) == pace_file(two) == tmp_path / "state" / "paperenrich" / PACE_DB
