"""How long the local world takes to start, against the 2 s target of issue #3.

    python -m tests.emulator.bench_start

Prints, each in a fresh subprocess so nothing is shared, the median of a few runs of:
- the corpus build without the cache (cold): until id lookups can answer, then until the
  search indexes (built in a background thread) are done too;
- the load from the pickle cache (warm);
- ScholarWorld start-up to the first answered id lookup of each service, cold (a fresh, empty
  temp directory, so no cache: a new machine, CI, or any change to the data or corpus code)
  and warm; and cold to the first answered title search, which waits for the search indexes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = 2.0

COLD = """
import time
from tests.emulator.corpus import build_corpus
t = time.perf_counter(); c = build_corpus(); print(time.perf_counter() - t)
"""
COLD_INDEXED = """
import time
from tests.emulator.corpus import build_corpus
t = time.perf_counter(); c = build_corpus(); getattr(c, "wait_indexed", lambda: None)(); print(time.perf_counter() - t)
"""
WARM = """
import time
from tests.emulator.corpus import load_corpus
t = time.perf_counter(); c = load_corpus(); print(time.perf_counter() - t)
"""
WORLD = """
import time, urllib.request
t = time.perf_counter()
from tests.emulator import ScholarWorld
with ScholarWorld(time_scale=0.01) as world:
    urllib.request.urlopen(world.arxiv_url + "?id_list=1706.03762").read()
    urllib.request.urlopen(world.s2_url + "/paper/ARXIV:1706.03762").read()
    print(time.perf_counter() - t)
"""
WORLD_SEARCH = """
import time, urllib.request
t = time.perf_counter()
from tests.emulator import ScholarWorld
with ScholarWorld(time_scale=0.01) as world:
    urllib.request.urlopen(world.s2_url + "/paper/search/match?query=Attention+Is+All+You+Need").read()
    print(time.perf_counter() - t)
"""


def run(code: str, repeat: int, cold: bool = False) -> float:
    """Median seconds over `repeat` fresh processes; `cold`: each with its own empty temp dir."""
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, TMPDIR=tmp) if cold else None
            out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                                 check=True, env=env)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> int:
    run(WARM, 1)  # make sure the cache exists
    rows = [("corpus build, no cache (cold)", run(COLD, 3)),
            ("corpus build + search indexes, no cache (cold)", run(COLD_INDEXED, 3)),
            ("corpus load from cache (warm)", run(WARM, 3)),
            ("world up + first answers (cold, no cache)", run(WORLD, 3, cold=True)),
            ("world up + first title match (cold, no cache)", run(WORLD_SEARCH, 3, cold=True)),
            ("world up + first arXiv and S2 answers (warm)", run(WORLD, 3))]
    for name, seconds in rows:
        print(f"{name:48s} {seconds:6.2f} s   {seconds / TARGET:5.2f} x the 2 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
