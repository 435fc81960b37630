"""Resolution: cache first, then batched, paced requests to arXiv and Semantic Scholar, then verify and merge.

Each entry walks the same stages; a stage waits for one answer ("lookup") and moves on:

    ids        the ids the list links: arXiv `id_list` (100 a request) and S2 `/paper/batch` (500 a request)
    s2_title   S2 `/paper/search/bulk`: one boolean query ORs 40 quoted titles, matched locally (floods narrowed)
    ax_title   arXiv `search_query`: 10 `ti:"..."` phrases ORed, matched locally
    s2_match   S2 `/paper/search/match`, one title a request: only where both batches found nothing
    complete   the other service's record of a resolved paper (by arXiv id or DOI), batched
    done

Two lanes, one per service, run concurrently; each sends one request at a time through its pacer and
always picks the most useful batch it can build from the entries' current needs. Every answer is
written to the cache the moment it arrives (kill -9 loses nothing finished; a rerun asks nothing twice).
A failed request (after the retry policy) is not cached: the entries it served move on, and keep the
error as their reason if nothing else resolves them.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import httpx

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.errors import NetworkUnavailable
from paperenrich.http import DeadlineExceeded, Pacer, ServiceUnreachable, make_client
from paperenrich.pacing import service_pacer
from paperenrich.merge import merge
from paperenrich.model import Candidate, Entry, Match, Resolution, ScanResult
from paperenrich.overrides import Overrides
from paperenrich.sources import ServiceRefusing
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2
from paperenrich.sources.records import ArxivRecord, RecordError, S2Record, is_malformed, load_cached, malformed_message
from paperenrich.title_match import match_similarity
from paperenrich.titles import normalize_title
from paperenrich.verify import TITLE_MIN, Choice, Facts, choose, from_arxiv, from_s2, verify_id, with_link_hints

# Cache namespaces (see cache.py); values are records, lists of records, or None ("not found").
NS_ARXIV, NS_S2, NS_S2_TITLE, NS_AX_TITLE, NS_S2_MATCH = "arxiv", "s2", "s2_title", "arxiv_title", "s2_match"
# The record class each namespace holds (one record, a list of them, or None).
NS_RECORDS = {NS_ARXIV: ArxivRecord, NS_AX_TITLE: ArxivRecord, NS_S2: S2Record, NS_S2_TITLE: S2Record, NS_S2_MATCH: S2Record}
TITLE_KEEP = 0.6  # a search hit is kept as a candidate of a title if this similar to it
# Spacing is measured when a request is handed to the client; it reaches the service a little later
# when the event loop is busy (parsing a large answer), so keep a small margin under the service's rule.

# A short nickname before a colon ("GPT3: Language Models are ...") is left out of search phrases:
# a phrase must appear contiguously in the paper's title, and the nickname often does not.
_NICKNAME = re.compile(r"^\s*[^:]{1,30}:\s+(?P<rest>.{12,})$")


def search_title(title: str) -> str:
    """The phrase to search for: the title without a short "Nickname:" prefix, unless the rest alone
    is generic ("YOLOv3: An Incremental Improvement"), when it would find the wrong papers."""
    from paperenrich.title_match import is_generic_rest

    m = _NICKNAME.match(title)
    return m["rest"] if m and not is_generic_rest(m["rest"]) else title


@dataclass
class Stats:
    """What a run did: requests per endpoint, time waiting on rate limits, outcomes."""

    requests: Counter = field(default_factory=Counter)
    stopped: dict = field(default_factory=dict)  # service -> why the run stopped asking it (circuit breaker)
    rate_wait: float = 0.0
    outcomes: Counter = field(default_factory=Counter)
    wall: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "requests_total": sum(self.requests.values()),
            "rate_limit_wait_s": round(self.rate_wait, 3),
            "wall_s": round(self.wall, 3),
            **{k: self.outcomes.get(k, 0) for k in ("by_id", "by_title", "by_override", "unresolved", "errors")},
            "stopped": dict(self.stopped),
        }


def namespace_ttls(settings: Settings) -> dict[str, float]:
    """How long each namespace's answers stay fresh: arXiv metadata long; anything from S2 carries
    citation counts, so the short citation TTL; negative answers have their own (short) TTL."""
    return {
        NS_ARXIV: settings.ttl_metadata, NS_AX_TITLE: settings.ttl_metadata,
        NS_S2: settings.ttl_citations, NS_S2_TITLE: settings.ttl_citations, NS_S2_MATCH: settings.ttl_citations,
    }


class Lookups:
    """Answers by (namespace, key): from the cache first, written back the moment they arrive."""

    def __init__(self, cache: Cache, settings: Settings):
        self.cache = cache
        self.settings = settings
        self.known: dict[tuple[str, str], Any] = {}
        self.errors: dict[tuple[str, str], str] = {}
        self._checked: set[tuple[str, str]] = set()
        self._ttls = namespace_ttls(settings)

    def check_cache(self, ns: str, keys: Iterable[str]) -> None:
        todo = [k for k in dict.fromkeys(keys) if (ns, k) not in self._checked]
        if not todo:
            return
        self._checked.update((ns, k) for k in todo)
        if self.settings.refresh:
            return
        found = self.cache.get_many(ns, todo, max_age=self._ttls[ns], negative_max_age=self.settings.ttl_negative)
        for key, cached in found.items():
            try:
                self.known[(ns, key)] = load_cached(NS_RECORDS[ns], cached.value)
            except RecordError:
                continue  # a cached value that does not validate (an older or damaged write) is a miss

    def has(self, ns: str, key: str) -> bool:
        return (ns, key) in self.known or (ns, key) in self.errors

    def get(self, ns: str, key: str) -> Any:
        return self.known.get((ns, key))

    def put(self, ns: str, items: dict[str, Any]) -> None:
        """Answers in; one holding a record that did not validate is an error for its key, never cached."""
        bad = {key: value for key, value in items.items() if is_malformed(value)}
        for key, value in bad.items():
            self.fail(ns, [key], malformed_message(value))
        items = {key: value for key, value in items.items() if key not in bad}
        self.cache.put_many(ns, items)
        for key, value in items.items():
            self.known[(ns, key)] = value
            self.errors.pop((ns, key), None)

    def fail(self, ns: str, keys: Iterable[str], message: str) -> None:
        for key in keys:
            self.errors[(ns, key)] = message


@dataclass
class Work:
    """One entry on its way through the stages."""

    entry: Entry
    arxiv_id: str | None  # from the list (or a pin)
    s2_key: str | None  # the best S2 batch id form the list gives (or a pin)
    title_key: str  # normalised search title: the key of its title lookups
    query_title: str
    pinned: bool = False
    rejected: frozenset[str] = frozenset()
    stage: str = "ids"
    arxiv_rec: dict | None = None
    s2_rec: dict | None = None
    match: Match | None = None
    choice: Choice | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _s2_key(entry: Entry, arxiv_id: str | None) -> str | None:
    """The one id form S2's batch endpoint is asked for: ARXIV, then DOI, then ACL.

    Other ids (OpenReview, PMLR, USENIX, NeurIPS, IEEE, VLDB pages) have no S2 id form: S2's `URL:`
    form only knows arxiv.org, aclweb.org, acm.org and biorxiv.org, all covered above. Such entries
    go straight to the title lookups instead of spending batch slots on certain misses.
    """
    ids = entry.ids
    if arxiv_id:
        return s2.id_key("ARXIV", arxiv_id)
    if ids.doi:
        return s2.id_key("DOI", ids.doi)
    if ids.acl:
        return s2.id_key("ACL", ids.acl)
    return None


def plan_work(entries: Iterable[Entry], overrides: Overrides) -> list[Work]:
    works = []
    for entry in entries:
        pin = overrides.pin_for(entry)
        arxiv_id = ax.canonical_id(entry.ids.arxiv) if entry.ids.arxiv else None
        s2_key = None
        if pin:
            kind, value = pin
            arxiv_id = value if kind == "arxiv" else None
            s2_key = {"arxiv": s2.id_key("ARXIV", value), "doi": s2.id_key("DOI", value), "s2": value}[kind]
        else:
            s2_key = _s2_key(entry, arxiv_id)
        query = search_title(entry.title)
        works.append(
            Work(entry, arxiv_id, s2_key, normalize_title(query), query, pinned=bool(pin), rejected=overrides.rejected_for(entry))
        )
    return works


class Resolver:
    """Drives every Work to `done` with two concurrent lanes (arXiv, S2)."""

    def __init__(self, works: list[Work], settings: Settings, lookups: Lookups, on_progress: Callable[[], None] | None = None):
        self.works = works
        self.settings = settings
        self.lookups = lookups
        self.stats = Stats()
        self.on_progress = on_progress or (lambda: None)
        self.dead: dict[str, str] = {}  # lane -> why it cannot be used ("offline", unreachable, refused)
        self.contacted: set[str] = set()  # lanes that got at least one answer
        self.bulk_supported = True
        self._changed = asyncio.Event()
        self._inflight: set[tuple[str, str]] = set()
        self.pacers: list[Pacer] = []

    # --- the stage machine -------------------------------------------------------------------
    def needs(self, w: Work) -> list[tuple[str, str]]:
        """The lookups the entry waits on in its current stage."""
        if w.stage == "ids":
            out = []
            if w.arxiv_id:
                out.append((NS_ARXIV, w.arxiv_id))
            if w.s2_key:
                out.append((NS_S2, w.s2_key))
            return out
        if not w.title_key and w.stage in ("s2_title", "ax_title", "s2_match"):
            return []  # a title with no words: nothing to search for
        if w.stage == "s2_title":
            return [(NS_S2_TITLE, w.title_key)] if self.bulk_supported else []
        if w.stage == "ax_title":
            return [(NS_AX_TITLE, w.title_key)]
        if w.stage == "s2_match":
            return [(NS_S2_MATCH, w.title_key)]
        if w.stage == "complete":
            return self._partner_needs(w)
        return []

    def _partner_needs(self, w: Work) -> list[tuple[str, str]]:
        out = []
        if w.arxiv_rec is None and w.s2_rec is not None:
            arxiv_id = (w.s2_rec.get("externalIds") or {}).get("ArXiv")
            if arxiv_id and ax.is_valid_id(arxiv_id):
                out.append((NS_ARXIV, arxiv_id))
        if w.s2_rec is None and w.arxiv_rec is not None:
            out.append((NS_S2, s2.id_key("ARXIV", w.arxiv_rec["arxiv"])))
        return out

    def advance(self, w: Work) -> None:
        """Move the entry on as far as the known answers allow."""
        while w.stage != "done":
            needs = self.needs(w)
            if any(not self.lookups.has(ns, key) for ns, key in needs):
                return
            for ns, key in needs:
                if (ns, key) in self.lookups.errors:
                    message = self.lookups.errors[(ns, key)]
                    if message not in w.errors:
                        w.errors.append(message)
            getattr(self, f"_after_{w.stage}")(w)

    def _after_ids(self, w: Work) -> None:
        arxiv_rec = self.lookups.get(NS_ARXIV, w.arxiv_id) if w.arxiv_id else None
        s2_rec = self.lookups.get(NS_S2, w.s2_key) if w.s2_key else None
        accepted: list[tuple[str, dict, Any]] = []
        for source, rec, facts_of, how in (
            ("arxiv", arxiv_rec, from_arxiv, f"arXiv id {w.arxiv_id}"),
            ("s2", s2_rec, from_s2, f"S2 id {w.s2_key}"),
        ):
            if rec is None:
                continue
            facts = facts_of(rec)
            if facts.identity() & w.rejected:
                w.notes.append(f"{how}: rejected by the overrides file")
                continue
            if w.pinned:
                accepted.append((source, rec, None))
                continue
            verdict = verify_id(w.entry, facts, how)
            if verdict.accepted:
                accepted.append((source, rec, verdict))
            else:
                w.notes.extend(verdict.reasons)
        if not accepted:
            if w.pinned:
                w.notes.append("the id pinned by the overrides file was not found")
            w.stage = "done" if w.pinned else "s2_title"
            return
        for source, rec, _ in accepted:
            if source == "arxiv":
                w.arxiv_rec = rec
            else:
                w.s2_rec = rec
        sources = "+".join(s for s, _, _ in accepted)
        if w.pinned:
            w.match = Match("override", sources, 1.0, ("pinned by the overrides file",))
        else:
            reasons = tuple(dict.fromkeys(r for _, _, v in accepted for r in v.reasons))
            w.match = Match("id", sources, 1.0, reasons)
        w.stage = "complete"

    def _title_facts(self, w: Work) -> list[Facts]:
        facts: list[Facts] = []
        for ns, convert in ((NS_S2_TITLE, from_s2), (NS_AX_TITLE, from_arxiv), (NS_S2_MATCH, from_s2)):
            value = self.lookups.get(ns, w.title_key)
            if value is not None and not isinstance(value, list):
                value = [value]
            facts.extend(convert(rec) for rec in value or ())
        return facts

    def _try_title(self, w: Work, next_stage: str) -> None:
        choice = choose(w.entry, self._title_facts(w), w.rejected)
        w.choice = choice
        if choice.paper is None:
            w.stage = "done" if (choice.ambiguous or next_stage == "done") else next_stage
            return
        sources = sorted({f.source for f in choice.paper})
        for f in choice.paper:
            if f.source == "arxiv" and w.arxiv_rec is None:
                w.arxiv_rec = f.record
            if f.source == "s2" and w.s2_rec is None:
                w.s2_rec = f.record
        w.match = Match("title", "+".join(sources), min(1.0, choice.verdict.score), choice.verdict.reasons)
        w.stage = "complete"

    def _after_s2_title(self, w: Work) -> None:
        self._try_title(w, "ax_title")

    def _after_ax_title(self, w: Work) -> None:
        self._try_title(w, "s2_match")

    def _after_s2_match(self, w: Work) -> None:
        self._try_title(w, "done")

    def _after_complete(self, w: Work) -> None:
        for ns, key in self._partner_needs(w):
            rec = self.lookups.get(ns, key)
            if rec is None:
                continue
            if ns == NS_ARXIV:
                w.arxiv_rec = rec
            else:
                w.s2_rec = rec
        if w.match and "+" not in w.match.source and w.arxiv_rec and w.s2_rec:
            w.match = Match(w.match.method, "arxiv+s2", w.match.score, w.match.reasons)
        w.stage = "done"

    def advance_all(self) -> None:
        """Advance every entry; an entry entering a new stage has its needs looked up in the cache
        (in one query per namespace) before anything is planned, so a warm run asks nothing."""
        while True:
            by_ns: dict[str, list[str]] = {}
            for w in self.works:
                for ns, key in self.needs(w):
                    by_ns.setdefault(ns, []).append(key)
            for ns, keys in by_ns.items():
                self.lookups.check_cache(ns, keys)
            stages = [w.stage for w in self.works]
            for w in self.works:
                self.advance(w)
            if stages == [w.stage for w in self.works]:
                break
        self.on_progress()

    # --- planning requests --------------------------------------------------------------------
    def _waiting(self, ns: str, stages: tuple[str, ...]) -> list[str]:
        """Keys of `ns` that entries in `stages` wait for, not known and not being fetched."""
        keys = []
        for w in self.works:
            if w.stage in stages:
                for n, key in self.needs(w):
                    if n == ns and not self.lookups.has(n, key) and (n, key) not in self._inflight:
                        keys.append(key)
        return list(dict.fromkeys(keys))

    def _upstream(self, stages: tuple[str, ...]) -> bool:
        return any(w.stage in stages for w in self.works)

    # A plan is (namespace, keys, label); the label names the request kind in Stats.requests.
    # Follow-ups (the other service's record of a resolved paper) wait until a full batch is ready
    # or no entry upstream can add more, so they cost as few requests as the batch limits allow.
    def plan_arxiv(self) -> tuple[str, list[str], str] | None:
        ids = self._waiting(NS_ARXIV, ("ids",))
        if ids:
            return NS_ARXIV, ids[: ax.ID_BATCH], "arxiv_id_list"
        # Titles before follow-ups: what arXiv does not find goes on to S2's one-title match, so a
        # title search holds up the other lane's last work; a follow-up holds up nothing. Titles wait
        # for a full OR group, or until no entry before this stage can add one: on the seeds each
        # title trickled in alone from S2's bulk answers, and a one-title request costs this lane
        # (the slower one) a whole 3 s slot.
        titles = self._waiting(NS_AX_TITLE, ("ax_title",))
        if len(titles) >= ax.TITLE_BATCH or (titles and not self._upstream(("ids", "s2_title"))):
            return NS_AX_TITLE, titles[: ax.TITLE_BATCH], "arxiv_title_search"
        follow = self._waiting(NS_ARXIV, ("complete",))
        if len(follow) >= ax.ID_BATCH:
            return NS_ARXIV, follow[: ax.ID_BATCH], "arxiv_id_followup"
        if follow and not self._upstream(("ids", "s2_title", "ax_title", "s2_match")):
            return NS_ARXIV, follow, "arxiv_id_followup"
        return None

    def plan_s2(self) -> tuple[str, list[str], str] | None:
        keys = self._waiting(NS_S2, ("ids",))
        if keys:
            return NS_S2, keys[: s2.ID_BATCH], "s2_batch"
        follow = self._waiting(NS_S2, ("complete",))
        if len(follow) >= s2.ID_BATCH:
            return NS_S2, follow[: s2.ID_BATCH], "s2_batch_followup"
        titles = self._waiting(NS_S2_TITLE, ("s2_title",))
        if len(titles) >= s2.TITLE_BATCH or (titles and not self._upstream(("ids",))):
            return NS_S2_TITLE, titles[: s2.TITLE_BATCH], "s2_bulk_search"
        matches = self._waiting(NS_S2_MATCH, ("s2_match",))
        if matches:
            return NS_S2_MATCH, matches[:1], "s2_match"
        if follow and not self._upstream(("ids", "s2_title", "ax_title", "s2_match")):
            return NS_S2, follow, "s2_batch_followup"
        return None

    # --- executing requests -------------------------------------------------------------------
    def _titles_of(self, keys: list[str]) -> dict[str, str]:
        """title key -> the search title of the first entry with that key."""
        out: dict[str, str] = {}
        for w in self.works:
            if w.title_key in keys and w.title_key not in out:
                out[w.title_key] = w.query_title
        return out

    @staticmethod
    def _assign(hits: list[dict], titles: dict[str, str]) -> dict[str, list[dict] | None]:
        """Search hits (arXiv or S2 records) shared out to the titles they resemble (None: nothing)."""
        out: dict[str, list[dict] | None] = {}
        for key, title in titles.items():
            kept = [h for h in hits if match_similarity(title, h.title or "") >= TITLE_KEEP]
            out[key] = kept or None
        return out

    async def _bulk_search(self, titles: dict[str, str]) -> list[dict]:
        """The hits of one ORed bulk query, narrowed where the page floods.

        The live bulk search matches title and abstract, stems terms and sorts by paperId, so one
        common title ("An Introduction", "Neural networks") can fill the 1000-paper page and hide the
        other titles of the batch. A full page with titles still unmatched is a flood: those titles
        are asked again in two smaller OR groups (recursively); a single title that still floods is
        asked within its list year (one year either side), then continuation pages are read,
        BULK_MAX_PAGES at most. A batch that does not flood costs one request, as before.
        """
        years = self._years_of(list(titles))
        return await self._bulk_narrowing(list(titles.values()), {titles[k]: years.get(k) for k in titles})

    async def _bulk_narrowing(self, queries: list[str], years: dict[str, int | None], year: str | None = None) -> list:
        hits, token = await self.s2_client.search_bulk(queries, year=year)
        if len(hits) < s2.BULK_PAGE:
            return hits  # the page holds every match: no flood
        unsettled = [q for q in queries if self._unsettled(hits, [q])]
        if not unsettled:
            return hits
        if len(unsettled) > 1:
            half = len(unsettled) // 2
            for group in (unsettled[:half], unsettled[half:]):
                self.stats.requests["s2_bulk_search_narrowed"] += 1
                hits = hits + await self._bulk_narrowing(group, years, year)
            return hits
        (query,) = unsettled
        listed = years.get(query)
        if listed and year is None:
            self.stats.requests["s2_bulk_search_narrowed"] += 1
            return hits + await self._bulk_narrowing([query], years, f"{listed - 1}-{listed + 1}")
        pages = 1
        while token and pages < s2.BULK_MAX_PAGES and self._unsettled(hits, [query]):
            page, token = await self.s2_client.search_bulk([query], token=token, year=year)
            self.stats.requests["s2_bulk_search_next_page"] += 1
            hits = hits + page
            pages += 1
        return hits

    def _years_of(self, keys: list[str]) -> dict[str, int | None]:
        """title key -> the list year of the first entry with that key (None when the list gives none)."""
        out: dict[str, int | None] = {}
        for w in self.works:
            if w.title_key in keys and w.title_key not in out:
                out[w.title_key] = with_link_hints(w.entry).year
        return out

    @staticmethod
    def _unsettled(hits: list[dict], titles: list[str]) -> bool:
        """Some title has no hit similar enough to pass as its paper."""
        return any(all(match_similarity(t, h.title or "") < TITLE_MIN for h in hits) for t in titles)

    async def _execute(self, ns: str, keys: list[str]) -> None:
        arxiv_client, s2_client = self.arxiv_client, self.s2_client
        if ns == NS_ARXIV:
            valid = [k for k in keys if ax.is_valid_id(k)]
            if len(valid) < len(keys):
                self.lookups.fail(ns, [k for k in keys if k not in valid], "malformed arXiv id")
            if not valid:
                return
            try:
                self.lookups.put(ns, await arxiv_client.fetch_ids(valid))
            except ax.EmptyFeed as exc:
                self._empty_id_feed(valid, str(exc))
        elif ns == NS_AX_TITLE:
            titles = self._titles_of(keys)
            try:
                hits = await arxiv_client.search_titles(list(titles.values()))
            except ax.EmptyFeed:
                # These titles are here because S2 found nothing confident either: two services
                # agreeing is a "not found" (cached with the short negative TTL).
                hits = []
            self.lookups.put(ns, self._assign(hits, titles))
        elif ns == NS_S2:
            self.lookups.put(ns, await s2_client.fetch_batch(keys))
        elif ns == NS_S2_TITLE:
            titles = self._titles_of(keys)
            try:
                hits = await self._bulk_search(titles)
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 404:
                    raise
                # A service without the bulk endpoint (the path itself is unknown): title batches
                # go to arXiv alone; `needs` stops asking for bulk searches.
                self.bulk_supported = False
                return
            self.lookups.put(ns, self._assign(hits, titles))
        elif ns == NS_S2_MATCH:
            titles = self._titles_of(keys)
            self.lookups.put(ns, {key: await s2_client.match_title(title) for key, title in titles.items()})

    def _empty_id_feed(self, ids: list[str], message: str) -> None:
        """arXiv kept answering an empty feed for ids: "not found" only for an id S2 has already
        said it does not know either; the others fail (not cached), so a rerun asks again."""
        unknown_to_s2 = {i: None for i in ids
                         if self.lookups.has(NS_S2, s2.id_key("ARXIV", i)) and self.lookups.get(NS_S2, s2.id_key("ARXIV", i)) is None
                         and (NS_S2, s2.id_key("ARXIV", i)) not in self.lookups.errors}
        self.lookups.put(NS_ARXIV, unknown_to_s2)
        self.lookups.fail(NS_ARXIV, [i for i in ids if i not in unknown_to_s2], f"{message}; a rerun asks again")

    async def _lane(self, lane: str, plan: Callable[[], tuple[str, list[str], str] | None]) -> None:
        while not self._all_done():
            if lane in self.dead:
                # Everything this lane would fetch fails at once with the reason; the other lane goes on.
                self._fail_lane_needs(lane)
                self.advance_all()
                self._notify()
                if not self._all_done():
                    await self._wait()
                continue
            job = plan()
            if job is None:
                await self._wait()
                continue
            ns, keys, label = job
            self.stats.requests[label] += 1
            self._inflight.update((ns, k) for k in keys)
            try:
                await self._execute(ns, keys)
                if lane not in self.contacted:
                    # Reached once: from now on a refused connection is a passing fault, retried fully.
                    self.contacted.add(lane)
                    (self.arxiv_client if lane == "arxiv" else self.s2_client).connect_retries = self.settings.max_retries
            except ServiceUnreachable as exc:
                self.dead[lane] = str(exc)
                self.lookups.fail(ns, keys, f"{lane} unreachable")
            except ServiceRefusing as exc:
                # The circuit breaker: a service that keeps refusing is not asked again in this run;
                # what it would have answered is an error a rerun retries.
                why = f"{LANE_NAMES[lane]} kept refusing ({exc}); stopped asking it"
                self.dead[lane] = why
                self.contacted.add(lane)
                self.stats.stopped[LANE_NAMES[lane]] = str(exc)
                self.lookups.fail(ns, keys, why)
            except DeadlineExceeded as exc:
                # A service that held one request (retries included) past the deadline would hold
                # the next ones too: the lane stops for this run; a rerun asks again. It did accept
                # the connection, so this is not "no network".
                self.dead[lane] = str(exc)
                self.contacted.add(lane)
                self.lookups.fail(ns, keys, str(exc))
            except httpx.HTTPStatusError as exc:
                status = exc.response.status_code
                message = f"{lane} answered HTTP {status}"
                if status in (401, 403):
                    self.dead[lane] = f"{lane} refused the request (HTTP {status}; check the API key)"
                self.lookups.fail(ns, keys, message)
            except Exception as exc:  # retries exhausted (429 storm, 5xx, timeouts, malformed bodies)
                self.lookups.fail(ns, keys, f"{lane}: {_describe(exc)}")
            finally:
                self._inflight.difference_update((ns, k) for k in keys)
            self.advance_all()
            self._notify()

    def rate_wait(self) -> float:
        """Seconds requests spent waiting on the pacers (both lanes, summed)."""
        return sum(p.waited for p in self.pacers)

    def _all_done(self) -> bool:
        return all(w.stage == "done" for w in self.works)

    def _fail_lane_needs(self, lane: str) -> None:
        why = self.dead[lane]
        lane_ns = {"arxiv": (NS_ARXIV, NS_AX_TITLE), "s2": (NS_S2, NS_S2_TITLE, NS_S2_MATCH)}[lane]
        for w in self.works:
            for ns, key in self.needs(w):
                if ns in lane_ns and not self.lookups.has(ns, key):
                    self.lookups.fail(ns, [key], why)

    def _notify(self) -> None:
        self._changed.set()

    async def _wait(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    async def run(self) -> None:
        self.advance_all()
        if self._all_done():
            return
        if self.settings.offline:
            self.dead = {"arxiv": "offline: not in cache", "s2": "offline: not in cache"}
            while not self._all_done():
                for lane in ("arxiv", "s2"):
                    self._fail_lane_needs(lane)
                self.advance_all()
            return
        arxiv_pacer = service_pacer(self.settings, "arxiv")
        s2_pacer = service_pacer(self.settings, "s2")
        self.pacers = [arxiv_pacer, s2_pacer]
        async with make_client(self.settings) as client:
            self.arxiv_client = ax.ArxivClient(client, self.settings, arxiv_pacer)
            self.s2_client = s2.S2Client(client, self.settings, s2_pacer)
            await asyncio.gather(self._lane("arxiv", self.plan_arxiv), self._lane("s2", self.plan_s2))
        self.stats.rate_wait = self.rate_wait()
        if len(self.dead) == 2 and not self.contacted:
            raise NetworkUnavailable(
                f"no network: {self.dead['arxiv']}; {self.dead['s2']} (use --offline to work from the cache)"
            )


LANE_NAMES = {"arxiv": "arXiv", "s2": "S2"}


def _describe(exc: BaseException) -> str:
    """A one-line error for an entry's reason: never headers, so never the API key."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} after retries"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out after retries"
    if isinstance(exc, httpx.TransportError):
        return f"connection failed after retries ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def _resolution(w: Work, offline: bool) -> Resolution:
    if w.match is not None and (w.arxiv_rec or w.s2_rec):
        return Resolution(w.entry, merge(w.arxiv_rec, w.s2_rec, w.match))
    choice = w.choice
    candidates: tuple[Candidate, ...] = choice.candidates if choice else ()
    if choice is not None and choice.ambiguous:
        reason = "ambiguous"
    elif offline and w.errors:
        reason = "offline: not in cache"
    elif w.errors:
        reason = "error: " + "; ".join(w.errors)
    else:
        reason = "not found"
    if w.notes and reason == "not found":
        reason = "not found (" + "; ".join(w.notes) + ")"
    return Resolution(w.entry, None, reason, candidates)


