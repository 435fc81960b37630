"""Scan a generated list of 50,000 entries (mixed formats) and print time and peak memory.

Targets (issue #9): under 200 MB, and a scan taking at most 2.5 times the bare markdown-it-pyrs
parse of the same text in the same run (the floor for a scanner built on its tree; the earlier
aim, under 2 s, is printed too).
A list this long is scanned by two processes (scanner/parallel.py): the times are wall times, and
the CPU seconds of both processes are printed next to them.
Peak memory is measured in a fresh process: the peak of the summed proportional set size (Pss:
a page shared by the two processes counts half in each) of the scan and its worker, sampled every
few milliseconds by a separate process, over the Pss before the scan; the scan process's own RSS
growth (which includes the Rust parser's tree); and the Python heap peak that tracemalloc sees.

Both builds are measured, each in a process of its own: the plain Python of the source tree, and
the compiled scanner (setup.py: mypyc) that `pip install .` installs, built here first (~30 s).
The target is judged on the compiled build, the one users run; the plain figures are beside it.

    python3 bench/bench_scan.py [--entries N] [--repeat 5] [--build both|plain|compiled] [--compare-markdown-it-py]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A folder holding a build of the package (scripts/build_compiled.py), else the source tree's plain Python.
BUILD_ENV = "PAPERENRICH_SCAN_BUILD"
sys.path.insert(0, os.environ.get(BUILD_ENV) or str(ROOT / "src"))

from paperenrich.scanner import scan_text
from paperenrich.scanner.parse import _MD  # noqa: E402

RATIO_BOUND = 2.5  # scan time / bare parse time, measured in the same run

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


def _child_memory(path: str) -> None:
    """Run in a fresh process: scan the text in `path`, print the peak of both processes' summed Pss
    over the Pss before, this process's peak RSS growth, the traced peak and the RSS before (MB)."""
    text = Path(path).read_text(encoding="utf-8")
    before = _rss_now_mb()
    pss_before = _pss_mb(os.getpid())
    sampler = subprocess.Popen([sys.executable, __file__, "--sample-memory", str(os.getpid())],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    sampler.stdout.readline()  # ready
    scan_text(text, source="generated")
    sampler.stdin.close()  # stop
    pss_peak = float(sampler.stdout.readline())
    sampler.wait()
    peak_rss = _status_mb("VmHWM")  # not ru_maxrss: that one survives exec from the bigger parent
    tracemalloc.start()  # after the RSS peak: tracing costs memory of its own
    scan_text(text, source="generated")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{pss_peak - pss_before:.1f} {peak_rss - before:.1f} {peak / 1e6:.1f} {before:.1f}")


def _sample_memory(pid: int) -> None:
    """Run in a process of its own: the peak of the summed Pss of `pid` and its children (but this
    one), sampled every 2 ms until stdin closes (printed in MB)."""
    import select

    print("ready", flush=True)
    peak = 0.0
    while not select.select([sys.stdin], [], [], 0.002)[0]:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                kids = [int(k) for k in fh.read().split()]
        except OSError:
            kids = []
        peak = max(peak, _pss_mb(pid) + sum(_pss_mb(k) for k in kids if k != os.getpid()))
    print(peak, flush=True)


def _pss_mb(pid: int) -> float:
    """The proportional set size of a process (Linux), in MB; 0 if it has ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _rss_now_mb() -> float:
    return _status_mb("VmRSS")


def _status_mb(key: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def _clear_memos() -> None:
    """Empty every memo (functools.lru_cache) of the package, so that each timed scan starts as a
    user's one scan in a process does: not with the previous round's links, titles and venues read."""
    for name, module in list(sys.modules.items()):
        if name == "paperenrich" or name.startswith("paperenrich."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)  # (scan and bare parse alternate; the best of each)
    ap.add_argument("--compare-markdown-it-py", action="store_true",
                    help="also time markdown-it-py's full parse (the parser used before; ~10 s)")
    ap.add_argument("--memory-child", help=argparse.SUPPRESS)
    ap.add_argument("--sample-memory", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--build", choices=("both", "plain", "compiled", "here"), default="both",
                    help="which build to measure (here: the one this process imports)")
    args = ap.parse_args()
    if args.build != "here" and not (args.memory_child or args.sample_memory):
        _measure_builds(args)
        return
    if args.memory_child:
        _child_memory(args.memory_child)
        return
    if args.sample_memory:
        _sample_memory(args.sample_memory)
        return
    text = generate(args.entries)
    print(f"generated {args.entries} entries: {len(text) / 1e6:.1f} MB, {text.count(chr(10))} lines")

    # Scan and bare parse alternate, so that a change of the machine's load between them (it is
    # shared) weighs on both figures of the ratio alike.
    times, floors, cpus, worker_cpus = [], [], [], []
    result = None
    for _ in range(args.repeat):
        # Each timer holds its own run only: the previous scan's result is let go before the clock
        # starts, as the parse's tree is after its clock stops (rebinding `result` freed it inside
        # the next scan's time: 0.04-0.1 s of 50,000 entries).
        result = None
        _clear_memos()
        gc.collect()
        c0 = os.times()
        t0 = time.perf_counter()
        result = scan_text(text, source="generated")
        times.append(time.perf_counter() - t0)
        c1 = os.times()
        worker_cpus.append(c1.children_user + c1.children_system - c0.children_user - c0.children_system)
        cpus.append(c1.user + c1.system - c0.user - c0.system + worker_cpus[-1])
        t0 = time.perf_counter()
        tree = _MD.tree(text)  # the bare parse: tokens and source maps, nothing read from them
        floors.append(time.perf_counter() - t0)
        del tree
    best = min(times)
    floor = min(floors)

    # Memory in a fresh process, so the peak is the scan's alone; RSS also counts the Rust
    # parser's tree, which tracemalloc (Python allocations only) cannot see.
    with tempfile.NamedTemporaryFile("w", suffix=".md", encoding="utf-8", delete=False) as fh:
        fh.write(text)
    try:
        out = subprocess.run([sys.executable, __file__, "--memory-child", fh.name], check=True,
                             capture_output=True, text=True).stdout.split()
    finally:
        os.unlink(fh.name)
    pss_growth, rss_growth, traced, rss_start = (float(x) for x in out)
    worker = max(worker_cpus) > 0

    print(f"entries found:     {len(result.entries)} of {args.entries} (skipped {len(result.skipped)})")
    print(f"scan time (best of {args.repeat}, all: {', '.join(f'{t:.2f}' for t in times)} s): {best:.2f} s   "
          f"earlier aim < 2.00 s   ratio to it {best / 2:.2f}")
    print(f"  {'2 processes (a forked worker scans the second part)' if worker else '1 process'}; CPU seconds of "
          f"each scan, all processes: {', '.join(f'{c:.2f}' for c in cpus)}"
          + (f" (of which the worker's: {', '.join(f'{c:.2f}' for c in worker_cpus)})" if worker else ""))
    print(f"lower bound, markdown-it-pyrs bare parse (best of {args.repeat}, all: {', '.join(f'{t:.2f}' for t in floors)} s, "
          f"load average {os.getloadavg()[0]:.1f}): {floor:.2f} s   "
          f"scan / lower bound = {best / floor:.1f}   target <= {RATIO_BOUND}   "
          f"{'met' if best / floor <= RATIO_BOUND else 'NOT met'}")
    if args.compare_markdown_it_py:
        from markdown_it import MarkdownIt

        t0 = time.perf_counter()
        MarkdownIt("commonmark").enable("table").parse(text)
        print(f"markdown-it-py full parse (for comparison): {time.perf_counter() - t0:.2f} s")
    print(f"peak memory of the scan (fresh process): both processes' Pss +{pss_growth:.0f} MB; the scan process's "
          f"RSS +{rss_growth:.0f} MB (from {rss_start:.0f} MB, text loaded), Python heap traced {traced:.0f} MB   "
          f"target < 200 MB   ratio {max(pss_growth, rss_growth, traced) / 200:.2f}")


def _measure_builds(args: argparse.Namespace) -> None:
    """Run this bench on each build asked for, in a fresh process each; the ruling is the compiled build's."""
    import shutil

    sys.path.insert(0, str(ROOT / "scripts"))
    from build_compiled import build

    passed = [f"--entries={args.entries}", f"--repeat={args.repeat}", "--build=here"]
    passed += ["--compare-markdown-it-py"] if args.compare_markdown_it_py else []
    verdicts = {}
    tmp = tempfile.mkdtemp(prefix="paperenrich-bench-")
    try:
        for name in ("plain", "compiled") if args.build == "both" else (args.build,):
            env = {k: v for k, v in os.environ.items() if k != BUILD_ENV}
            if name == "compiled":
                t0 = time.perf_counter()
                if not build(Path(tmp)):
                    print("compiled build: mypyc could not build it here (see above); not measured")
                    continue
                print(f"(compiled build made in {time.perf_counter() - t0:.0f} s)")
                env[BUILD_ENV] = tmp
            print(f"== {name} build: " + ("the compiled scanner `pip install .` installs" if name == "compiled"
                                         else "the source tree's plain Python (an editable install)"), flush=True)
            out = subprocess.run([sys.executable, __file__, *passed], env=env, check=True,
                                 capture_output=True, text=True).stdout
            print(out, end="", flush=True)
            verdicts[name] = "NOT met" not in out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if "compiled" in verdicts:
        print(f"ruling, on the compiled build (what users install): {'met' if verdicts['compiled'] else 'NOT met'}")


if __name__ == "__main__":
    main()
