"""Semantic Scholar Graph API: batched id lookups (`POST /paper/batch`, up to 500 ids), batched title
searches (`/paper/search/bulk` with a boolean OR of quoted titles) and the one-title fallback
(`/paper/search/match`).

Each paper becomes a validated `records.S2Record` (its JSON form, the API's own object limited to
FIELDS, is what the cache holds), or a `records.MalformedRecord` when a field does not validate:
an error for that entry alone, never cached. The key goes in the
`x-api-key` header only: never in a URL, a log line, an exception message or the cache.

Why not the `semanticscholar` package's client: it owns its HTTP client and retry/pacing policy, so it
cannot share our one AsyncClient and per-service pacer (see docs/design-notes.md); the test suite
still checks our emulator against it.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import httpx

from paperenrich.config import Settings
from paperenrich.errors import ConfigError
from paperenrich.http import MalformedResponse, Pacer, may_send_secret
from paperenrich.sources import ServiceClient, phrase
from paperenrich.sources.records import MalformedRecord, S2Record, s2_or_malformed, venue_of  # noqa: F401 (venue_of: re-exported)

Parsed = S2Record | MalformedRecord

ID_BATCH = 500  # the API's limit for /paper/batch
TITLE_BATCH = 40  # quoted titles ORed into one /paper/search/bulk query (a flood is narrowed: see resolve)
BULK_PAGE = 1000  # papers per /paper/search/bulk page (the API's fixed page size)
BULK_MAX_PAGES = 3  # pages read for one title batch at most (see Resolver._bulk_search)
WORDS_BATCH = 20  # titles whose words are ORed into one words query (see word_groups)
WORDS_MIN = 6  # distinctive words a title needs for a words query: two halves of 3 or more
FIELDS = ",".join(
    [
        "paperId", "corpusId", "externalIds", "url", "title", "authors", "year", "venue", "publicationVenue",
        "journal", "publicationDate", "publicationTypes", "citationCount", "influentialCitationCount",
        "openAccessPdf",
    ]
)


class S2QueryError(Exception):
    """S2 refused a request as invalid (400); retrying will not help."""


def id_key(kind: str, value: str) -> str:
    """The batch id form: ARXIV:2309.06180, DOI:10.1145/..., ACL:2020.acl-main.463, URL:https://..."""
    return f"{kind}:{value}"


def bulk_query(titles: Iterable[str]) -> str:
    """`"title one" | "title two"`: one boolean query over several quoted titles."""
    return " | ".join(f'"{p}"' for p in (phrase(t) for t in titles) if p)


def word_groups(title: str) -> list[list[str]]:
    """The AND groups of a words query for one title: its distinctive words in two halves ([] when
    it has fewer than WORDS_MIN).

    A record whose title could pass as this one's holds the distinctive words, save one that it
    writes another way (hyphenated where the list joins it, "Pre-Training" / "Pretraining"; spelt
    another way) or lacks (in a long title): one such word leaves the other half whole. Halves of
    fewer than 3 words ("deep learning") would hold too many papers: such titles are matched alone."""
    from paperenrich.title_match import distinctive_words

    words = distinctive_words(title)
    if len(words) < WORDS_MIN:
        return []
    half = len(words) // 2
    return [words[:half], words[half:]]


def _term(word: str) -> str:
    """A word of 4 letters or more is a prefix (`*`), so that its singular and plural (and the
    service's stems) match alike."""
    return f"{word.removesuffix('s') if len(word) > 4 else word}*" if len(word) >= 4 else word


def words_query(groups: Iterable[list[str]]) -> str:
    """`(w1* w2* w3) | (...)`: papers holding every word of one group."""
    return " | ".join("(" + " ".join(_term(w) for w in group) + ")" for group in groups if group)


def holds_a_group(words: Iterable[str], groups: list[list[str]]) -> bool:
    """Whether a title's normalised words hold every word of one of the groups, as `words_query`
    matches them (a prefix for words of 4 letters or more)."""
    words = set(words)

    def held(word: str) -> bool:
        term = _term(word)
        return any(w.startswith(term[:-1]) for w in words) if term.endswith("*") else term in words

    return any(all(held(w) for w in group) for group in groups)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedResponse(f"S2: unreadable JSON body ({exc})") from None


def _check(response: httpx.Response) -> None:
    if response.status_code == 400:
        body = _json(response)
        message = body.get("error") or body.get("message") if isinstance(body, dict) else None
        raise S2QueryError(f"S2 refused the request: {message or 'bad request'}")
    response.raise_for_status()


def _parse_batch(response: httpx.Response) -> list[Parsed | None]:
    """The batch's papers in request order: None for an unknown id, a MalformedRecord for a paper
    that does not validate (a non-object item included)."""
    _check(response)
    body = _json(response)
    if not isinstance(body, list):
        raise MalformedResponse("S2: /paper/batch did not return a list of papers")
    return [None if item is None else s2_or_malformed(item) for item in body]


