"""arXiv and S2 response parsing against real recorded samples (../shared/api-samples), and query building."""

import json
from pathlib import Path

import httpx
import pytest

from paperenrich.http import MalformedResponse
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "api-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/api-samples not present")


def _sample(rel: str) -> bytes:
    return (SAMPLES / rel).read_bytes()


@needs_samples
def test_arxiv_2026_id_list_one_missing_gives_the_found_entry():
    records = ax.parse_feed(_sample("arxiv/current-api-2026/id_list_two_ids_one_nonexistent.xml"))
    assert [r["arxiv"] for r in records] == ["1707.08567"]  # 0808.05394 does not exist
    assert records[0]["version"] == 1
    assert records[0]["authors"][:2] == ["Kees A. Schouhamer Immink", "Stan Baggen"]
    assert records[0]["pdf_url"] == "https://arxiv.org/pdf/1707.08567v1"


@needs_samples
def test_arxiv_old_style_id_and_journal_ref():
    (record,) = ax.parse_feed(_sample("arxiv/current-api-2026/id_list_oldstyle_astro-ph_0601001.xml"))
    assert record["arxiv"] == "astro-ph/0601001"
    assert record["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert record["published"] == "2006-01-02"


@needs_samples
def test_arxiv_classic_feed_with_dois_lower_cased_and_titles_unwrapped():
    records = {r["arxiv"]: r for r in ax.parse_feed(_sample("arxiv/classic-api/search_all_science_start0_max10_2019.xml"))}
    assert len(records) == 10
    assert records["0808.0631"]["doi"] == "10.1214/07-sts246b"  # written 10.1214/07-STS246B in the feed
    assert records["0808.0631"]["journal_ref"] == "Statistical Science 2008, Vol. 23, No. 1, 65-68"
    assert all("\n" not in r["title"] and "  " not in r["title"] for r in records.values())


@needs_samples
def test_arxiv_error_feed_and_unknown_id():
    with pytest.raises(ax.ArxivQueryError, match="incorrect id format for abc"):
        ax.parse_feed(_sample("arxiv/current-api-2026/error_400_incorrect_id_format_abc.xml"))
    assert ax.parse_feed(_sample("arxiv/current-api-2026/id_list_nonexistent_0000.0000.xml")) == []


@needs_samples
def test_arxiv_truncated_feed_is_malformed_not_empty():
    body = _sample("arxiv/classic-api/search_all_science_start0_max10_2019.xml")
    with pytest.raises(MalformedResponse):
        ax.parse_feed(body[: len(body) // 2])
    with pytest.raises(MalformedResponse):
        ax.parse_feed(b"<html><body>maintenance</body></html>")


def test_arxiv_queries():
    assert ax.id_query(["2309.06180", "hep-th/9901001"]) == {"id_list": "2309.06180,hep-th/9901001", "start": "0", "max_results": "2"}
    q = ax.title_query(['Attention Is All You Need', 'Deja Vu: "Contextual" Sparsity'])["search_query"]
    assert q == 'ti:"Attention Is All You Need" OR ti:"Deja Vu Contextual Sparsity"'
    assert ax.is_valid_id("2309.06180") and ax.is_valid_id("hep-th/9901001")
    assert not ax.is_valid_id("abc") and not ax.is_valid_id("2309.06180v2")


@needs_samples
def test_s2_batch_with_null_parsed_in_order():
    body = _sample("semanticscholar/cassettes/bodies/test_get_papers_not_found_warning__00_s2_200.json")
    response = httpx.Response(200, content=body, request=httpx.Request("POST", "http://s2/paper/batch"))
    papers = s2._parse_batch(response)
    assert papers[0] is None
    assert papers[1]["externalIds"]["DOI"] == "10.2139/ssrn.288970"


@needs_samples
def test_s2_match_404_is_a_negative_answer_and_hit_is_parsed():
    request = httpx.Request("GET", "http://s2/paper/search/match")
    assert s2._parse_match(httpx.Response(404, content=b'{"error":"Title match not found"}\n', request=request)) is None
    body = _sample("semanticscholar/cassettes/bodies/test_search_paper_match_title__00_s2_200.json")
    hit = s2._parse_match(httpx.Response(200, content=body, request=request))
    assert hit["title"] == "Mining association rules between sets of items in large databases"


def test_s2_malformed_and_refused_bodies():
    request = httpx.Request("POST", "http://s2/paper/batch")
    with pytest.raises(MalformedResponse):
        s2._parse_batch(httpx.Response(200, content=b'[{"paperId": "x"', request=request))
    with pytest.raises(MalformedResponse):
        s2._parse_batch(httpx.Response(200, content=b'{"data": []}', request=request))
    with pytest.raises(s2.S2QueryError, match="Unrecognized"):
        s2._parse_batch(httpx.Response(400, content=b'{"error":"Unrecognized or unsupported fields: [x]"}', request=request))
    with pytest.raises(httpx.HTTPStatusError):
        s2._parse_batch(httpx.Response(429, content=b'{"message": "Too Many Requests"}', request=request))


def test_s2_bulk_query_and_venue():
    assert s2.bulk_query(["A B: C", 'x "y" | z']) == '"A B C" | "x y z"'
    assert s2.venue_of({"publicationVenue": {"name": "OSDI"}, "venue": "other"}) == "OSDI"
    assert s2.venue_of({"publicationVenue": None, "venue": "", "journal": {"name": "Mind"}}) == "Mind"
    assert s2.venue_of({}) is None
