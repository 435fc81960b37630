"""Resolution: cache first, then batched, paced requests to arXiv and Semantic Scholar, then verify and merge.

Each entry walks the same stages; a stage waits for one answer ("lookup") and moves on:

    ids        the ids the list links: arXiv `id_list` (100 a request) and S2 `/paper/batch` (500 a request)
    s2_title   S2 `/paper/search/bulk`: one boolean query ORs 40 quoted titles, matched locally (floods narrowed)
    ax_title   arXiv `search_query`: 10 `ti:"..."` phrases ORed, matched locally
    s2_match   where both batches found nothing: one S2 bulk words query for 20 titles (distinctive
               words ANDed), `/paper/search/match` (one title a request) for a title too short for
               it or left unsettled by a full page
    complete   the other service's record of a resolved paper (by arXiv id or DOI), batched
    done

Two lanes, one per service, run concurrently; each sends one request at a time through its pacer and
always picks the most useful batch it can build from the entries' current needs. Every answer is
written to the cache the moment it arrives (kill -9 loses nothing finished; a rerun asks nothing twice).
A failed request (after the retry policy) is not cached: the entries it served move on, and keep the
error as their reason if nothing else resolves them.

The package, one job a module:

    stages.py   the stages (an enum), what an entry waits on, and the pure transitions
    planner.py  which batch each lane sends next, from the entries' needs (pure)
    lookups.py  cache bookkeeping: answers by (namespace, key), cached as they arrive
    driver.py   the async lanes, sending through the clients (which tests may pass in)
    api.py      entries, texts or files in; resolutions and their cost out
"""

from paperenrich.resolve.api import (EnrichResult, ListResolutions, count_outcomes, enrich_list, enrich_lists,
                                     resolve_entries, resolve_text, resolve_texts)
from paperenrich.resolve.driver import Resolver, Stats
from paperenrich.resolve.lookups import (NS_ARXIV, NS_AX_TITLE, NS_RECORDS, NS_S2, NS_S2_MATCH, NS_S2_TITLE, Lookups,
                                         namespace_ttls)
from paperenrich.resolve.planner import Board, plan_arxiv, plan_s2
from paperenrich.resolve.stages import Stage, Work, advance, needs, plan_work, search_title

__all__ = [
    "NS_ARXIV", "NS_AX_TITLE", "NS_RECORDS", "NS_S2", "NS_S2_MATCH", "NS_S2_TITLE", "Board", "EnrichResult",
    "ListResolutions", "Lookups", "Resolver", "Stage", "Stats", "Work", "advance", "count_outcomes", "enrich_list",
    "enrich_lists", "namespace_ttls", "needs", "plan_arxiv", "plan_s2", "plan_work", "resolve_entries", "resolve_text",
    "resolve_texts", "search_title",
]
