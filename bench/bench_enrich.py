"""Enrichment cost on the five seed lists against the local emulators, at the real pace by default.

    python3 bench/bench_enrich.py                 # arXiv 1 request / 3 s, S2 1 request / s (about a minute)
    python3 bench/bench_enrich.py --time-scale 0.01   # the same run, paces scaled down (a few seconds)

Prints, for one cold run over the entries of all five lists (one batched resolution) and a warm rerun:
- requests made against the batching lower bounds: ceil(arXiv ids / 100) arXiv id_list requests,
  ceil(entries with ids / 500) S2 batch requests, and title requests per title-only entry;
- cold wall time against the rate-limit lower bound of the requests made: the busier lane's
  (requests - 1) x interval, as both lanes run concurrently; the ratio should be within 1.10;
- the warm rerun's requests (0 expected) and process time (under 1 s expected).
Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from paperenrich.cache import Cache  # noqa: E402
from paperenrich.config import Settings  # noqa: E402
from paperenrich.listparse import scan_text  # noqa: E402
from paperenrich.resolve import resolve_entries  # noqa: E402
from tests.emulator import ScholarWorld  # noqa: E402

SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))


def seed_entries():
    entries = []
    for seed in SEEDS:
        entries.extend(scan_text(seed.read_text(encoding="utf-8"), source=str(seed)).entries)
    return entries


def resolve(entries, settings):
    cache = Cache(settings.cache_dir)
    try:
        return asyncio.run(resolve_entries(entries, settings, cache=cache))
    finally:
        cache.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-scale", type=float, default=1.0, help="emulator time scale (1 = the real paces)")
    args = parser.parse_args()
    entries = seed_entries()
    arxiv_ids = {e.ids.arxiv for e in entries if e.ids.arxiv}
    with_ids = sum(not e.ids.is_empty() for e in entries)
    s2_ids = {e.ids.arxiv or e.ids.doi or e.ids.acl for e in entries if e.ids.arxiv or e.ids.doi or e.ids.acl}
    title_only = sum(e.ids.is_empty() for e in entries)
    print(f"seeds: {len(SEEDS)} lists, {len(entries)} entries, {len(arxiv_ids)} distinct arXiv ids, "
          f"{len(s2_ids)} distinct ids S2 can batch (arXiv, DOI, ACL), {with_ids} entries with ids, {title_only} title-only entries")

    with ScholarWorld(time_scale=args.time_scale, s2_api_key="bench-key") as world, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key="bench-key",
                            arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled,
                            cache_dir=Path(tmp) / "cache")
        started = time.monotonic()
        resolutions, stats = resolve(entries, settings)
        wall = time.monotonic() - started
        log = world.log
        statuses = Counter(r.status for r in log.records())
        req = stats.requests
        arxiv_sent = log.count(service="arxiv")
        s2_sent = log.count(service="s2")
        resolved = sum(r.paper is not None for r in resolutions)
        print(f"\ncold run: {resolved}/{len(resolutions)} resolved "
              f"({stats.outcomes['by_id']} by id, {stats.outcomes['by_title']} by title, {stats.outcomes['unresolved']} unresolved)")
        print(f"  requests by kind: {dict(sorted(req.items()))}; HTTP statuses seen: {dict(statuses)}")
        print(f"  arXiv id_list requests   {req['arxiv_id_list']:4d}  lower bound ceil({len(arxiv_ids)}/100) = {math.ceil(len(arxiv_ids) / 100)}"
              f"  (+{req['arxiv_id_followup']} follow-up batches for arXiv ids found by title)")
        print(f"  S2 batch requests        {req['s2_batch']:4d}  lower bound ceil({len(s2_ids)}/500) = {math.ceil(len(s2_ids) / 500)}"
              f"  (+{req['s2_batch_followup']} follow-up batches)")
        titles = req["s2_bulk_search"] + req["s2_bulk_search_next_page"] + req["arxiv_title_search"] + req["s2_match"]
        print(f"  title requests           {titles:4d}  for {title_only} title-only entries = {titles / max(title_only, 1):.3f} per entry"
              f"  (S2 bulk {req['s2_bulk_search']} + {req['s2_bulk_search_next_page']} next pages, "
              f"arXiv ORed ti: {req['arxiv_title_search']}, S2 match {req['s2_match']})")
        arxiv_lane = max(arxiv_sent - 1, 0) * settings.arxiv_interval
        s2_lane = max(s2_sent - 1, 0) / settings.effective_s2_rps
        bound = max(arxiv_lane, s2_lane)
        print(f"  wall {wall:.2f} s; rate-limit lower bound of the {arxiv_sent} arXiv + {s2_sent} S2 requests sent: "
              f"{bound:.2f} s (arXiv lane {arxiv_lane:.2f} s, S2 lane {s2_lane:.2f} s); ratio {wall / bound if bound else float('nan'):.3f}")
        print(f"  time waiting on our own pacers: {stats.rate_wait:.2f} s")
        for service in ("arxiv", "s2"):
            records = log.records(service=service)
            refused = [(i, r) for i, r in enumerate(records) if r.status == 429]
            for i, r in refused:  # a 429 means our pace broke the service's rule: show the gap that did it
                gap = r.start - records[i - 1].start if i else float("nan")
                print(f"  429 from {service}: request {i + 1} of {len(records)}, {gap:.3f} s after the previous one")

        log.clear()
        cpu = time.process_time()
        started = time.monotonic()
        warm_entries = seed_entries()
        warm, warm_stats = resolve(warm_entries, settings)
        print(f"\nwarm rerun (scan + resolve of all five lists): {len(log)} requests, "
              f"{time.process_time() - cpu:.3f} s process time, {time.monotonic() - started:.3f} s wall; "
              f"same results: {[r.to_dict() for r in warm] == [r.to_dict() for r in resolutions]}")


if __name__ == "__main__":
    main()
