"""Conformance: the real `arxiv` and `semanticscholar` packages, pointed at the emulators, parse
every kind of response they give. Expected values come from the corpus records (the truth)."""

from __future__ import annotations

import time

import arxiv
import pytest
import tenacity
from semanticscholar import SemanticScholar
from semanticscholar.SemanticScholarException import (
    BadQueryParametersException,
    GatewayTimeoutException,
    InternalServerErrorException,
    ObjectNotFoundException,
)

from tests.conftest import TEST_S2_KEY
from tests.emulator import ScholarWorld


def arxiv_client(world, page_size: int = 100) -> arxiv.Client:
    """arxiv 4.0.2 builds its URLs from the class attribute `query_url_format`; an instance attribute overrides it."""
    client = arxiv.Client(page_size=page_size, delay_seconds=world.arxiv_interval_scaled * 1.2, num_retries=0)
    client.query_url_format = world.arxiv_url + "?{}"
    return client


def s2_client(world, key: str | None = TEST_S2_KEY) -> SemanticScholar:
    return SemanticScholar(api_url=world.s2_root, api_key=key, retry=False, timeout=5)


def paced(world):
    """Wait out the S2 per-key interval between library calls (each makes its own request)."""
    time.sleep(1.2 / world.s2_rps_scaled)


# --- arXiv ------------------------------------------------------------------------------------------

def test_arxiv_id_lookup_parses_all_fields(scholar_world):
    truth = scholar_world.corpus.get_arxiv("2303.99105")  # a preprint with a published version
    [result] = list(arxiv_client(scholar_world).results(arxiv.Search(id_list=["2303.99105"])))
    assert result.entry_id == f"http://arxiv.org/abs/2303.99105v{truth.arxiv_versions}"
    assert result.get_short_id() == f"2303.99105v{truth.arxiv_versions}"
    assert result.title == truth.arxiv_title
    assert [a.name for a in result.authors] == list(truth.authors)
    assert result.doi == truth.doi
    assert result.journal_ref == "SOSP 2023"
    assert result.primary_category == truth.categories[0]
    assert result.categories == list(truth.categories)
    assert result.pdf_url == f"https://arxiv.org/pdf/2303.99105v{truth.arxiv_versions}"
    assert result.published.isoformat().startswith(truth.submitted[:10])
    assert result.summary


def test_arxiv_versioned_and_old_style_ids(scholar_world):
    truth = scholar_world.corpus.get_arxiv("2303.99105")
    client = arxiv_client(scholar_world)
    [v1] = list(client.results(arxiv.Search(id_list=["2303.99105v1"])))
    assert v1.entry_id.endswith("2303.99105v1")
    # A version beyond the last one does not exist.
    assert list(client.results(arxiv.Search(id_list=[f"2303.99105v{truth.arxiv_versions + 1}"]))) == []


def test_arxiv_old_style_id(scholar_world):
    truth = scholar_world.corpus.get_arxiv("cs/0112999")
    [result] = list(arxiv_client(scholar_world).results(arxiv.Search(id_list=["cs/0112999"])))
    assert result.get_short_id() == f"cs/0112999v{truth.arxiv_versions}"
    assert result.title == truth.title
    assert result.primary_category == "cs.DL"
    paced(scholar_world)
    paper = s2_client(scholar_world).get_paper("ARXIV:cs/0112999", fields=["externalIds"])
    assert paper.externalIds["ArXiv"] == "cs/0112999"


def test_arxiv_several_ids_keep_request_order_and_skip_unknown(scholar_world):
    ids = ["1706.03762", "0808.05394", "2104.99101"]
    results = list(arxiv_client(scholar_world).results(arxiv.Search(id_list=ids)))
    assert [r.get_short_id().split("v")[0] for r in results] == ["1706.03762", "2104.99101"]
    assert results[0].title == "Attention Is All You Need"
    assert results[1].title == "Attention Is Not All You Need"


def test_arxiv_unknown_id_gives_no_result(scholar_world):
    assert list(arxiv_client(scholar_world).results(arxiv.Search(id_list=["0000.0000"]))) == []


def test_arxiv_malformed_id_is_http_400(scholar_world):
    with pytest.raises(arxiv.HTTPError) as info:
        list(arxiv_client(scholar_world).results(arxiv.Search(id_list=["abc"])))
    assert info.value.status == 400


def test_arxiv_title_search_with_many_ored_phrases(scholar_world):
    corpus = scholar_world.corpus
    # Forty seed papers with arXiv ids, looked up in one request as the resolver batches them.
    picks = [r for r in corpus if r.origin == "seed" and r.arxiv and '"' not in r.title][:40]
    query = " OR ".join(f'ti:"{r.arxiv_display_title}"' for r in picks)
    results = list(arxiv_client(scholar_world, page_size=2000).results(arxiv.Search(query=query, max_results=2000)))
    found = {r.get_short_id().rsplit("v", 1)[0] for r in results}
    assert {r.arxiv for r in picks} <= found
    assert scholar_world.log.count(service="arxiv") == 1


def test_arxiv_paging_over_several_requests(scholar_world):
    client = arxiv_client(scholar_world, page_size=7)
    results = list(client.results(arxiv.Search(query='ti:"deep learning"', max_results=20)))
    assert len(results) == 20
    assert len({r.entry_id for r in results}) == 20
    starts = [r.param("start") for r in scholar_world.log.records(service="arxiv")]
    assert starts == ["0", "7", "14"]


