"""One `Paper` from an arXiv record and/or a Semantic Scholar record (pure).

Field precedence (documented in the README, section `enrich`):

| field | first choice | then |
|---|---|---|
| title, authors | arXiv (as the authors wrote them) | S2 |
| year, publication_date | S2 (the publication) | arXiv first-version date |
| venue | S2 `publicationVenue.name`, `venue`, `journal.name` | arXiv `journal_ref`, else "arXiv" for a preprint |
| doi (publisher) | S2 `externalIds.DOI` | arXiv `arxiv:doi`; the arXiv DOI 10.48550/arXiv.* is never used here |
| arxiv | arXiv record id | S2 `externalIds.ArXiv` |
| s2_id, corpus_id, dblp, citation counts, publication_types | S2 only | |
| primary_category | arXiv `arxiv:primary_category` only | |
| pdf_url | S2 `openAccessPdf.url` (when not empty) | arXiv pdf link |
| canonical_url | https://doi.org/DOI when a publisher DOI exists | arXiv abs page, then the S2 page |

`published_version` is set for a preprint (it has an arXiv id) that the records show was published:
a publisher DOI, or a venue other than arXiv (S2's venue/journal, or arXiv's journal_ref).
"""

from __future__ import annotations

from typing import Any

from paperenrich.ids import ARXIV_DOI_PREFIX
from paperenrich.model import Match, Paper, PublishedVersion
from paperenrich.sources.records import venue_of
from paperenrich.venues import normalize_venue, parse_venue_year


def publisher_doi(value: str | None) -> str | None:
    """A DOI lower-cased, or None for none or the arXiv DOI (10.48550/arXiv.*, kept apart)."""
    doi = (value or "").strip().lower()
    return doi if doi and not doi.startswith(ARXIV_DOI_PREFIX) else None


def _year_from(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None


def merge(arxiv: dict[str, Any] | None, s2: dict[str, Any] | None, match: Match | None) -> Paper:
    """The merged paper; at least one record must be given."""
    if arxiv is None and s2 is None:
        raise ValueError("merge needs at least one record")
    ax = arxiv or {}
    s2 = s2 or {}
    ext = s2.get("externalIds") or {}

    arxiv_id = ax.get("arxiv") or ext.get("ArXiv")
    doi = publisher_doi(ext.get("DOI")) or publisher_doi(ax.get("doi"))
    s2_venue = venue_of(s2)
    published_venue = s2_venue if normalize_venue(s2_venue) != "arXiv" else None
    published_venue = published_venue or ax.get("journal_ref")
    venue = published_venue or ("arXiv" if arxiv_id else s2_venue)
    publication_date = s2.get("publicationDate") or ax.get("published")
    year = s2.get("year") or _year_from(publication_date)
    s2_authors = [a.get("name") for a in s2.get("authors") or () if isinstance(a, dict) and a.get("name")]
    oa_pdf = (s2.get("openAccessPdf") or {}).get("url") or None
    corpus_id = s2.get("corpusId") or ext.get("CorpusId")

    if doi:
        canonical = f"https://doi.org/{doi}"
    elif arxiv_id:
        canonical = f"https://arxiv.org/abs/{arxiv_id}"
    elif s2.get("paperId"):
        canonical = s2.get("url") or f"https://www.semanticscholar.org/paper/{s2['paperId']}"
    else:
        canonical = None

    published = None
    if arxiv_id and (doi or published_venue):
        published_year = s2.get("year") if s2_venue == published_venue else parse_venue_year(published_venue)[1]
        published = PublishedVersion(venue=published_venue, year=published_year or s2.get("year"), doi=doi)

    return Paper(
        title=ax.get("title") or s2.get("title") or "",
        authors=tuple(ax.get("authors") or s2_authors),
        year=year,
        venue=venue,
        venue_short=normalize_venue(venue, keep_unknown=True) if venue else None,
        publication_date=publication_date,
        doi=doi,
        arxiv=arxiv_id,
        s2_id=s2.get("paperId"),
        corpus_id=int(corpus_id) if corpus_id is not None else None,
        dblp=ext.get("DBLP"),
        citation_count=s2.get("citationCount"),
        influential_citation_count=s2.get("influentialCitationCount"),
        canonical_url=canonical,
        pdf_url=oa_pdf or ax.get("pdf_url"),
        published_version=published,
        publication_types=tuple(s2.get("publicationTypes") or ()),
        primary_category=ax.get("primary_category"),
        match=match,
    )
