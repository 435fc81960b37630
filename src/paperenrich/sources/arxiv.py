"""arXiv API: batched id lookups (`id_list`, up to 100 ids) and batched title searches (ORed `ti:` phrases).

Each entry becomes a validated `records.ArxivRecord` (its JSON form is what the cache holds:

    {"arxiv": "2309.06180", "version": 1, "title": ..., "authors": [...], "published": "2023-09-12",
     "updated": "2023-09-12", "doi": "10.1145/..." | None, "journal_ref": ... | None,
     "comment": ... | None, "primary_category": "cs.LG", "pdf_url": ...}

or a `records.MalformedRecord` when a field does not validate: an error for that entry alone).

Why not the `arxiv` package's client: it is synchronous, paces itself with its own fixed delay, and has
no ORed batch search; and its feed parser recovers silently from a truncated document, which would
turn a cut-off response into false "not found" answers. A strict ElementTree parse makes a damaged
body an error that is retried instead (see docs/design-notes.md).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Iterable

import httpx

from paperenrich.ids import ARXIV_ID
from paperenrich.config import Settings
from paperenrich.http import MalformedResponse, Pacer
from paperenrich.sources import ServiceClient, phrase
from paperenrich.sources.records import ArxivRecord, MalformedRecord, arxiv_or_malformed

Parsed = ArxivRecord | MalformedRecord

ID_BATCH = 100  # the API's documented page size limit for id_list
TITLE_BATCH = 10  # quoted titles ORed into one search_query (keeps URLs short and results focused)
TITLE_RESULTS = 100  # max_results for an ORed title search

_NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom", "os": "http://a9.com/-/spec/opensearch/1.1/"}
_ABS_RE = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")


EMPTY_RETRIES_IDS = 2  # an empty feed for ids arXiv should know is asked again this often
EMPTY_RETRIES_TITLES = 0  # an empty title search is usually true: S2 found nothing confident either


class ArxivQueryError(Exception):
    """arXiv answered with an error feed (e.g. a malformed id); retrying will not help."""


class EmptyFeed(Exception):
    """arXiv kept answering a valid feed with no entry at all (totalResults 0), which the live API
    does intermittently for queries that have answers: not, on its own, a "not found"."""


_SUBJECT_CLASS = re.compile(r"^(?P<archive>[a-z][a-z\-]*)\.[A-Z]{2}/(?P<number>\d{7})$")


def canonical_id(arxiv_id: str) -> str:
    """The id arXiv files a paper under: an old-style id loses its subject class
    ("math.GT/0309136" -> "math/0309136"), as arXiv's answers write it."""
    m = _SUBJECT_CLASS.match(arxiv_id)
    return f"{m['archive']}/{m['number']}" if m else arxiv_id


def is_valid_id(arxiv_id: str) -> bool:
    """New-style (2309.06180) or old-style (hep-th/9901001), without a version: anything else gets a 400."""
    return bool(ARXIV_ID.match(arxiv_id))


def id_query(ids: Iterable[str]) -> dict[str, str]:
    """Query parameters for one id_list request."""
    ids = list(ids)
    return {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}


def title_query(titles: Iterable[str]) -> dict[str, str]:
    """One search_query ORing the quoted titles: `ti:"a b" OR ti:"c d"`."""
    terms = [f'ti:"{p}"' for p in (phrase(t) for t in titles) if p]
    return {"search_query": " OR ".join(terms), "start": "0", "max_results": str(TITLE_RESULTS)}


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path, _NS)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _first_doi(field: str | None) -> str | None:
    """`arxiv:doi` may hold several DOIs separated by spaces: the first is the publisher's."""
    if not field:
        return None
    parts = field.split()
    return next((p for p in parts if p.startswith("10.")), field).lower()


def parse_feed(body: bytes | str) -> list[Parsed]:
    """The records of an Atom feed (classic or 2026 format). MalformedResponse if it is not a feed;
    ArxivQueryError if it is an error feed; a MalformedRecord for an entry whose fields do not validate."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise MalformedResponse(f"arXiv: unreadable Atom feed ({exc})") from None
    if root.tag != f"{{{_NS['a']}}}feed":
        raise MalformedResponse(f"arXiv: not an Atom feed (root element {root.tag!r})")
    records = []
    for entry in root.iterfind("a:entry", _NS):
        entry_id = _text(entry, "a:id") or ""
        if "/api/errors" in entry_id:
            raise ArxivQueryError(f"arXiv: {_text(entry, 'a:summary') or entry_id}")
        match = _ABS_RE.search(entry_id)
        if not match:
            raise MalformedResponse(f"arXiv: entry without an abs id ({entry_id!r})")
        pdf_url = None
        for link in entry.iterfind("a:link", _NS):
            if link.get("title") == "pdf":
                pdf_url = link.get("href")
        primary = entry.find("arxiv:primary_category", _NS)
        records.append(arxiv_or_malformed(
            {
                "arxiv": match["id"],
                "version": int(match["version"]) if match["version"] else None,
                "title": _text(entry, "a:title") or "",
                "authors": [name for a in entry.iterfind("a:author", _NS) if (name := _text(a, "a:name"))],
                "published": (_text(entry, "a:published") or "")[:10] or None,
                "updated": (_text(entry, "a:updated") or "")[:10] or None,
                "doi": _first_doi(_text(entry, "arxiv:doi")),
                "journal_ref": _text(entry, "arxiv:journal_ref"),
                "comment": _text(entry, "arxiv:comment"),
                "primary_category": primary.get("term") if primary is not None else None,
                "pdf_url": pdf_url,
            }
        ))
    return records


def _parse_response(response: httpx.Response) -> list[Parsed]:
    if response.status_code == 400:
        return parse_feed(response.content)  # an error feed: raises ArxivQueryError
    response.raise_for_status()
    return parse_feed(response.content)


class ArxivClient(ServiceClient):
    """Requests to the arXiv API through the lane's pacer (one connection, one request every interval)."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings, pacer: Pacer):
        super().__init__(client, settings, pacer, base_delay=settings.arxiv_interval)

    async def _get(self, params: dict[str, str]) -> list[Parsed]:
        return await self.send("GET", self.settings.arxiv_url, _parse_response, params=params)

    async def fetch_ids(self, ids: list[str]) -> dict[str, Parsed | None]:
        """Records for up to ID_BATCH ids in one request; None for an id arXiv does not know
        (a MalformedRecord for one whose entry did not validate).

        A 400 error feed means one id is malformed: the batch is split to isolate it.
        """
        return await self.fetch_isolating_refused(ids, self._fetch_ids, ArxivQueryError)

    async def _fetch_ids(self, ids: list[str]) -> dict[str, Parsed | None]:
        records = await self._get_retrying_empty(id_query(ids), EMPTY_RETRIES_IDS)
        found = {canonical_id(r.ident if isinstance(r, MalformedRecord) else r.arxiv_id): r for r in records}
        return {i: found.get(canonical_id(i)) for i in ids}

    async def search_titles(self, titles: list[str]) -> list[Parsed]:
        """All records returned for one ORed title search (matched to titles by the caller).
        EmptyFeed when the feed stayed empty after EMPTY_RETRIES_TITLES more tries."""
        return await self._get_retrying_empty(title_query(titles), EMPTY_RETRIES_TITLES)

    async def _get_retrying_empty(self, params: dict[str, str], retries: int) -> list[Parsed]:
        """The feed's records; an empty feed is asked again `retries` times, then EmptyFeed."""
        for _ in range(retries + 1):
            records = await self._get(params)
            if records:
                return records
        raise EmptyFeed(f"arXiv answered an empty feed {retries + 1} times")
