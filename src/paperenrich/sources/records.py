"""The records the two services send, as small typed classes validated on arrival.

Anything a service sends is untrusted: `from_json` checks every field we use (its type, and its
grammar for ids, DOIs and dates) and raises `RecordError` with a one-line reason naming the field.
A record that does not validate never reaches verification, the cache or an output: the parse
functions in `arxiv.py` and `s2.py` put a `MalformedRecord` in its place, which the resolver turns
into an `error:` reason for the entry (retried by the next run, never cached).

    ArxivRecord   one arXiv Atom entry: arxiv_id, version, title, authors, published, updated, doi,
                  journal_ref, comment, primary_category, pdf_url
    S2Record      one S2 paper (the fields of `s2.FIELDS`): paper_id, corpus_id, external_ids, url,
                  title, authors (S2Author: author_id, name), year, venue, publication_venue,
                  journal, publication_date, publication_types, citation_count,
                  influential_citation_count, open_access_pdf; and derived: arxiv_id, doi, dblp,
                  venue_name (publicationVenue.name, else venue, else journal.name), author_names
    MalformedRecord   a record that did not validate: source, ident (its id when readable), title, reason

`to_json()` gives the API's own JSON shape (the JSON keys, as the cache has always stored them), so
caches written before these classes read back through `from_json`; a cached value that no longer
validates is a cache miss (`load_cached`), never a crash.

For code written against the plain dicts of before, a record also reads like that dict:
`record["arxiv"]`, `record.get("externalIds")` (the `to_json()` values). New code should use the
attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterator, Mapping

from paperenrich.ids import ARXIV_ID

# A DOI: "10.", a registrant code, "/", a suffix of printable characters (no spaces, no controls).
# The suffix grammar is wide on purpose (SICI DOIs hold "()<>;#"); outputs escape or encode it.
DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[^\s\x00-\x1f\x7f]{1,300}$")
DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")  # 2023, 2023-09, 2023-09-12
S2_PAPER_ID = re.compile(r"^[0-9a-f]{40}$")
YEAR_RANGE = range(1000, 3000)
MAX_TEXT = 10_000  # characters in any one text field (a title, an author name, a comment)


class RecordError(ValueError):
    """A record from a service that does not have the shape we rely on."""


@dataclass(frozen=True)
class MalformedRecord:
    """Stands in for a record that did not validate (the answer was otherwise fine)."""

    source: str  # "arxiv" | "s2"
    ident: str | None  # the arXiv id or S2 paperId, when that much could be read
    title: str  # the title when it is a string (so a search can still tell whose it was), else ""
    reason: str

    def message(self) -> str:
        name = f" {self.ident}" if self.ident else ""
        return f"{'arXiv' if self.source == 'arxiv' else 'S2'}: malformed record{name} ({self.reason})"


# --- field checks: each returns the value or raises RecordError naming the field ---------------------


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _fail(name: str, expected: str, value: Any) -> RecordError:
    return RecordError(f"{name}: expected {expected}, got {_show(value)}")


def _text(name: str, value: Any, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _fail(name, "a string", value)
    if len(value) > MAX_TEXT:
        raise RecordError(f"{name}: longer than {MAX_TEXT} characters")
    return value


def _int(name: str, value: Any, allowed: range | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(name, "an integer", value)
    if allowed is not None and value not in allowed:
        raise _fail(name, f"an integer in {allowed.start}..{allowed.stop - 1}", value)
    return value


def _count(name: str, value: Any) -> int | None:
    return _int(name, value, range(0, 10**12))


def _matching(name: str, value: Any, grammar: re.Pattern[str], what: str) -> str | None:
    text = _text(name, value)
    if text is not None and not grammar.match(text):
        raise _fail(name, what, text)
    return text


def _date(name: str, value: Any) -> str | None:
    return _matching(name, value, DATE, "a date YYYY[-MM[-DD]]")


def _doi(name: str, value: Any) -> str | None:
    return _matching(name, value, DOI, "a DOI")


def _object(name: str, value: Any) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _fail(name, "an object", value)
    return value


def _list(name: str, value: Any) -> list[Any] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise _fail(name, "a list", value)
    return value


def _strings(name: str, value: Any) -> tuple[str, ...]:
    return tuple(_text(f"{name}[{i}]", item, optional=False) for i, item in enumerate(_list(name, value) or ()))


def _text_fields(name: str, value: Any, keys: tuple[str, ...]) -> dict[str, str | None] | None:
    """An object of optional strings, kept to `keys` (other keys are dropped, not trusted)."""
    obj = _object(name, value)
    if obj is None:
        return None
    return {k: _text(f"{name}.{k}", obj[k]) for k in keys if k in obj}


class _ReadsAsJson(Mapping[str, Any]):
    """Read access by the API's JSON keys, for code written against the plain dicts."""

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError

    @cached_property
    def _json(self) -> dict[str, Any]:
        return self.to_json()

    def __getitem__(self, key: str) -> Any:
        return self._json[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)


