"""Merge precedence: arXiv for title/authors, S2 for publication facts; the arXiv DOI kept apart."""

import pytest

from paperenrich.merge import merge, publisher_doi
from paperenrich.model import Match

ARXIV = {"arxiv": "2309.06180", "title": "Efficient Memory Management for LLM Serving with PagedAttention",
         "authors": ["Woosuk Kwon", "Zhuohan Li"], "published": "2023-09-12", "doi": None, "journal_ref": None,
         "pdf_url": "https://arxiv.org/pdf/2309.06180v1"}
S2 = {"paperId": "83b9", "corpusId": 261697361, "title": "Efficient memory management for LLM serving",
      "externalIds": {"ArXiv": "2309.06180", "DOI": "10.1145/3600006.3613165", "DBLP": "conf/sosp/KwonLZ23", "CorpusId": 261697361},
      "authors": [{"authorId": "1", "name": "W. Kwon"}], "year": 2023, "venue": "Symposium on Operating Systems Principles",
      "publicationVenue": {"name": "Symposium on Operating Systems Principles"}, "publicationDate": "2023-10-23",
      "citationCount": 1200, "influentialCitationCount": 150, "openAccessPdf": {"url": "", "status": None},
      "publicationTypes": ["Conference"]}
M = Match("id", "arxiv+s2", 1.0, ())


def test_precedence_both_records():
    p = merge(ARXIV, S2, M)
    assert p.title == ARXIV["title"] and p.authors == ("Woosuk Kwon", "Zhuohan Li")  # arXiv first
    assert (p.year, p.publication_date) == (2023, "2023-10-23")  # S2 first
    assert p.venue == "Symposium on Operating Systems Principles" and p.venue_short == "SOSP"
    assert p.doi == "10.1145/3600006.3613165"
    assert p.canonical_url == "https://doi.org/10.1145/3600006.3613165"
    assert p.pdf_url == ARXIV["pdf_url"]  # S2's empty openAccessPdf url does not count
    assert (p.s2_id, p.corpus_id, p.dblp, p.citation_count) == ("83b9", 261697361, "conf/sosp/KwonLZ23", 1200)
    assert p.published_version.venue == "Symposium on Operating Systems Principles"
    assert p.published_version.doi == "10.1145/3600006.3613165" and p.published_version.year == 2023


def test_arxiv_doi_is_never_the_publisher_doi():
    s2 = dict(S2, externalIds={"ArXiv": "2309.06180", "DOI": "10.48550/arXiv.2309.06180"}, venue="arXiv.org", publicationVenue={"name": "arXiv.org"})
    p = merge(ARXIV, s2, M)
    assert p.doi is None
    assert p.canonical_url == "https://arxiv.org/abs/2309.06180"
    assert p.venue == "arXiv" and p.published_version is None


def test_published_version_from_arxiv_journal_ref_and_doi():
    ax = dict(ARXIV, doi="10.1109/ICSTW55395.2022.00035", journal_ref="ICST Workshops 2022")
    p = merge(ax, None, M)
    assert p.doi == "10.1109/icstw55395.2022.00035"
    assert p.published_version.venue == "ICST Workshops 2022" and p.published_version.year == 2022
    assert p.citation_count is None and p.s2_id is None


def test_s2_only_paper_links_to_s2_without_doi():
    s2 = dict(S2, externalIds={"CorpusId": 1}, url="https://www.semanticscholar.org/paper/83b9")
    p = merge(None, s2, M)
    assert p.arxiv is None and p.doi is None and p.published_version is None
    assert p.canonical_url == "https://www.semanticscholar.org/paper/83b9"
    assert p.authors == ("W. Kwon",)


def test_publisher_doi_helper_and_empty_merge():
    assert publisher_doi(" 10.1145/ABC ") == "10.1145/abc"
    assert publisher_doi("10.48550/arXiv.2309.06180") is None
    with pytest.raises(ValueError):
        merge(None, None, M)


def test_primary_category_comes_from_the_arxiv_record_only():
    assert merge(dict(ARXIV, primary_category="cs.DC"), S2, M).primary_category == "cs.DC"
    assert merge(None, S2, M).primary_category is None  # S2 has no arXiv category
    assert merge(dict(ARXIV, primary_category="cs.DC"), None, M).to_dict()["primary_category"] == "cs.DC"