def test_arxiv_rate_limit_is_http_429_for_the_client(scholar_world):
    with ScholarWorld(time_scale=0.5, corpus=scholar_world.corpus) as world:  # a 1.5 s interval
        client = arxiv_client(world)
        client.delay_seconds = 0  # a rude client
        list(client.results(arxiv.Search(id_list=["1706.03762"])))
        with pytest.raises(arxiv.HTTPError) as info:
            list(client.results(arxiv.Search(id_list=["1706.03762"])))
    assert info.value.status == 429


# --- Semantic Scholar ---------------------------------------------------------------------------

FIELDS = ["title", "year", "venue", "externalIds", "authors", "citationCount", "influentialCitationCount",
          "publicationDate", "openAccessPdf", "journal", "publicationTypes", "corpusId", "url"]


@pytest.mark.parametrize("id_form", ["ARXIV:{arxiv}", "DOI:{doi}", "{doi}", "CorpusId:{corpus_id}", "{s2_id}",
                                     "URL:https://arxiv.org/abs/{arxiv}", "URL:https://doi.org/{doi}"])
def test_s2_get_paper_by_every_id_form(scholar_world, id_form):
    truth = scholar_world.corpus.get_arxiv("2209.99107")  # has arXiv id, DOI, ligature title
    paper = s2_client(scholar_world).get_paper(id_form.format(arxiv=truth.arxiv, doi=truth.doi, corpus_id=truth.corpus_id,
                                                              s2_id=truth.s2_id), fields=FIELDS)
    assert paper.paperId == truth.s2_id
    assert paper.title == truth.title
    assert paper.year == truth.year
    assert paper.externalIds["ArXiv"] == truth.arxiv
    assert paper.externalIds["DOI"] == truth.doi
    assert paper.corpusId == truth.corpus_id
    assert [a.name for a in paper.authors] == list(truth.authors)
    assert paper.citationCount == truth.citation_count
    assert paper.openAccessPdf["url"] == f"https://arxiv.org/pdf/{truth.arxiv}"
    assert paper.publicationTypes == list(truth.publication_types)
    assert paper.journal.name == truth.venue


def test_s2_batch_returns_not_found_ids(scholar_world):
    corpus = scholar_world.corpus
    known = ["ARXIV:1706.03762", "DOI:10.1145/9999999.9999105"]
    papers, missing = s2_client(scholar_world).get_papers(known + ["ARXIV:0000.00000"], fields=FIELDS, return_not_found=True)
    assert [p.paperId for p in papers] == [corpus.get_arxiv("1706.03762").s2_id, corpus.get_doi("10.1145/9999999.9999105").s2_id]
    assert missing == ["ARXIV:0000.00000"]


def test_s2_title_match_returns_one_paper(scholar_world):
    truth = scholar_world.corpus.get_arxiv("1706.03762")
    paper = s2_client(scholar_world).search_paper("Attention is all you need", match_title=True, fields=FIELDS)
    assert paper.paperId == truth.s2_id
    assert paper.raw_data["matchScore"] > 0


def test_s2_title_match_not_found_raises(scholar_world):
    with pytest.raises(ObjectNotFoundException, match="Title match not found"):
        s2_client(scholar_world).search_paper("qzxv wjkq plmf", match_title=True)


def test_s2_relevance_search_pages(scholar_world):
    results = s2_client(scholar_world).search_paper("distributed inference serving", limit=10, fields=["title", "year"])
    first_page = list(results.items)
    assert len(first_page) == 10
    assert results.total > 10
    paced(scholar_world)
    results.next_page()
    assert len(results.items) == 20
    assert len({p.paperId for p in results.items}) == 20


def test_s2_bulk_search_with_token(scholar_world):
    client = s2_client(scholar_world)
    results = client.search_paper("learning", bulk=True, fields=["title"])
    assert len(results.items) == 1000
    assert results.total > 1000
    paced(scholar_world)
    results.next_page()
    assert len(results.items) == 2000
    assert len({p.paperId for p in results.items}) == 2000
    assert scholar_world.log.records(service="s2")[-1].param("token")


def test_s2_unknown_paper_raises_not_found(scholar_world):
    with pytest.raises(ObjectNotFoundException, match="Paper with id ARXIV:0000.00000 not found"):
        s2_client(scholar_world).get_paper("ARXIV:0000.00000")


def test_s2_unknown_field_raises_bad_query(scholar_world):
    with pytest.raises(BadQueryParametersException, match="Unrecognized or unsupported fields"):
        s2_client(scholar_world).get_paper("ARXIV:1706.03762", fields=["title", "unknown"])


def test_s2_wrong_key_is_permission_error(scholar_world):
    with pytest.raises(PermissionError):
        s2_client(scholar_world, key="wrong").get_paper("ARXIV:1706.03762")


def test_s2_rate_limit_reaches_the_client_as_429(scholar_world):
    # A slow pace (one request per 5 s): the library opens a new connection per call, which
    # takes long enough on a busy machine to slip past a short interval.
    with ScholarWorld(time_scale=5.0, s2_api_key=TEST_S2_KEY, corpus=scholar_world.corpus) as world:
        client = s2_client(world)
        client.get_paper("ARXIV:1706.03762")
        # With retry=False the library still goes through tenacity, which wraps the error.
        with pytest.raises(tenacity.RetryError) as info:
            client.get_paper("ARXIV:1706.03762")
        error = info.value.last_attempt.exception()
        assert isinstance(error, ConnectionRefusedError) and "429" in str(error)
        assert world.log.count(service="s2", status=429) == 1


@pytest.mark.parametrize("code,error", [(500, InternalServerErrorException), (504, GatewayTimeoutException)])
def test_s2_gateway_errors_reach_the_client_as_its_exceptions(scholar_world, code, error):
    scholar_world.faults.status(code, service="s2", times=1)
    with pytest.raises(error):
        s2_client(scholar_world).get_paper("ARXIV:1706.03762")
