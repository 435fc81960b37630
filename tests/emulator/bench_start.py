"""How long the local world takes to start, against the 2 s target of issue #3.

    python -m tests.emulator.bench_start

Prints, each in a fresh subprocess so nothing is shared: the corpus build without the cache
(cold), the load from the pickle cache (warm), and ScholarWorld start-up to the first answered
request of each service (warm). Figures are the median of a few runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TARGET = 2.0

COLD = """
import time
from tests.emulator.corpus import build_corpus
t = time.perf_counter(); c = build_corpus(); print(time.perf_counter() - t)
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


def run(code: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main() -> int:
    run(WARM, 1)  # make sure the cache exists
    rows = [("corpus build, no cache (cold)", run(COLD, 1)),
            ("corpus load from cache (warm)", run(WARM, 3)),
            ("world up + first arXiv and S2 answers (warm)", run(WORLD, 3))]
    for name, seconds in rows:
        print(f"{name:48s} {seconds:6.2f} s   {seconds / TARGET:5.2f} x the 2 s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