# --- arXiv -----------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ArxivRecord(_ReadsAsJson):
    arxiv_id: str  # without version: 2309.06180, hep-th/9901001
    title: str
    version: int | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # YYYY-MM-DD of the first version
    updated: str | None = None
    doi: str | None = None  # lower-case; may be the publisher's or none
    journal_ref: str | None = None
    comment: str | None = None
    primary_category: str | None = None
    pdf_url: str | None = None

    @property
    def year(self) -> int | None:
        return int(self.published[:4]) if self.published else None

    @classmethod
    def from_json(cls, data: Any) -> "ArxivRecord":
        if not isinstance(data, dict):
            raise _fail("record", "an object", data)
        arxiv_id = _text("arxiv", data.get("arxiv"), optional=False)
        if not ARXIV_ID.match(arxiv_id):
            raise _fail("arxiv", "an arXiv id", arxiv_id)
        doi = _doi("doi", data.get("doi"))
        return cls(
            arxiv_id=arxiv_id,
            title=_text("title", data.get("title")) or "",
            version=_int("version", data.get("version"), range(1, 10_000)),
            authors=_strings("authors", data.get("authors")),
            published=_date("published", data.get("published")),
            updated=_date("updated", data.get("updated")),
            doi=doi.lower() if doi else None,
            journal_ref=_text("journal_ref", data.get("journal_ref")),
            comment=_text("comment", data.get("comment")),
            primary_category=_text("primary_category", data.get("primary_category")),
            pdf_url=_text("pdf_url", data.get("pdf_url")),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "arxiv": self.arxiv_id, "version": self.version, "title": self.title, "authors": list(self.authors),
            "published": self.published, "updated": self.updated, "doi": self.doi,
            "journal_ref": self.journal_ref, "comment": self.comment,
            "primary_category": self.primary_category, "pdf_url": self.pdf_url,
        }


# --- Semantic Scholar --------------------------------------------------------------------------------


@dataclass(frozen=True)
class S2Author:
    name: str
    author_id: str | None = None

    @classmethod
    def from_json(cls, data: Any, where: str) -> "S2Author":
        if not isinstance(data, dict):
            raise _fail(where, "an author object", data)
        return cls(name=_text(f"{where}.name", data.get("name")) or "",
                   author_id=_text(f"{where}.authorId", data.get("authorId")))

    def to_json(self) -> dict[str, Any]:
        return {"authorId": self.author_id, "name": self.name}


_VENUE_KEYS = ("id", "name", "type", "url", "issn")
_JOURNAL_KEYS = ("name", "pages", "volume")
_PDF_KEYS = ("url", "status", "license")


def _external_ids(value: Any) -> dict[str, str | int]:
    """externalIds: string ids (ArXiv, DOI, DBLP, ACL, MAG, PubMed...) and the integer CorpusId."""
    ids = _object("externalIds", value) or {}
    out: dict[str, str | int] = {}
    for key, item in ids.items():
        if item is None:
            continue
        if key == "CorpusId":
            out[key] = _count("externalIds.CorpusId", item)
        elif key == "ArXiv":
            out[key] = _matching("externalIds.ArXiv", item, ARXIV_ID, "an arXiv id")
        elif key == "DOI":
            out[key] = _doi("externalIds.DOI", item)
        else:
            out[key] = _text(f"externalIds.{key}", item, optional=False)
    return out


