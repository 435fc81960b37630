"""Scan, collect the links and the anchors of a ~200 KB list made of the worst constructs found, against a 1 s bound.

Each block below is a construct that once made `scan` or `check`'s link collection hang or go
quadratic (issue 9, issue 12 item 7), repeated to reach about 200 KB in all; every block is also
timed alone, so a regression names its construct.

    python3 bench/bench_adversarial.py [--kb 200] [--repeat 3] [--write FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from paperenrich.linkcheck.collect import iter_links  # noqa: E402
from paperenrich.markdown import Document  # noqa: E402
from paperenrich.scanner import scan_text  # noqa: E402

BOUND_S = 1.0

# name -> one unit of the construct (repeated to fill its share of the file)
CONSTRUCTS = {
    # `_TRAILING_OPEN` was re-run per title: quadratic in the number of unclosed "(".
    "unclosed parentheses": "- x" + " (" * 3700 + " (2023)" * 6 + "\n",
    # markdown-it-py's inline linkify searched the whole pending text at every "://".
    "repeated x://": "x://" * 2500 + "\n\n",
    # An empty link in front of the title: the "links before the title" loop stood still.
    "empty links before titles": "".join(
        f"- [](https://github.com/a/b{i}) [![](https://img.shields.io/x{i}.svg)]() [Paper Title {i}](https://arxiv.org/abs/2101.{i:05d}) (ICML 2021)\n"
        for i in range(50)) + "\n",
    "html block with empty anchors": "<div>\n" + "".join(
        f"<a href=\"https://github.com/a/{i}\"><img src=\"s.svg\"></a> <a href=\"https://arxiv.org/abs/2102.{i:05d}\">Title {i}</a> 2021<br>\n"
        for i in range(50)) + "</div>\n\n",
    "nested brackets": "- " + "[" * 2000 + "Title" + "]" * 1000 + "(u)" * 500 + "\n\n",
    "unclosed brackets": "- [" + "[a " * 3000 + "(https://arxiv.org/abs/2101.00001\n\n",
    "badges and <br> in a table": "| Title | Venue |\n|---|---|\n" + "".join(
        f"| [![Star](https://img.shields.io/github/stars/a/b{i}.svg)](https://github.com/a/b{i}) [![ICML](https://img.shields.io/badge/ICML-2021-blue)]()<br>[Table Paper {i}](https://arxiv.org/abs/2103.{i:05d})<br>A. Author, B. Author | ICML |\n"
        for i in range(60)) + "\n",
    "unclosed emphasis": "- " + "*a " * 3000 + "\n\n",
    "deep quote nesting": "> " * 300 + "- [T](https://arxiv.org/abs/2101.00001)\n\n",
    "many reference links": "".join(f"- [Ref Title {i}][r{i}] NeurIPS 2020\n" for i in range(200)) + "\n" + "".join(
        f"[r{i}]: https://arxiv.org/abs/2104.{i:05d}\n" for i in range(200)) + "\n",
    "open <a> tags": "- " + "<a href='https://a.org'>x " * 1500 + "\n\n",
    "backticks in brackets": "- [x `" * 500 + "\n\n",
    # An attribute pattern scanned from every "<" to the next ">": quadratic in an HTML block of
    # unclosed tags (60 KB: 7.7 s in the links, 7.2 s in the anchors of --check-fragments).
    "unclosed tags in an HTML block": "<div\n" + "<a <h2 " * 2000 + "\n\n",
    "open headings in an HTML block": "<div>\n" + "<h2>x<h3>" * 2000 + "\n\n",
}


def build(kb: int) -> tuple[str, dict[str, str]]:
    share = kb * 1024 // len(CONSTRUCTS)
    parts = {name: unit * max(1, round(share / len(unit.encode()))) for name, unit in CONSTRUCTS.items()}
    return "".join(parts.values()), parts


def best_of(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kb", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--write", help="also write the generated file here")
    args = ap.parse_args()
    text, parts = build(args.kb)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    print(f"adversarial list: {len(text.encode()):,} bytes, {text.count(chr(10)):,} lines, {len(parts)} constructs")
    print(f"{'construct':32} {'bytes':>8} {'scan s':>8} {'collect s':>10} {'anchors s':>10}")
    for name, part in parts.items():
        scan_s = best_of(args.repeat, lambda: scan_text(part))
        collect_s = best_of(args.repeat, lambda: list(iter_links(part)))
        anchors_s = best_of(args.repeat, lambda: Document(part).anchors)
        print(f"{name:32} {len(part.encode()):>8,} {scan_s:>8.3f} {collect_s:>10.3f} {anchors_s:>10.3f}")
    scan_s = best_of(args.repeat, lambda: scan_text(text))
    collect_s = best_of(args.repeat, lambda: list(iter_links(text)))
    anchors_s = best_of(args.repeat, lambda: Document(text).anchors)
    ok = scan_s < BOUND_S and collect_s < BOUND_S and anchors_s < BOUND_S
    print(f"whole file: scan {scan_s:.3f} s, check's link collection {collect_s:.3f} s, the anchors {anchors_s:.3f} s "
          f"(bound {BOUND_S:.0f} s each, best of {args.repeat}; a loaded machine reads slower): "
          f"{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