def _search_body(response: httpx.Response) -> dict[str, Any]:
    _check(response)
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
        raise MalformedResponse("S2: search did not return an object with a data list")
    return body


def _papers(body: dict[str, Any]) -> list[Parsed]:
    return [s2_or_malformed(p) for p in body.get("data", [])]


def _parse_search(response: httpx.Response) -> list[Parsed]:
    return _papers(_search_body(response))


def _parse_bulk(response: httpx.Response) -> tuple[list[Parsed], str | None]:
    """One bulk page: its papers and the continuation token (None on the last page)."""
    body = _search_body(response)
    token = body.get("token")
    return _papers(body), token if isinstance(token, str) and token else None


def _parse_match(response: httpx.Response) -> Parsed | None:
    if response.status_code == 404:  # "Title match not found"
        return None
    papers = _parse_search(response)
    return papers[0] if papers else None


BATCH_RETRIES = 1  # tries again for a multi-id batch that got a 5xx, before it is split


class S2Client(ServiceClient):
    """Requests to the Semantic Scholar Graph API through the lane's pacer (its effective rps)."""

    def __init__(self, client: httpx.AsyncClient, settings: Settings, pacer: Pacer):
        if settings.s2_api_key and not may_send_secret(settings.s2_url):
            raise ConfigError(f"refusing to send S2_API_KEY over plain http to {httpx.URL(settings.s2_url).host}: use an https S2 URL")
        key = {"x-api-key": settings.s2_api_key} if settings.s2_api_key else {}
        super().__init__(client, settings, pacer, base_delay=1 / settings.effective_s2_rps, headers=key)
        self.base = settings.s2_url.rstrip("/")

    async def _send(self, method: str, path: str, parse, **kwargs):
        return await self.send(method, self.base + path, parse, **kwargs)

    async def fetch_batch(self, keys: list[str]) -> dict[str, Parsed | None]:
        """Records for up to ID_BATCH ids in one request; None for an unknown id (a MalformedRecord
        for a paper that did not validate).

        A batch the service cannot answer whole is split in halves, down to single ids: a 400 (an id
        S2 refuses outright, or an answer over its 10 MB limit) and a 5xx/504 (large batches time out
        on the live API). A batch of several ids is retried only BATCH_RETRIES times before it is
        split, so a batch that is simply too large does not sit out the whole backoff first; a single
        id gets the full retry policy (then its error is the entry's reason), and a single id refused
        with a 400 is unknown (None).
        """
        return await self._fetch_splitting(keys)

    async def _fetch_splitting(self, keys: list[str]) -> dict[str, Parsed | None]:
        several = len(keys) > 1
        try:
            return await self._fetch_batch(keys, max_retries=BATCH_RETRIES if several else None)
        except S2QueryError:
            if not several:
                return {keys[0]: None}
        except httpx.HTTPStatusError as exc:
            if not several:
                raise
            if exc.response.status_code < 500:  # rate-limited, not too large: the whole retry policy
                return await self._fetch_batch(keys)
        half = len(keys) // 2
        return {**await self._fetch_splitting(keys[:half]), **await self._fetch_splitting(keys[half:])}

    async def _fetch_batch(self, keys: list[str], max_retries: int | None = None) -> dict[str, Parsed | None]:
        papers = await self._send("POST", "/paper/batch", _parse_batch, params={"fields": FIELDS}, json={"ids": keys},
                                  max_retries=max_retries)
        if len(papers) != len(keys):
            raise MalformedResponse(f"S2: /paper/batch answered {len(papers)} items for {len(keys)} ids")
        return dict(zip(keys, papers))

    async def search_bulk(self, titles: list[str], token: str | None = None,
                          year: str | None = None) -> tuple[list[Parsed], str | None]:
        """One page (up to BULK_PAGE) of papers matching any of the quoted titles, and the token of the
        next page (None on the last). Pass the token back, with the same titles, for the next page."""
        params = {"query": bulk_query(titles), "fields": FIELDS}
        if year:
            params["year"] = year  # "2018-2020": only papers of those years
        if token:
            params["token"] = token
        return await self._send("GET", "/paper/search/bulk", _parse_bulk, params=params)

    async def search_words(self, groups: list[list[str]]) -> tuple[list[Parsed], str | None]:
        """One bulk page of papers holding every word of any group (see `words_query`)."""
        return await self._send("GET", "/paper/search/bulk", _parse_bulk, params={"query": words_query(groups), "fields": FIELDS})

    async def match_title(self, title: str) -> Parsed | None:
        """S2's single best title match, or None."""
        return await self._send("GET", "/paper/search/match", _parse_match, params={"query": title, "fields": FIELDS})
