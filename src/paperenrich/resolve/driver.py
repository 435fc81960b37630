"""The async driver: two lanes (arXiv, S2) that send what the planner proposes, through the
services' clients, and feed the answers back to the stages. The clients may be passed in."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable

import httpx

from paperenrich.config import Settings
from paperenrich.errors import NetworkUnavailable
from paperenrich.http import DeadlineExceeded, Pacer, ServiceUnreachable, make_client
from paperenrich.pacing import service_pacer
from paperenrich.resolve.lookups import NS_ARXIV, NS_AX_TITLE, NS_S2, NS_S2_MATCH, NS_S2_TITLE, Lookups
from paperenrich.resolve.planner import Board, plan_arxiv, plan_s2
from paperenrich.resolve.stages import Work, advance, needs
from paperenrich.sources import ServiceRefusing
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2
from paperenrich.title_match import match_similarity
from paperenrich.titles import normalize_title
from paperenrich.verify import TITLE_MIN, with_link_hints

TITLE_KEEP = 0.6  # a search hit is kept as a candidate of a title if this similar to it


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



class Resolver:
    """Drives every Work to `done` with two concurrent lanes (arXiv, S2).

    `clients` (an ArxivClient and an S2Client) may be given, e.g. over an httpx.MockTransport in a
    test; by default they are built here over one shared AsyncClient with the machine-wide pacers.
    """

    def __init__(self, works: list[Work], settings: Settings, lookups: Lookups, on_progress: Callable[[], None] | None = None,
                 clients: tuple[ax.ArxivClient, s2.S2Client] | None = None):
        self.works = works
        self.clients = clients  # the two services' clients; None: built here over one shared AsyncClient
        self.settings = settings
        self.lookups = lookups
        self.stats = Stats()
        self.on_progress = on_progress or (lambda: None)
        self.dead: dict[str, str] = {}  # lane -> why it cannot be used ("offline", unreachable, refused)
        self.contacted: set[str] = set()  # lanes that got at least one answer
        self.board = Board(works, lookups)
        self._changed = asyncio.Event()
        self.pacers: list[Pacer] = []

    def advance_all(self) -> None:
        """Advance every entry; an entry entering a new stage has its needs looked up in the cache
        (in one query per namespace) before anything is planned, so a warm run asks nothing."""
        while True:
            by_ns: dict[str, list[str]] = {}
            for w in self.works:
                for ns, key in needs(w, self.board.bulk_supported):
                    by_ns.setdefault(ns, []).append(key)
            for ns, keys in by_ns.items():
                self.lookups.check_cache(ns, keys)
            stages = [w.stage for w in self.works]
            for w in self.works:
                advance(w, self.lookups, self.board.bulk_supported)
            if stages == [w.stage for w in self.works]:
                break
        self.on_progress()

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

    async def _words_search(self, titles: dict[str, str]) -> dict[str, list | None]:
        """Titles that neither phrase search found, asked in one words query (each title's distinctive
        words ANDed, in two halves: `s2.word_groups`). A title whose words no S2 paper holds has no
        record there that could pass as it, so /search/match would be spent for nothing: it is "not
        found". A full page (a flood: the live search also matches abstracts) may hide a title's
        paper: the titles it leaves unsettled are matched alone, as before the words query."""
        try:
            hits, _ = await self.s2_client.search_words([g for t in titles.values() for g in s2.word_groups(t)])
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 404:
                raise
            self.board.bulk_supported = False  # no bulk endpoint: every title is matched alone
            hits, unsettled = [], dict(titles)
        else:
            full = len(hits) >= s2.BULK_PAGE
            unsettled = {k: t for k, t in titles.items() if full and self._unsettled(hits, [t])}
        out = self._assign_words(hits, {k: t for k, t in titles.items() if k not in unsettled})
        for key, title in unsettled.items():
            self.stats.requests["s2_match"] += 1
            out[key] = await self.s2_client.match_title(title)
        return out

    @staticmethod
    def _assign_words(hits: list, titles: dict[str, str]) -> dict[str, list | None]:
        """As `_assign`, comparing a title only with the hits whose own title holds one of its word
        groups: only those can pass as it (the others matched another title's words, or the words in
        an abstract), and the comparisons are what a words query's wide page costs."""
        words = [normalize_title(h.title or "").split() for h in hits]
        out: dict[str, list | None] = {}
        for key, title in titles.items():
            groups = s2.word_groups(title)
            kept = [h for h, w in zip(hits, words)
                    if s2.holds_a_group(w, groups) and match_similarity(title, h.title or "") >= TITLE_KEEP]
            out[key] = kept or None
        return out

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
                self.board.bulk_supported = False
                return
            self.lookups.put(ns, self._assign(hits, titles))
        elif ns == NS_S2_MATCH:
            titles = self._titles_of(keys)
            if not self.board.bulk_supported or not any(s2.word_groups(t) for t in titles.values()):
                self.lookups.put(ns, {key: await s2_client.match_title(title) for key, title in titles.items()})
            else:
                self.lookups.put(ns, await self._words_search(titles))

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
            self.board.inflight.update((ns, k) for k in keys)
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
                self.board.inflight.difference_update((ns, k) for k in keys)
            self.advance_all()
            self._notify()

    def rate_wait(self) -> float:
        """Seconds requests spent waiting on the pacers (both lanes, summed)."""
        return sum(p.waited for p in self.pacers)

    def _all_done(self) -> bool:
        return not self.board.more_coming and all(w.stage == "done" for w in self.works)

    async def _feed(self, more: AsyncIterator[list[Work]]) -> None:
        """Entries of lists still being scanned join the run as each list is ready."""
        try:
            async for works in more:
                self.works.extend(works)
                self.advance_all()
                self._notify()
        finally:
            self.board.more_coming = False
            self.advance_all()
            self._notify()

    def _fail_lane_needs(self, lane: str) -> None:
        why = self.dead[lane]
        lane_ns = {"arxiv": (NS_ARXIV, NS_AX_TITLE), "s2": (NS_S2, NS_S2_TITLE, NS_S2_MATCH)}[lane]
        for w in self.works:
            for ns, key in needs(w, self.board.bulk_supported):
                if ns in lane_ns and not self.lookups.has(ns, key):
                    self.lookups.fail(ns, [key], why)

    def _notify(self) -> None:
        self._changed.set()

    async def _wait(self) -> None:
        self._changed.clear()
        await self._changed.wait()

    async def _lanes(self) -> None:
        self.pacers = [self.arxiv_client.pacer, self.s2_client.pacer]
        await asyncio.gather(self._lane("arxiv", lambda: plan_arxiv(self.board)), self._lane("s2", lambda: plan_s2(self.board)))

    async def run(self, more: AsyncIterator[list[Work]] | None = None) -> None:
        """Drive every entry to `done`; `more` gives the entries of further lists as they are
        scanned, so the first requests need not wait for the last list."""
        feeder = None
        if more is not None:
            self.board.more_coming = True
            feeder = asyncio.create_task(self._feed(more))
        try:
            await self._run()
        finally:
            if feeder is not None:
                await feeder  # (done: the run ends only once every list has joined)

    async def _run(self) -> None:
        self.advance_all()
        if self._all_done():
            return
        if self.settings.offline:
            while self.board.more_coming:
                await self._wait()
            self.dead = {"arxiv": "offline: not in cache", "s2": "offline: not in cache"}
            while not self._all_done():
                for lane in ("arxiv", "s2"):
                    self._fail_lane_needs(lane)
                self.advance_all()
            return
        if self.clients is not None:
            self.arxiv_client, self.s2_client = self.clients
            await self._lanes()
        else:
            arxiv_pacer = service_pacer(self.settings, "arxiv")
            s2_pacer = service_pacer(self.settings, "s2")
            async with make_client(self.settings) as client:
                self.arxiv_client = ax.ArxivClient(client, self.settings, arxiv_pacer)
                self.s2_client = s2.S2Client(client, self.settings, s2_pacer)
                await self._lanes()
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


