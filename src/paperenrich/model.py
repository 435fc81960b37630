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

    # The field names are read once (below the class): dataclasses.fields() per call was a
    # visible share of scanning a long list, which builds an Ids for every link.
    def to_dict(self) -> dict[str, str]:
        """Only the ids that are present."""
        return {name: v for name in _ID_FIELDS if (v := getattr(self, name))}

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in _ID_FIELDS)

    def merged(self, other: "Ids") -> "Ids":
        """Fill gaps of self from other (self wins on conflicts)."""
        return Ids(**{name: getattr(self, name) or getattr(other, name) for name in _ID_FIELDS})


_ID_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Ids))


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


@dataclass(frozen=True)
class LinkResult:
    """The health of one distinct URL."""

    url: str
    status: str  # ok | redirected | broken | blocked | rate_limited | timeout | soft_404 | invalid | skipped | error
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[str, ...] = ()  # the chain of Location targets, in order
    places: tuple[Place, ...] = ()
    suggestion: str | None = None  # a better URL to use instead, if any
    detail: str | None = None  # human-readable explanation

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "redirects": list(self.redirects),
            "places": [{"file": p.file, "line": p.line} for p in self.places],
            "suggestion": self.suggestion,
            "detail": self.detail,
        }
