"""Enrichment cost on the five seed lists against the local emulators, at the real pace by default.

    python3 bench/bench_enrich.py                     # arXiv 1 request / 3 s, S2 1 request / s (a few minutes)
    python3 bench/bench_enrich.py --time-scale 0.05   # the same runs, paces scaled down

Two ways a maintainer or a CI job enriches five lists, each from a cold cache:
- **five processes**: `paperenrich enrich SEED` five times, one after another (one cache, one pace file);
- **one run**: `paperenrich enrich` over all five lists at once (shared batches and pace), started
  once the lanes the five processes left are free (one arXiv interval after their last request).
For each it prints:
- the HTTP statuses the emulators answered (a 429 means our pace broke a rule: its gap is shown);
- requests per service against the batching lower bounds: ceil(arXiv ids / 100) arXiv id_list requests,
  ceil(ids S2 can batch / 500) S2 batch requests, and title requests per title-only entry (phrase
  searches and S2 words queries), with S2 `/paper/search/match` calls counted apart;
- wall time against the rate-limit lower bound of the requests sent: the busier lane's
  (requests - 1) x interval, as both lanes run concurrently; the aim is a ratio within 1.10.
Then a warm rerun of the one run (0 requests expected). Timings are printed, never asserted; on a
shared, loaded machine they are noisy.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from paperenrich.scanner import scan_text  # noqa: E402
from tests.emulator import ScholarWorld  # noqa: E402

SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))


def list_entries(path: Path):
    return scan_text(path.read_text(encoding="utf-8"), source=str(path)).entries


def lower_bounds(entries) -> dict[str, int]:
    arxiv_ids = {e.ids.arxiv for e in entries if e.ids.arxiv}
    s2_ids = {e.ids.arxiv or e.ids.doi or e.ids.acl for e in entries if e.ids.arxiv or e.ids.doi or e.ids.acl}
    return {"arxiv_ids": len(arxiv_ids), "s2_ids": len(s2_ids), "title_only": sum(e.ids.is_empty() for e in entries),
            "arxiv_id_list": math.ceil(len(arxiv_ids) / 100), "s2_batch": math.ceil(len(s2_ids) / 500)}


def run_enrich(paths: list[Path], env: dict[str, str], cwd: Path) -> tuple[dict, float]:
    """One `paperenrich enrich` process over `paths`: its JSON summary and its wall time."""
    out = cwd / "out.json"
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "paperenrich", "enrich", *map(str, paths), "--format", "json",
                           "-o", str(out), "--no-progress"], env=env, cwd=cwd, capture_output=True, text=True)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"enrich failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(out.read_text(encoding="utf-8")), wall


def report(name: str, world: ScholarWorld, docs: list[dict], wall: float, bounds: list[dict[str, int]],
           arxiv_interval: float, s2_interval: float) -> float:
    log = world.log
    statuses = Counter(r.status for r in log.records())
    req: Counter = Counter()
    outcomes: Counter = Counter()
    for doc in docs:
        req.update(doc["summary"]["requests"])
        outcomes.update({k: doc["summary"][k] for k in ("by_id", "by_title", "by_override", "unresolved", "errors")})
    entries = sum(len(doc["entries"]) for doc in docs)
    bound = {k: sum(b[k] for b in bounds) for k in bounds[0]}
    arxiv_sent, s2_sent = log.count(service="arxiv"), log.count(service="s2")
    matches = log.count(service="s2", path="/paper/search/match")
    print(f"\n{name}: {entries} entries: {outcomes['by_id']} by id, {outcomes['by_title']} by title, "
          f"{outcomes['unresolved']} unresolved ({outcomes['errors']} with errors)")
    print(f"  HTTP statuses seen: {dict(statuses)}; 429s: {statuses.get(429, 0)}")
    print(f"  requests by kind: {dict(sorted(req.items()))}")
    print(f"  arXiv sent {arxiv_sent:4d}: id_list {req['arxiv_id_list']} (lower bound {bound['arxiv_id_list']} = ceil(ids/100) per run), "
          f"{req['arxiv_id_followup']} follow-ups, {req['arxiv_title_search']} ORed ti: searches")
    print(f"  S2 sent    {s2_sent:4d}: batch {req['s2_batch']} (lower bound {bound['s2_batch']} = ceil(ids/500) per run), "
          f"{req['s2_batch_followup']} follow-ups, bulk {req['s2_bulk_search']} + {req['s2_bulk_search_narrowed']} narrowed "
          f"after a flood + {req['s2_bulk_search_next_page']} next pages")
    titles = sum(req[k] for k in ("s2_bulk_search", "s2_bulk_search_narrowed", "s2_bulk_search_next_page", "arxiv_title_search",
                                  "s2_bulk_words"))
    print(f"  title requests {titles} for {bound['title_only']} title-only entries ({titles / max(bound['title_only'], 1):.3f} each; "
          f"{req['s2_bulk_words']} S2 words queries among them); "
          f"/paper/search/match apart: {matches} (one title each)")
    arxiv_lane = max(arxiv_sent - 1, 0) * arxiv_interval
    s2_lane = max(s2_sent - 1, 0) * s2_interval
    lane = max(arxiv_lane, s2_lane)
    print(f"  wall {wall:.2f} s; busiest lane's rate-limit bound {lane:.2f} s (arXiv {arxiv_lane:.2f} s, S2 {s2_lane:.2f} s); "
          f"ratio {wall / lane if lane else float('nan'):.3f} (aim <= 1.10)")
    for service in ("arxiv", "s2"):
        records = log.records(service=service)
        for i, r in enumerate(records):
            if r.status == 429:  # our pace broke the service's rule: show the gap that did it
                gap = r.start - records[i - 1].start if i else float("nan")
                print(f"  429 from {service}: request {i + 1} of {len(records)}, {gap:.3f} s after the previous one")
    return lane


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="emulator time scale (1 = the real paces)")
    args = parser.parse_args()
    if not SEEDS:
        sys.exit("no seed lists in ../shared/seeds")
    per_list = [lower_bounds(list_entries(seed)) for seed in SEEDS]
    together = lower_bounds([e for seed in SEEDS for e in list_entries(seed)])
    print(f"seeds: {len(SEEDS)} lists; together {together['arxiv_ids']} distinct arXiv ids, {together['s2_ids']} ids S2 "
          f"can batch (arXiv, DOI, ACL), {together['title_only']} title-only entries")

    with ScholarWorld(time_scale=args.time_scale, s2_api_key="bench-key") as world, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERENRICH_", "S2_API_KEY"))}
        base.update(world.env(), PAPERENRICH_PACE_FILE=str(tmp / "pace.db"),
                    PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
        arxiv_interval = world.arxiv_interval_scaled
        s2_interval = 1.0 / world.s2_rps_scaled

        # Five processes, one after another, as a CI job over five lists would run them.
        world.log.clear()
        env = {**base, "PAPERENRICH_CACHE": str(tmp / "five")}
        docs, started = [], time.monotonic()
        for seed in SEEDS:
            doc, _ = run_enrich([seed], env, tmp)
            docs.append(doc)
        report("five consecutive processes", world, docs, time.monotonic() - started, per_list, arxiv_interval, s2_interval)

        # One run over all five lists, from free lanes, as a run on its own starts: started right
        # behind the processes above, its first arXiv request would wait out their last one (the
        # machine-wide pace doing its job), a wait that belongs to them, not to this run's bound.
        last_arxiv = max((r.start for r in world.log.records(service="arxiv")), default=0.0)
        time.sleep(max(0.0, last_arxiv + arxiv_interval * 1.1 - time.monotonic()))
        world.log.clear()
        env = {**base, "PAPERENRICH_CACHE": str(tmp / "one")}
        doc, wall = run_enrich(SEEDS, env, tmp)
        lane = report("one run over all five", world, [doc], wall, [together], arxiv_interval, s2_interval)

        world.log.clear()
        warm, warm_wall = run_enrich(SEEDS, env, tmp)
        print(f"\nwarm rerun of the one run: {len(world.log)} requests, {warm_wall:.3f} s wall (process start-up included); "
              f"same results: {warm['entries'] == doc['entries']}")
        # What a process costs with nothing to ask (start-up, scan, output) is in every wall above;
        # shown apart because it grows with the machine's load, not with the pace.
        print(f"one run's wall less that fixed cost: {wall - warm_wall:.2f} s, ratio {(wall - warm_wall) / lane if lane else float('nan'):.3f} "
              f"(the ratio above, {wall / lane if lane else float('nan'):.3f}, includes it)")


if __name__ == "__main__":
    main()
