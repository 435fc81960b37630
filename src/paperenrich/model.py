"""The plain data that flows through paperenrich.

Every stage is a function over these frozen dataclasses:

    scan      text           -> list[Entry]
    resolve   list[Entry]    -> list[Resolution]   (Entry + Paper or a reason)
    check     list[Entry]    -> list[LinkResult]
    export    the above      -> JSON, CSV, BibTeX, Markdown, HTML

`to_dict()` gives the JSON shape documented in the README; those keys are a
public contract: new keys may be added, existing ones are never renamed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples and nested containers -> plain JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return value.to_dict()
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Link:
    """One hyperlink of an entry, as written in the list."""

    url: str
    text: str = ""


@dataclass(frozen=True)
class Ids:
    """Identifiers found in an entry's links (all optional, canonical forms).

    arxiv      "2309.06180" or "hep-th/9901001" (no version)
    doi        lower-cased, e.g. "10.1145/3600006.3613165" (never the arXiv DOI 10.48550/...)
    openreview forum id, e.g. "Pgtn4l6eKjv"
    pmlr       "v202/liu23am"
    acl        ACL Anthology id, e.g. "2020.acl-main.463"
    neurips    proceedings hash, e.g. "2020/hash/1457c0d6..."
    mlsys      proceedings hash, e.g. "2023/hash/523f87e9..."
    usenix     "osdi22/presentation/yu"
    ieee       IEEE Xplore document number, e.g. "10106313"
    vldb       "vol16/p1234-name" (PVLDB)
    """

    arxiv: str | None = None
    doi: str | None = None
    openreview: str | None = None
    pmlr: str | None = None
    acl: str | None = None
    neurips: str | None = None
    mlsys: str | None = None
    usenix: str | None = None
    ieee: str | None = None
    vldb: str | None = None

    # Read off the instance's __dict__, which holds exactly the fields in field order (however the
    # instance was made: __init__, ids._make_ids, replace, pickle): a scan asks this of every entry,
    # and a loop over the field names by getattr was twice as slow (is_empty: six times).
    def to_dict(self) -> dict[str, str]:
        """Only the ids that are present."""
        return dict(filter(_value, self.__dict__.items()))

    def is_empty(self) -> bool:
        return not any(self.__dict__.values())

    def merged(self, other: "Ids") -> "Ids":
        """Fill gaps of self from other (self wins on conflicts)."""
        return Ids(**{name: getattr(self, name) or getattr(other, name) for name in _ID_FIELDS})


_ID_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Ids))
_value = itemgetter(1)


@dataclass(frozen=True)
class Entry:
    """One paper entry of a Markdown list."""

    line: int  # 1-based line where the entry starts
    end_line: int  # 1-based last line of the entry
    section: tuple[str, ...]  # heading path
    title: str
    venue: str | None = None  # short normalised name: "OSDI", "NeurIPS", "arXiv"
    year: int | None = None
    links: tuple[Link, ...] = ()
    ids: Ids = field(default_factory=Ids)
    duplicate_of: int | None = None  # `line` of an earlier entry for the same paper
    kind: str = "bullet"  # bullet | numbered | table | paragraph | heading

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "end_line": self.end_line,
            "section": list(self.section),
            "title": self.title,
            "venue": self.venue,
            "year": self.year,
            "links": [{"url": link.url, "text": link.text} for link in self.links],
            "ids": self.ids.to_dict(),
            "duplicate_of": self.duplicate_of,
            "kind": self.kind,
        }


def new_entry(line: int, end_line: int, section: tuple[str, ...], title: str, venue: str | None, year: int | None,
              links: tuple[Link, ...], ids: Ids, duplicate_of: int | None, kind: str) -> Entry:
    """`Entry(...)` with every field given, built without the frozen dataclass's __init__ (ten
    object.__setattr__ calls, a quarter of what the parent process of a long list's scan does after
    its walk): the instance's __dict__ is filled in field order, exactly as __init__ fills it, so
    it compares, hashes, pickles and prints the same (tests/test_model.py holds it)."""
    entry = object.__new__(Entry)
    entry.__dict__.update({"line": line, "end_line": end_line, "section": section, "title": title, "venue": venue,
                           "year": year, "links": links, "ids": ids, "duplicate_of": duplicate_of, "kind": kind})
    return entry


@dataclass(frozen=True)
class Skipped:
    """A list item that is not a paper, with the reason (shown by `scan --all`)."""

    line: int
    end_line: int
    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "end_line": self.end_line, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class ScanResult:
    source: str
    entries: tuple[Entry, ...]
    skipped: tuple[Skipped, ...] = ()

    def to_dict(self, include_skipped: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "entries": [e.to_dict() for e in self.entries]}
        if include_skipped:
            out["skipped"] = [s.to_dict() for s in self.skipped]
        return out


@dataclass(frozen=True)
class Match:
    """How a paper was attached to an entry."""

    method: str  # "id" | "title" | "override"
    source: str  # "arxiv" | "s2" | "arxiv+s2" | "override"
    score: float  # 0..1 confidence
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "source": self.source, "score": round(self.score, 4), "reasons": list(self.reasons)}


@dataclass(frozen=True)
class PublishedVersion:
    venue: str | None = None
    year: int | None = None
    doi: str | None = None


@dataclass(frozen=True)
class Paper:
    """The resolved metadata of one paper (arXiv and Semantic Scholar merged)."""

    title: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str | None = None
    venue_short: str | None = None
    publication_date: str | None = None
    doi: str | None = None  # publisher DOI, lower-cased; never 10.48550/arXiv.*
    arxiv: str | None = None
    s2_id: str | None = None
    corpus_id: int | None = None
    dblp: str | None = None
    citation_count: int | None = None
    influential_citation_count: int | None = None
    canonical_url: str | None = None
    pdf_url: str | None = None
    published_version: PublishedVersion | None = None
    publication_types: tuple[str, ...] = ()
    primary_category: str | None = None  # arXiv's primary category, e.g. "cs.LG"
    match: Match | None = None

    def to_dict(self) -> dict[str, Any]:
        out = to_jsonable({f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "match"})
        out["match"] = self.match.to_dict() if self.match else None
        return out


@dataclass(frozen=True)
class Candidate:
    """A record that was considered but not attached (for ambiguous results)."""

    title: str
    score: float
    source: str
    arxiv: str | None = None
    doi: str | None = None
    s2_id: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Resolution:
    """An entry and what enrichment found for it: a paper, or a reason why not."""

    entry: Entry
    paper: Paper | None
    reason: str | None = None  # "not found" | "ambiguous" | "error: ..." | "offline: not in cache"
    candidates: tuple[Candidate, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.entry.to_dict()
        out["paper"] = self.paper.to_dict() if self.paper else None
        out["reason"] = self.reason
        if self.candidates:
            out["candidates"] = to_jsonable(self.candidates)
        return out


@dataclass(frozen=True)
class Place:
    """Where a URL appears: file and 1-based line."""

    file: str
    line: int


class LinkStatus(StrEnum):
    """The verdict on one URL. The JSON strings are the values; what each one means for the
    exports (failure, severity, how it is shown) is said here once."""

    OK = "ok"
    REDIRECTED = "redirected"
    BROKEN = "broken"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    SOFT_404 = "soft_404"
    INVALID = "invalid"
    SKIPPED = "skipped"
    ERROR = "error"

    @property
    def is_broken(self) -> bool:
        """`check`'s meaning of broken (what fails its run by default), shared by lint, fix and the report."""
        return self is LinkStatus.BROKEN

    @property
    def is_suspect(self) -> bool:
        """Does not work either, but a finding of its own kind: a soft 404 or an invalid URL."""
        return self in (LinkStatus.SOFT_404, LinkStatus.INVALID)

    @property
    def is_failure(self) -> bool:
        """The link does not work (a timeout, a block or a rate limit may be ours, not theirs)."""
        return self.is_broken or self.is_suspect

    @property
    def is_working(self) -> bool:
        return self in (LinkStatus.OK, LinkStatus.REDIRECTED)

    @property
    def is_final(self) -> bool:
        """Still true tomorrow (cacheable): not a timeout, rate limit, reset or skip."""
        return self.is_working or self in (LinkStatus.BROKEN, LinkStatus.BLOCKED, LinkStatus.SOFT_404)

    @property
    def severity(self) -> int:
        """0 fine, 1 worth a look, 2 not verified, 3 does not work."""
        if self is LinkStatus.OK:
            return 0
        if self in (LinkStatus.REDIRECTED, LinkStatus.SKIPPED):
            return 1
        return 3 if self.is_failure else 2

    @property
    def group(self) -> str:
        """The report's columns: ok, redirected, broken or other."""
        return self.value if self.is_working else "broken" if self.is_broken else "other"

    @property
    def display(self) -> str:
        """A title for CI annotations and reports."""
        return _LINK_STATUS_DISPLAY[self]

    @property
    def ci_level(self) -> str | None:
        """How loud a finding is in CI outputs: error, warning, notice; None is not reported."""
        if self in (LinkStatus.OK, LinkStatus.SKIPPED):
            return None
        if self is LinkStatus.BROKEN:
            return "error"
        return "warning" if self.is_failure else "notice"


