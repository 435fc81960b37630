"""`enrich` against a hostile S2 (issue 12, items 1-2): peak memory and wall time per answer,
printed next to the bounds (300 MB; the request deadline plus process start-up), and what the
cache's damage check costs on opening.

Each case runs `paperenrich enrich` as its own process against tests/emulator/hostile.py (loopback
only) with `request_deadline` = --deadline; the peak is the process's VmHWM.

    python3 bench/bench_hostile.py [--deadline 10] [--cache-rows 50000]

On a shared machine the wall times are noisy (CPU contention adds seconds); the memory figures
are not.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import tests.test_hostile_services as hostile_tests  # noqa: E402
from tests.emulator.hostile import HostileServer, answer, endless, gzip_bomb, silent, trickle  # noqa: E402

PEAK_BOUND_MB = 300

CASES = {
    "gzip bomb (1 MiB -> 1 GiB)": lambda: gzip_bomb(1 << 30),
    "2 GiB body, Content-Length": lambda: endless(2 << 30),
    "2 GiB body, chunked": lambda: endless(2 << 30, declare=False),
    "1 byte a second": lambda: trickle(b"[null, null]" * 100, every=1.0),
    "accepts, never answers": lambda: silent(),
    "429 with Retry-After: 999999": lambda: answer('{"message": "Too Many Requests"}', status=429,
                                                   headers={"Retry-After": "999999"}),
}


def bench_answers(deadline: float) -> None:
    hostile_tests.DEADLINE = deadline
    print(f"{'S2 /paper/batch answers':32} {'peak MB':>8} {'bound':>6} {'wall s':>7} {'deadline':>9}  "
          "first entry's reason (S2's part); wall = whole process, start-up and the arXiv lane included")
    for name, make in CASES.items():
        with HostileServer() as server, tempfile.TemporaryDirectory() as tmp:
            server.route("/api/query", answer(hostile_tests.EMPTY_FEED, "application/atom+xml"))
            server.route("/graph/v1/paper/search/bulk", answer('{"total": 0}'))
            server.route("/graph/v1/paper/search/match", answer('{"error":"Title match not found"}', status=404))
            server.route("/graph/v1/paper/batch", make())
            proc, wall, peak = hostile_tests.run_enrich(server, Path(tmp), timeout=deadline * 10 + 120)
            if proc.returncode == 0:
                reason = hostile_tests.reasons(proc)[0]
                reason = next((part for part in reason.split("; ") if "127.0.0.1" in part), reason)  # S2's part
            else:
                reason = f"exit {proc.returncode}: {proc.stderr.strip()}"
            print(f"{name:32} {peak:8.0f} {PEAK_BOUND_MB:6} {wall:7.1f} {deadline:9.0f}  {reason[:100]}")


def bench_cache_open(rows: int) -> None:
    from paperenrich.cache import DB_NAME, Cache

    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(tmp)
        record = {"arxiv": "x", "title": "t" * 120, "authors": ["A. Author"] * 8, "comment": "c" * 400}
        for start in range(0, rows, 5000):
            cache.put_many("arxiv", {f"2401.{i:06d}": record for i in range(start, min(rows, start + 5000))})
        cache.close()
        size = (Path(tmp) / DB_NAME).stat().st_size / 1e6
        times = []
        for _ in range(5):
            started = time.perf_counter()
            Cache(tmp).close()
            times.append(time.perf_counter() - started)
        print(f"\ncache open with its damage check (PRAGMA quick_check): {rows:,} rows, {size:.0f} MB: "
              f"best {min(times) * 1000:.0f} ms, median {sorted(times)[2] * 1000:.0f} ms (5 opens)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadline", type=float, default=10.0)
    parser.add_argument("--cache-rows", type=int, default=50_000)
    args = parser.parse_args()
    bench_answers(args.deadline)
    bench_cache_open(args.cache_rows)


if __name__ == "__main__":
    main()