def count_outcomes(resolutions: list[Resolution], stats: Stats) -> None:
    for r in resolutions:
        if r.paper is None:
            stats.outcomes["unresolved"] += 1
            if r.reason and r.reason.startswith("error"):
                stats.outcomes["errors"] += 1
        else:
            stats.outcomes[f"by_{r.paper.match.method}"] += 1


async def resolve_entries(entries: list[Entry], settings: Settings, *, cache: Cache | None = None,
                          overrides: Overrides | None = None, progress=None) -> tuple[list[Resolution], Stats]:
    """Every entry resolved (a paper) or not (a reason), in input order, and what it cost."""
    started = time.monotonic()
    own_cache = cache is None
    cache = cache or Cache(settings.cache_dir, enabled=settings.use_cache)
    try:
        works = plan_work(entries, overrides or Overrides())
        lookups = Lookups(cache, settings)

        def report() -> None:
            if progress is not None:
                progress.update(
                    sum(w.stage == "done" for w in works),
                    requests=sum(resolver.stats.requests.values()),
                    rate_limit_wait=f"{resolver.rate_wait():.0f}s",
                )

        resolver = Resolver(works, settings, lookups, report)
        await resolver.run()
        resolutions = [_resolution(w, settings.offline) for w in works]
        stats = resolver.stats
        count_outcomes(resolutions, stats)
        stats.wall = time.monotonic() - started
        return resolutions, stats
    finally:
        if own_cache:
            cache.close()


