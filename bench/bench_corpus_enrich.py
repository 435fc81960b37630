"""Enrich the hand-labelled corpus lists against the emulator and score the labelled entries.

    python3 bench/bench_corpus_enrich.py [--only SUBSTRING] [--time-scale 0.01] [--misses]

The emulator's world holds the papers of the labelled entries of the corpus lists in
`../shared/lists/` (labels: tests/data/corpus_labels/, world records: tests/emulator/data/
corpus_papers.json, built from the labels), with near-duplicate traps and a few papers kept out on
purpose, as for the seeds. For each list we `enrich` the whole file (one process, one cache, at the
scaled pace), find each labelled entry's resolution (of the scanned entries whose line range covers
the label's line, the one with the label's title, else one with its arXiv id or DOI that another
label of the line does not claim by title; any one only when the label is alone on its line:
tests/emulator/corpus_truth.py) and compare the paper it got with the world's record for that
label (same S2 paper id):

- right   : resolved to the labelled paper;
- wrong   : resolved to another paper (a wrong match: the aim is 0, absent papers included);
- unres.  : no paper (not found / ambiguous / error), or no scanned entry covers the label's line;
- recall  = right / labelled entries of papers the world holds. A labelled paper the world keeps
  out (`unknown`, or `elsewhere` marked absent) is not in the denominator: for it, "unresolved" is
  the right answer and any paper is a wrong match (counted under `wrong`, column `absent` shows
  how many labels are absent).
The aim (issue 13) is 0 wrong matches and recall >= 0.95 on every list. Times are wall seconds on a
shared 2-core machine: noisy, printed for scale only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from paperenrich import api  # noqa: E402
from paperenrich.config import Settings  # noqa: E402
from tests.emulator import ScholarWorld  # noqa: E402
from tests.emulator.corpus_truth import labelled_entry, labelled_truth  # noqa: E402

LABELS = REPO / "tests" / "data" / "corpus_labels"
LISTS = REPO.parent / "shared" / "lists"
TARGET_RECALL = 0.95


def score_list(label: dict, resolutions, truth) -> dict:
    row = {"labelled": 0, "absent": 0, "right": 0, "wrong": 0, "unresolved": 0, "misses": []}
    by_line: dict[int, list[dict]] = {}
    for item in label["entries"]:
        by_line.setdefault(item["line"], []).append(item)
    for item in label["entries"]:
        expected = truth[(label["file"], item["line"], item["title"])]
        row["labelled"] += 1
        row["absent"] += expected is None
        got = labelled_entry(item, by_line[item["line"]], resolutions)
        paper = got.paper if got else None
        if paper is None:
            if expected is not None:
                row["unresolved"] += 1
                row["misses"].append(f"  unresolved  line {item['line']}: {item['title'][:70]!r} "
                                     f"({got.reason if got else 'no scanned entry stands for the label'})")
        elif paper.s2_id == expected:
            row["right"] += 1
        else:
            row["wrong"] += 1
            row["misses"].append(f"  WRONG       line {item['line']}: {item['title'][:70]!r} -> {paper.title[:70]!r}")
    held = row["labelled"] - row["absent"]
    row["recall"] = row["right"] / held if held else 1.0
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="only lists whose name contains this")
    parser.add_argument("--time-scale", type=float, default=0.01, help="scales the services' rate intervals")
    parser.add_argument("--misses", action="store_true", help="print every wrong and unresolved label")
    args = parser.parse_args()
    labels = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(LABELS.glob("*.json")) if args.only in p.name]
    totals = {"labelled": 0, "absent": 0, "right": 0, "wrong": 0, "unresolved": 0}
    failing = []
    with ScholarWorld(time_scale=args.time_scale, s2_api_key="test-key") as world, \
            tempfile.TemporaryDirectory() as tmp:
        world.corpus.wait_indexed()
        truth = labelled_truth(world.corpus, labels)
        settings = Settings(arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key="test-key",
                            arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled,
                            cache_dir=Path(tmp) / "cache", pace_file=Path(tmp) / "pace.db", http_timeout=10.0)
        print(f"{'list':60} {'lab':>4} {'abs':>4} {'right':>5} {'wrong':>5} {'unres':>5} {'recall':>6} {'time':>6}")
        for label in labels:
            started = time.monotonic()
            result = api.enrich(LISTS / label["file"], settings)
            elapsed = time.monotonic() - started
            row = score_list(label, list(result), truth)
            ok = row["wrong"] == 0 and row["recall"] >= TARGET_RECALL
            if not ok:
                failing.append(label["file"])
            print(f"{label['file'][:60]:60} {row['labelled']:4} {row['absent']:4} {row['right']:5} {row['wrong']:5} "
                  f"{row['unresolved']:5} {row['recall']:6.3f} {elapsed:5.1f}s {'ok' if ok else 'MISS'}")
            if args.misses:
                print("\n".join(row["misses"]))
            for key in totals:
                totals[key] += row[key]
    held = totals["labelled"] - totals["absent"]
    print(f"\nall {len(labels)} lists: {totals['labelled']} labelled entries ({totals['absent']} of absent papers), "
          f"{totals['right']} right, {totals['wrong']} wrong matches, {totals['unresolved']} unresolved; "
          f"recall {totals['right'] / held if held else 1.0:.3f} of {held} held (aim: 0 wrong, >= {TARGET_RECALL} per list); "
          f"{len(labels) - len(failing)} of {len(labels)} lists meet it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