@dataclass(frozen=True, eq=False)
class S2Record(_ReadsAsJson):
    paper_id: str
    title: str
    corpus_id: int | None = None
    external_ids: Mapping[str, str | int] = field(default_factory=dict)
    url: str | None = None
    authors: tuple[S2Author, ...] = ()
    year: int | None = None
    venue: str | None = None
    publication_venue: Mapping[str, Any] | None = None
    journal: Mapping[str, str | None] | None = None
    publication_date: str | None = None
    publication_types: tuple[str, ...] | None = None
    citation_count: int | None = None
    influential_citation_count: int | None = None
    open_access_pdf: Mapping[str, str | None] | None = None

    # --- derived ---
    @property
    def arxiv_id(self) -> str | None:
        return self.external_ids.get("ArXiv")  # type: ignore[return-value]

    @property
    def doi(self) -> str | None:
        return self.external_ids.get("DOI")  # type: ignore[return-value]

    @property
    def dblp(self) -> str | None:
        return self.external_ids.get("DBLP")  # type: ignore[return-value]

    @property
    def venue_name(self) -> str | None:
        """The full venue name: `publicationVenue.name`, else `venue`, else `journal.name`."""
        return ((self.publication_venue or {}).get("name") or self.venue or (self.journal or {}).get("name")) or None

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.authors if a.name)

    @classmethod
    def from_json(cls, data: Any) -> "S2Record":
        if not isinstance(data, dict):
            raise _fail("record", "an object", data)
        paper_id = _matching("paperId", data.get("paperId"), S2_PAPER_ID, "a 40-hex S2 paper id")
        if paper_id is None:
            raise RecordError("paperId: missing")
        venue = _object("publicationVenue", data.get("publicationVenue"))
        if venue is not None:
            names = _strings("publicationVenue.alternate_names", venue.get("alternate_names"))
            venue = {**_text_fields("publicationVenue", venue, _VENUE_KEYS),
                     **({"alternate_names": list(names)} if "alternate_names" in venue else {})}
        types = data.get("publicationTypes")
        return cls(
            paper_id=paper_id,
            title=_text("title", data.get("title")) or "",
            corpus_id=_count("corpusId", data.get("corpusId")),
            external_ids=_external_ids(data.get("externalIds")),
            url=_text("url", data.get("url")),
            authors=tuple(S2Author.from_json(a, f"authors[{i}]") for i, a in enumerate(_list("authors", data.get("authors")) or ())),
            year=_int("year", data.get("year"), YEAR_RANGE),
            venue=_text("venue", data.get("venue")),
            publication_venue=venue,
            journal=_text_fields("journal", data.get("journal"), _JOURNAL_KEYS),
            publication_date=_date("publicationDate", data.get("publicationDate")),
            publication_types=None if types is None else _strings("publicationTypes", types),
            citation_count=_count("citationCount", data.get("citationCount")),
            influential_citation_count=_count("influentialCitationCount", data.get("influentialCitationCount")),
            open_access_pdf=_text_fields("openAccessPdf", data.get("openAccessPdf"), _PDF_KEYS),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "paperId": self.paper_id, "corpusId": self.corpus_id, "externalIds": dict(self.external_ids),
            "url": self.url, "title": self.title, "authors": [a.to_json() for a in self.authors],
            "year": self.year, "venue": self.venue,
            "publicationVenue": dict(self.publication_venue) if self.publication_venue is not None else None,
            "journal": dict(self.journal) if self.journal is not None else None,
            "publicationDate": self.publication_date,
            "publicationTypes": list(self.publication_types) if self.publication_types is not None else None,
            "citationCount": self.citation_count, "influentialCitationCount": self.influential_citation_count,
            "openAccessPdf": dict(self.open_access_pdf) if self.open_access_pdf is not None else None,
        }


# --- arrival and the cache ----------------------------------------------------------------------------


def _ident_and_title(data: Any, id_key: str) -> tuple[str | None, str]:
    if not isinstance(data, dict):
        return None, ""
    ident, title = data.get(id_key), data.get("title")
    return (ident if isinstance(ident, str) and len(ident) <= 100 else None,
            title if isinstance(title, str) and len(title) <= MAX_TEXT else "")


def arxiv_or_malformed(data: Any) -> ArxivRecord | MalformedRecord:
    try:
        return ArxivRecord.from_json(data)
    except RecordError as exc:
        return MalformedRecord("arxiv", *_ident_and_title(data, "arxiv"), str(exc))


def s2_or_malformed(data: Any) -> S2Record | MalformedRecord:
    try:
        return S2Record.from_json(data)
    except RecordError as exc:
        return MalformedRecord("s2", *_ident_and_title(data, "paperId"), str(exc))


def is_malformed(value: Any) -> bool:
    """A value (a record, None, or a list of records) that holds a record that did not validate."""
    if isinstance(value, list):
        return any(isinstance(v, MalformedRecord) for v in value)
    return isinstance(value, MalformedRecord)


def malformed_message(value: Any) -> str:
    """The reason of the first malformed record in `value` (see `is_malformed`)."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, MalformedRecord):
            return item.message()
    return ""


def load_cached(kind: type[ArxivRecord] | type[S2Record], value: Any) -> Any:
    """A cached value (None, one record or a list of records) as records of `kind`.

    RecordError when any of it does not validate: the caller treats it as a miss and asks again.
    """
    if value is None:
        return None
    if isinstance(value, list):
        return [kind.from_json(item) for item in value]
    return kind.from_json(value)


def venue_of(record: "S2Record | Mapping[str, Any]") -> str | None:
    """An S2 record's full venue name: `publicationVenue.name`, else `venue`, else `journal.name`
    (`S2Record.venue_name`; this form also reads a plain dict). Here, not in sources/s2.py, so that
    verify and merge read records without importing the network layer."""
    if isinstance(record, S2Record):
        return record.venue_name
    venue = (record.get("publicationVenue") or {}).get("name") or record.get("venue") or (record.get("journal") or {}).get("name")
    return venue or None
