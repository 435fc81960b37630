"""Paper-aware verdicts: a link that carries an identifier is judged by the service that owns it.

    arXiv ids      -> the arXiv API's `id_list`, 100 a request, through the same pacer
                      (`pacing.service_pacer`) and cache namespace as `enrich`;
                      a known id and version is `ok`, an unknown id or a version past the last
                      is `broken`, a malformed id is `invalid`.
    DOIs           -> the DOI handle API (sources/doi.py): registered `ok`, not found `broken`;
                      publisher pages that embed a DOI (ACM, Springer, ...) are judged this way,
                      as their sites refuse bots.
    OpenReview ids -> OpenReview's API in batches (sources/openreview.py).

Each result says `verified_by` ("arxiv", "doi", "openreview"); every other link stays on HTTP
(`--verify-by http` sends every link there). A service that cannot be asked leaves its links
`error` (not cached), never a guess.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.http import Pacer, make_client
from paperenrich.ids import ARXIV_ID, DOI_BODY, extract_ids, host_has_ids, ids_host
from paperenrich.linkcheck.engine import precheck
from paperenrich.linkcheck.suggest import suggest
from paperenrich.model import LinkResult, LinkStatus, Place

_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"})
_ARXIV_PATH = re.compile(r"^/+(?:abs|pdf|html|format|ps)/+(?P<id>.+?)/*$")
_ARXIV_VERSION = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_DOI = re.compile(rf"^{DOI_BODY}$")


@dataclass(frozen=True)
class Claim:
    """What a URL says about a paper: which service owns it, its id, and the version asked for."""

    service: str  # "arxiv" | "doi" | "openreview" | "invalid"
    key: str  # the id; for "invalid", why
    version: int | None = None


def claim_of(url: str) -> Claim | None:
    """The service that can judge `url`, or None when the link must be fetched."""
    if _unclaimed_host(url):
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if host in _ARXIV_HOSTS:
        match = _ARXIV_PATH.match(parts.path)
        if not match:
            return None  # listings, search, the home page: pages, not papers
        raw = re.sub(r"\.pdf$", "", unquote(match["id"]), flags=re.I)
        versioned = _ARXIV_VERSION.match(raw)
        arxiv_id, version = (versioned["id"], int(versioned["version"])) if versioned else (raw, None)
        if not ARXIV_ID.match(arxiv_id):
            return Claim("invalid", f"malformed arXiv id {raw!r}")
        return Claim("arxiv", arxiv_id, version)
    ids = extract_ids(url)
    if ids.arxiv:  # the arXiv DOI 10.48550/arXiv.ID
        return Claim("arxiv", ids.arxiv)
    if ids.doi:
        return Claim("doi", ids.doi)
    if ids.openreview:
        return Claim("openreview", ids.openreview)
    if host in _DOI_HOSTS and parts.path.lstrip("/").startswith("10."):
        doi = unquote(parts.path.lstrip("/"))
        if not _DOI.match(doi):
            return Claim("invalid", f"malformed DOI {doi!r}")
        return None  # a well-formed DOI extract_ids leaves out (10.5555: never registered): doi.org says so
    return None


def _unclaimed_host(url: str) -> bool:
    """A plain http(s) URL whose host no service owns and no id pattern names (most links of a
    list): known without parsing the URL (a big list's links are each asked once)."""
    if not url[:8].lower().startswith(("http://", "https://")):
        return False
    host = ids_host(url)
    if host is None:
        return False
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit():
        host = name  # (no id pattern names a port: with one, extract_ids finds nothing either)
    return (not _NOT_PLAIN_HOST.search(host)
            and host not in _ARXIV_HOSTS and host not in _DOI_HOSTS and not host_has_ids(host))


_NOT_PLAIN_HOST = re.compile(r"[@:\[?#\\%\s]")  # userinfo, IPv6, a query, escapes: parsed in full


def _result(url: str, places: Sequence[Place], status: LinkStatus, detail: str | None, service: str) -> LinkResult:
    return LinkResult(url=url, status=status, places=tuple(places), detail=detail, verified_by=service,
                      suggestion=suggest(url, status))


Claims = dict[str, dict[str, list[tuple[str, Claim]]]]  # service -> id -> [(url, claim), ...]


def split_by_owner(todo: Mapping[str, Sequence[Place]], settings: Settings,
                   on_result: Callable[[LinkResult], None]) -> tuple[Claims, dict[str, Sequence[Place]]]:
    """The links of `todo` a service owns (by service and id) and the rest, for HTTP. A malformed
    arXiv id or DOI is `invalid` at once (given to `on_result`)."""
    claims: Claims = {"arxiv": {}, "doi": {}, "openreview": {}}
    rest: dict[str, Sequence[Place]] = {}
    for url, places in todo.items():
        claim = None if settings.check_fragments and "#" in url else claim_of(url)
        if claim is not None and precheck(url, settings, (), ()) is not None:
            claim = None  # a URL the engine refuses (malformed, unsafe, private) stays with it, for its verdict
        if claim is None:
            rest[url] = places
        elif claim.service == "invalid":
            on_result(_result(url, places, LinkStatus.INVALID, claim.key, "arxiv" if "arXiv" in claim.key else "doi"))
        else:
            claims[claim.service].setdefault(claim.key, []).append((url, claim))
    return claims, rest


async def verify_claims(claims: Claims, todo: Mapping[str, Sequence[Place]], settings: Settings, cache: Cache | None,
                        on_result: Callable[[LinkResult], None], requests: dict[str, int]) -> None:
    """Judge the claimed links by their services, in batches (results to `on_result`); `requests`
    receives how many requests each service was sent."""
    if not any(claims.values()):
        return
    async with make_client(settings, timeout=settings.http_timeout) as client:
        lanes = []
        if claims["arxiv"]:
            lanes.append(_arxiv_lane(claims["arxiv"], todo, settings, cache, client, on_result, requests))
        if claims["doi"]:
            lanes.append(_doi_lane(claims["doi"], todo, settings, client, on_result, requests))
        if claims["openreview"]:
            lanes.append(_openreview_lane(claims["openreview"], todo, settings, client, on_result, requests))
        await asyncio.gather(*lanes)


def _failure(exc: BaseException, service: str) -> str:
    return f"could not ask the {service} API ({type(exc).__name__}: {exc}); not verified"


async def _arxiv_lane(wanted: dict[str, list[tuple[str, Claim]]], todo, settings: Settings, cache: Cache | None,
                      client, on_result, requests: dict[str, int]) -> None:
    from paperenrich.pacing import service_pacer
    from paperenrich.resolve import NS_ARXIV
    from paperenrich.sources.arxiv import ID_BATCH, ArxivClient
    from paperenrich.sources.records import ArxivRecord, RecordError, is_malformed, load_cached, malformed_message

    records: dict[str, Any] = {}
    if cache is not None and cache.enabled and not settings.refresh:
        for key, hit in cache.get_many(NS_ARXIV, list(wanted), max_age=settings.ttl_metadata,
                                       negative_max_age=settings.ttl_negative).items():
            try:
                record = load_cached(ArxivRecord, hit.value)
            except RecordError:
                continue  # a cached value that does not validate is a miss, as for enrich
            # A cached record settles the links only if it knows every version they ask for
            # (a newer version may have appeared since it was fetched).
            asked = max((c.version or 0 for _, c in wanted[key]), default=0)
            if record is None or (record.version or 0) >= asked:
                records[key] = record
    missing = [key for key in wanted if key not in records]
    pacer = service_pacer(settings, "arxiv")
    arxiv = ArxivClient(client, settings, pacer)
    failed: dict[str, str] = {}
    for start in range(0, len(missing), ID_BATCH):
        batch = missing[start:start + ID_BATCH]
        try:
            found = await arxiv.fetch_ids(batch)
        except Exception as exc:  # unreachable, refused, malformed answers after retries
            failed.update({key: _failure(exc, "arXiv") for key in batch})
            continue
        for key, value in found.items():
            if is_malformed(value):  # an answer that does not validate: an error, never cached
                failed[key] = f"arXiv sent a record that does not validate ({malformed_message(value)}); not verified"
        found = {key: value for key, value in found.items() if key not in failed}
        if cache is not None:
            cache.put_many(NS_ARXIV, found)  # the same records enrich reads
        records.update(found)
    requests["arxiv"] = requests.get("arxiv", 0) + pacer.requests
    for key, links in wanted.items():
        for url, claim in links:
            if key in failed:
                on_result(_result(url, todo[url], LinkStatus.ERROR, failed[key], "arxiv"))
                continue
            record = records.get(key)
            newest = record.version if record is not None else None
            if record is None:
                on_result(_result(url, todo[url], LinkStatus.BROKEN, f"arXiv has no paper {key}", "arxiv"))
            elif claim.version and isinstance(newest, int) and claim.version > newest:
                on_result(_result(url, todo[url], LinkStatus.BROKEN, f"arXiv has {key} up to v{newest}, not v{claim.version}", "arxiv"))
            else:
                on_result(_result(url, todo[url], LinkStatus.OK, None, "arxiv"))


async def _doi_lane(wanted: dict[str, list[tuple[str, Claim]]], todo, settings: Settings, client, on_result,
                    requests: dict[str, int]) -> None:
    from paperenrich.sources.doi import DoiClient, Registration

    pacer = Pacer(settings.doi_interval, concurrency=4)
    doi_client = DoiClient(client, settings, pacer)

    async def one(doi: str) -> None:
        try:
            state = await doi_client.registration(doi)
        except Exception as exc:
            status, detail = LinkStatus.ERROR, _failure(exc, "DOI")
        else:
            status, detail = {
                Registration.REGISTERED: (LinkStatus.OK, None),
                Registration.NOT_FOUND: (LinkStatus.BROKEN, f"DOI {doi} is not registered (doi.org: not found)"),
                Registration.NO_VALUES: (LinkStatus.BROKEN, f"DOI {doi} has no record to resolve to"),
            }[state]
        for url, _claim in wanted[doi]:
            on_result(_result(url, todo[url], status, detail, "doi"))

    try:
        await asyncio.gather(*(one(doi) for doi in wanted))
    finally:
        requests["doi"] = requests.get("doi", 0) + pacer.requests


async def _openreview_lane(wanted: dict[str, list[tuple[str, Claim]]], todo, settings: Settings, client, on_result,
                           requests: dict[str, int]) -> None:
    from paperenrich.sources.openreview import ID_BATCH, OpenReviewClient

    pacer = Pacer(settings.openreview_interval, concurrency=1)
    openreview = OpenReviewClient(client, settings, pacer)
    keys = list(wanted)
    try:
        for start in range(0, len(keys), ID_BATCH):
            batch = keys[start:start + ID_BATCH]
            try:
                known = await openreview.known(batch)
                verdicts = {k: (LinkStatus.OK, None) if known[k] else (LinkStatus.BROKEN, f"OpenReview has no note {k}")
                            for k in batch}
            except Exception as exc:
                verdicts = {k: (LinkStatus.ERROR, _failure(exc, "OpenReview")) for k in batch}
            for key in batch:
                for url, _claim in wanted[key]:
                    on_result(_result(url, todo[url], *verdicts[key], "openreview"))
    finally:
        requests["openreview"] = requests.get("openreview", 0) + pacer.requests