@dataclass(frozen=True)
class ListResolutions:
    """One list of a run: its scan and its entries' resolutions, in list order."""

    source: str
    scan: ScanResult
    resolutions: list[Resolution]


@dataclass(frozen=True)
class EnrichResult:
    source: str  # the first list's name (several lists: see `lists`)
    resolutions: list[Resolution]  # every list's, in order
    stats: Stats
    lists: tuple[ListResolutions, ...] = ()


def resolve_texts(texts: list[tuple[str, str]], settings: Settings, *,
                  show_progress: bool | None = None) -> tuple[list[ListResolutions], Stats]:
    """Scan several lists ((text, source) pairs) and resolve all their entries in one run: the
    batches and the pace are shared, so a paper two lists cite is asked for once.

    The blocks a previous `fix --add` wrote are left out first: their authors and links are not the list's.
    """
    from paperenrich.export.markdown import strip_additions
    from paperenrich.listparse import scan_text
    from paperenrich.overrides import load_overrides
    from paperenrich.progress import Progress

    scans = [scan_text(strip_additions(text), source=source) for text, source in texts]
    entries = [e for scan in scans for e in scan.entries]
    overrides = load_overrides(settings.overrides_file)
    with Progress.for_stderr("resolving", len(entries), enabled=show_progress) as progress:
        resolutions, stats = asyncio.run(resolve_entries(entries, settings, overrides=overrides, progress=progress))
    out, start = [], 0
    for scan in scans:
        end = start + len(scan.entries)
        out.append(ListResolutions(scan.source, scan, resolutions[start:end]))
        start = end
    return out, stats