_LINK_STATUS_DISPLAY = {
    LinkStatus.OK: "Working link", LinkStatus.REDIRECTED: "Redirected link", LinkStatus.BROKEN: "Broken link",
    LinkStatus.BLOCKED: "Blocked (bot protection)", LinkStatus.RATE_LIMITED: "Rate limited", LinkStatus.TIMEOUT: "Timed out",
    LinkStatus.SOFT_404: "Soft 404", LinkStatus.INVALID: "Invalid link", LinkStatus.SKIPPED: "Not checked",
    LinkStatus.ERROR: "Check failed",
}


@dataclass(frozen=True)
class LinkTarget:
    """A link `check` would consider, before any request: its places, and why it would be
    skipped unasked (an exclude, a relative link, an unsafe scheme...), None if it would be asked."""

    url: str
    places: tuple[Place, ...]
    skipped: str | None = None

    def to_dict(self) -> dict:
        return {"url": self.url, "places": [{"file": p.file, "line": p.line} for p in self.places], "skipped": self.skipped}


@dataclass(frozen=True)
class LinkResult:
    """The health of one distinct URL."""

    url: str
    status: LinkStatus  # given as a LinkStatus or its string; always a LinkStatus afterwards
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()  # the chain of Location targets, in order
    places: tuple[Place, ...] = ()
    suggestion: str | None = None  # a better URL to use instead, if any
    detail: str | None = None  # human-readable explanation
    verified_by: str = "http"  # how the verdict was reached: http (the page), arxiv, doi, openreview (their APIs)

    def __post_init__(self) -> None:
        if not isinstance(self.status, LinkStatus):
            object.__setattr__(self, "status", LinkStatus(self.status))

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status.value,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": list(self.redirects),
            "places": [{"file": p.file, "line": p.line} for p in self.places],
            "suggestion": self.suggestion,
            "detail": self.detail,
            "verified_by": self.verified_by,
        }
