"""Scan a generated list of 50,000 entries (mixed formats) and print time and peak memory.

Targets (issue #2): under 2 s and under 200 MB. The lower bound printed next to the time is
markdown-it-py's own parse of the same text (the floor for a parser built on its tokens).

    python3 bench/bench_scan.py [--entries N]
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from markdown_it import MarkdownIt  # noqa: E402

from paperenrich.listparse import scan_text  # noqa: E402

VENUES = ["OSDI", "SOSP", "NeurIPS", "ICML", "ICLR", "NSDI", "ATC", "EuroSys", "arXiv", "MLSys", "SC", "VLDB"]
WORDS = ("efficient scalable distributed training inference serving memory large language model pipeline "
         "parallelism scheduling cluster GPU sparse attention compiler cache quantization system").split()


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(5, 10))
    return f"{words[0].capitalize()}{rng.randint(1, 99999)}: " + " ".join(words[1:])


def generate(n: int, seed: int = 7) -> str:
    """n entries in the formats of the seed lists, with headings, notes and tables mixed in."""
    rng = random.Random(seed)
    out: list[str] = ["# Generated list", ""]
    i = 0
    while i < n:
        out += [f"## Section {i}", ""]
        style = rng.randrange(5)
        if style == 4:
            out += ["| Year | Publisher | Title | Framework |", "|:-:|:-:|:--|:-:|"]
        for _ in range(rng.randint(20, 60)):
            if i >= n:
                break
            v, yy = rng.choice(VENUES), rng.randint(10, 24)
            arxiv = f"{yy}{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"
            t = _title(rng)
            if style == 0:
                out.append(f"- {t} ({v}'{yy}) [link to paper](https://arxiv.org/pdf/{arxiv}.pdf)")
            elif style == 1:
                out.append(f"- [{v}'{yy}] [{t}](https://arxiv.org/abs/{arxiv})" if rng.random() < 0.7 else f"- [{v}'{yy}] {t}")
                if rng.random() < 0.05:
                    out.append(f"- [arxiv version](https://arxiv.org/abs/{arxiv})")
            elif style == 2:
                out.append(f"* {t} ({v} 20{yy}) \\[[Paper](https://dl.acm.org/doi/10.1145/{rng.randint(1000000, 9999999)}.{rng.randint(1000000, 9999999)})] \\[[Code](https://github.com/o/r{i})]")
                out.append("  * Some University & Another Lab")
            elif style == 3:
                out.append(f"{rng.randint(1, 99)}. **{t}**<br>A. Author, B. Author. {v} 20{yy}. [[pdf]](https://arxiv.org/pdf/{arxiv})")
            else:
                out.append(f"| 20{yy} | {v} | [{t}](https://openreview.net/forum?id={rng.randint(10**8, 10**9)}) | [DS](#ds) |")
            i += 1
        out.append("")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    text = generate(args.entries)
    print(f"generated {args.entries} entries: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines")

    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = scan_text(text, source="generated")
        times.append(time.perf_counter() - t0)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    best = min(times)

    t0 = time.perf_counter()
    MarkdownIt("commonmark").enable("table").parse(text)  # tokens only, no reading of them
    floor = time.perf_counter() - t0

    tracemalloc.start()
    scan_text(text, source="generated")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"entries found:     {len(result.entries)} (skipped {len(result.skipped)})")
    print(f"scan time (best of {args.repeat}): {best:.2f} s   target < 2.00 s   ratio to target {best / 2:.2f}")
    print(f"markdown-it-py full parse alone (lower bound): {floor:.2f} s   scan / lower bound = {best / floor:.2f}")
    print(f"peak traced memory: {peak / 1e6:.0f} MB   target < 200 MB   ratio {peak / 200e6:.2f}")
    print(f"process max RSS: {rss_after:.0f} MB (before scanning {rss_before:.0f} MB, includes the 3 input copies)")


if __name__ == "__main__":
    main()