def resolve_text(text: str, source: str, settings: Settings, *,
                 show_progress: bool | None = None) -> tuple[ScanResult, list[Resolution], Stats]:
    """Scan one list's text and resolve its entries, with a progress bar on a terminal (by default)."""
    (one,), stats = resolve_texts([(text, source)], settings, show_progress=show_progress)
    return one.scan, one.resolutions, stats


def enrich_lists(sources: list[str], settings: Settings | None = None, *,
                 show_progress: bool | None = None) -> EnrichResult:
    """Read several list files ("-": standard input) and resolve them in one run."""
    from paperenrich.config import load_settings
    from paperenrich.listfile import read_list_file

    settings = settings or load_settings()
    texts = [(read_list_file(source), source) for source in sources]
    lists, stats = resolve_texts(texts, settings, show_progress=show_progress)
    resolutions = [r for one in lists for r in one.resolutions]
    return EnrichResult(lists[0].source, resolutions, stats, tuple(lists))


def enrich_list(path_or_text: Any, settings: Settings | None = None, *, show_progress: bool | None = None,
                source: str | None = None) -> EnrichResult:
    """Read (a path) or take (text) a list, scan it, and resolve its entries: the library's entry point."""
    from pathlib import Path

    from paperenrich.config import load_settings
    from paperenrich.listfile import read_list_file

    settings = settings or load_settings()
    is_path = isinstance(path_or_text, Path) or (
        isinstance(path_or_text, str) and "\n" not in path_or_text and (path_or_text == "-" or Path(path_or_text).is_file())
    )
    if is_path:
        text, source = read_list_file(path_or_text), source or str(path_or_text)
    else:
        text, source = str(path_or_text), source or "<text>"
    scan, resolutions, stats = resolve_text(text, source, settings, show_progress=show_progress)
    return EnrichResult(source, resolutions, stats, (ListResolutions(source, scan, resolutions),))
