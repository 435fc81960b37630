"""Query semantics of the emulators, the traps, and one paper = the same facts on both APIs.

Expected sets are computed by brute force over the corpus records, independently of the indexes
the emulators search with."""

from __future__ import annotations

import functools
import time
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.conftest import TEST_S2_KEY
from tests.emulator.textnorm import fold as _fold

fold = functools.lru_cache(maxsize=None)(_fold)  # brute force folds every title many times

ATOM = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom", "os": "http://a9.com/-/spec/opensearch/1.1/"}
KEY = {"x-api-key": TEST_S2_KEY}


def arxiv_feed(world, **params) -> ET.Element:
    world.arxiv.reset()
    resp = httpx.get(world.arxiv_url, params=params, timeout=30)
    assert resp.status_code == 200, resp.text
    return ET.fromstring(resp.content)


def entry_ids(feed: ET.Element) -> list[str]:
    return [e.findtext("a:id", namespaces=ATOM).rsplit("/abs/", 1)[1].rsplit("v", 1)[0] for e in feed.findall("a:entry", ATOM)]


def s2_json(world, path: str, method: str = "GET", **kwargs):
    world.s2.reset()
    resp = httpx.request(method, world.s2_url + path, headers=KEY, timeout=30, **kwargs)
    return resp.status_code, resp.json()


def words(text: str) -> list[str]:
    return fold(text).split()


def has_phrase(phrase: str, text: str) -> bool:
    return f" {fold(phrase)} " in f" {fold(text)} "


def arxiv_truth(world, predicate) -> set[str]:
    return {r.arxiv for r in world.corpus if r.arxiv and r.in_arxiv and predicate(r)}


# --- arXiv search_query ---------------------------------------------------------------------------

@pytest.mark.parametrize("query,predicate", [
    ('ti:"deep learning" AND ti:inference ANDNOT ti:edge',
     lambda r: has_phrase("deep learning", r.arxiv_display_title) and "inference" in words(r.arxiv_display_title)
     and "edge" not in words(r.arxiv_display_title)),
    ("(ti:attention OR ti:transformer) AND ti:efficient",
     lambda r: ("attention" in words(r.arxiv_display_title) or "transformer" in words(r.arxiv_display_title))
     and "efficient" in words(r.arxiv_display_title)),
    ("ti:serving ti:llm",  # side by side: AND
     lambda r: {"serving", "llm"} <= set(words(r.arxiv_display_title))),
    ('au:"Ashish Vaswani"', lambda r: "Ashish Vaswani" in r.authors),
    ("id:1706.03762", lambda r: r.arxiv == "1706.03762"),
])
def test_arxiv_boolean_queries_match_brute_force(scholar_world, query, predicate):
    feed = arxiv_feed(scholar_world, search_query=query, max_results=2000)
    expected = arxiv_truth(scholar_world, predicate)
    assert expected, "the query should match something in the corpus"
    assert set(entry_ids(feed)) == expected
    assert int(feed.findtext("os:totalResults", namespaces=ATOM)) == len(expected)


def test_arxiv_sorting_and_paging(scholar_world):
    query = "ti:learning"
    full = entry_ids(arxiv_feed(scholar_world, search_query=query, sortBy="submittedDate", sortOrder="ascending", max_results=300))
    submitted = [scholar_world.corpus.get_arxiv(i).submitted for i in full]
    assert submitted == sorted(submitted)
    page = entry_ids(arxiv_feed(scholar_world, search_query=query, sortBy="submittedDate", sortOrder="ascending",
                                start=100, max_results=50))
    assert page == full[100:150]


def test_arxiv_max_results_is_capped_at_2000(scholar_world):
    feed = arxiv_feed(scholar_world, search_query="ti:learning", max_results=5000)
    assert feed.findtext("os:itemsPerPage", namespaces=ATOM) == "2000"
    assert len(entry_ids(feed)) == 2000


def test_arxiv_bad_query_and_bad_start_are_400_error_feeds(scholar_world):
    for params, message in (({"search_query": "ti:(attention"}, "unable to parse search_query"),
                            ({"search_query": "ti:x", "start": "foo"}, "start must be an integer")):
        scholar_world.arxiv.reset()
        resp = httpx.get(scholar_world.arxiv_url, params=params)
        assert resp.status_code == 400
        assert ET.fromstring(resp.content).find("a:entry", ATOM).findtext("a:summary", namespaces=ATOM) == message


def test_arxiv_latex_title_is_found_by_its_plain_words(scholar_world):
    feed = arxiv_feed(scholar_world, search_query='ti:"Sublinear k-Means Clustering with O(n) Memory"')
    assert entry_ids(feed) == ["2202.99106"]
    assert "$k$" in feed.find("a:entry", ATOM).findtext("a:title", namespaces=ATOM)


# --- S2 bulk search ------------------------------------------------------------------------------

def s2_truth(world, predicate) -> set[str]:
    return {r.s2_id for r in world.corpus if r.in_s2 and predicate(r)}


@pytest.mark.parametrize("query,predicate", [
    ('"deep learning" +inference -edge',
     lambda r: has_phrase("deep learning", r.title) and "inference" in words(r.title) and "edge" not in words(r.title)),
    ("(attention | transformer) + efficient",
     lambda r: bool({"attention", "transformer"} & set(words(r.title))) and "efficient" in words(r.title)),
    ('"attention is all you need" | "language models are few-shot learners"',
     lambda r: has_phrase("attention is all you need", r.title) or has_phrase("language models are few-shot learners", r.title)),
    ("transformer* serving", lambda r: any(w.startswith("transformer") for w in words(r.title)) and "serving" in words(r.title)),
])
def test_s2_bulk_boolean_queries_match_brute_force(scholar_world, query, predicate):
    status, body = s2_json(scholar_world, "/paper/search/bulk", params={"query": query, "fields": "title"})
    expected = s2_truth(scholar_world, predicate)
    assert status == 200 and expected
    assert {p["paperId"] for p in body["data"]} == expected
    assert body["total"] == len(expected) and body["token"] is None


def test_s2_bulk_pages_with_tokens_cover_everything_once(scholar_world):
    expected = s2_truth(scholar_world, lambda r: "learning" in words(r.title) and r.year is not None and r.year >= 2015)
    seen, token, pages = [], None, 0
    while True:
        params = {"query": "learning", "fields": "title,year", "year": "2015-"}
        if token:
            params["token"] = token
        status, body = s2_json(scholar_world, "/paper/search/bulk", params=params)
        assert status == 200 and body["total"] == len(expected)
        seen += [p["paperId"] for p in body["data"]]
        pages += 1
        token = body["token"]
        if token is None:
            break
    assert pages == -(-len(expected) // 1000) and pages > 1
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert seen == sorted(seen)


# --- S2 title match: lenient, like the real one ---------------------------------------------------

def match(world, query: str, **params):
    return s2_json(world, "/paper/search/match", params={"query": query, "fields": "title,year,externalIds", **params})


def test_match_prefers_the_exact_title_over_a_near_duplicate(scholar_world):
    status, body = match(scholar_world, "Attention Is Not All You Need")
    assert status == 200 and body["data"][0]["title"] == "Attention Is Not All You Need"
    status, body = match(scholar_world, "Attention is all you need")
    assert body["data"][0]["externalIds"].get("ArXiv") == "1706.03762"


def test_match_is_lenient_and_may_return_a_different_paper(scholar_world):
    status, body = match(scholar_world, "Attention Is Almost All You Need")
    assert status == 200
    got = body["data"][0]
    assert fold(got["title"]) != fold("Attention Is Almost All You Need")  # a different paper, returned anyway
    assert "attention" in words(got["title"]) and got["matchScore"] > 0


def test_match_finds_a_title_with_a_word_missing(scholar_world):
    truth = scholar_world.corpus.get_arxiv("2309.06180")
    status, body = match(scholar_world, "Efficient Memory Management for Large Language Model Serving")
    assert status == 200 and body["data"][0]["paperId"] == truth.s2_id


def test_match_same_title_two_years_needs_the_year(scholar_world):
    title = "Orca: A Distributed Serving System for Transformer-Based Generative Models"
    papers = scholar_world.corpus.find_title(title)
    assert sorted(p.year for p in papers) == [2019, 2022]
    _, body = match(scholar_world, title)
    assert body["data"][0]["year"] == 2019  # the more cited one wins without a year
    _, body = match(scholar_world, title, year="2022")
    assert body["data"][0]["year"] == 2022


def test_match_folds_ligatures(scholar_world):
    truth = scholar_world.corpus.get_arxiv("2209.99107")
    assert "\ufb03" in truth.title
    _, body = match(scholar_world, "Efficient Transformers for Long Documents: A Survey of Attention")
    assert body["data"][0]["paperId"] == truth.s2_id


def test_deliberately_unknown_seed_papers_are_absent(scholar_world):
    corpus = scholar_world.corpus
    assert 3 <= len(corpus.unknown) <= 30  # a few per fixture (seed and corpus-list papers): most papers are served
    for item in corpus.unknown:
        assert item["reason"]
        assert corpus.find_title(item["title"]) == []
        if item.get("arxiv"):
            assert corpus.get_arxiv(item["arxiv"]) is None
        status, body = match(scholar_world, item["title"])
        assert status == 404 or fold(body["data"][0]["title"]) != fold(item["title"])


# --- one paper, the same facts on both APIs -------------------------------------------------------

def test_arxiv_and_s2_agree_on_every_shared_fact(scholar_world):
    corpus = scholar_world.corpus
    records = [r for r in corpus if r.origin != "dblp" and r.arxiv and r.in_arxiv][:300]
    records += [r for r in corpus if r.origin == "dblp" and r.arxiv][:200]
    arxiv_entries = {}
    for start in range(0, len(records), 250):
        chunk = records[start:start + 250]
        feed = arxiv_feed(scholar_world, id_list=",".join(r.arxiv for r in chunk), max_results=250)
        for entry in feed.findall("a:entry", ATOM):
            arxiv_entries[entry.findtext("a:id", namespaces=ATOM).rsplit("/abs/", 1)[1].rsplit("v", 1)[0]] = entry
    status, papers = s2_json(scholar_world, "/paper/batch", method="POST",
                             params={"fields": "title,authors,year,externalIds,openAccessPdf,publicationDate,venue"},
                             json={"ids": [f"ARXIV:{r.arxiv}" for r in records]})
    assert status == 200 and len(papers) == len(records) == len(arxiv_entries)
    for rec, paper in zip(records, papers):
        entry = arxiv_entries[rec.arxiv]
        assert paper["externalIds"]["ArXiv"] == rec.arxiv
        assert paper["externalIds"]["CorpusId"] == rec.corpus_id
        assert [a["name"] for a in paper["authors"]] == [a.findtext("a:name", namespaces=ATOM) for a in entry.findall("a:author", ATOM)]
        assert paper["openAccessPdf"]["url"] == f"https://arxiv.org/pdf/{rec.arxiv}"
        arxiv_doi = entry.findtext("arxiv:doi", namespaces=ATOM)
        if arxiv_doi:
            assert paper["externalIds"]["DOI"] == arxiv_doi
        if rec.dblp:
            assert paper["externalIds"]["DBLP"] == rec.dblp
        assert paper["year"] == rec.year and paper["publicationDate"].startswith(str(rec.year))
        if rec.arxiv_title is None:
            assert fold(paper["title"]) == fold(entry.findtext("a:title", namespaces=ATOM))


def test_preprint_and_published_version_are_one_paper(scholar_world):
    rec = scholar_world.corpus.get_doi("10.1145/9999999.9999105")
    feed = arxiv_feed(scholar_world, search_query=f'ti:"{rec.arxiv_title}"')
    entry = feed.find("a:entry", ATOM)
    assert entry.findtext("arxiv:doi", namespaces=ATOM) == rec.doi
    assert entry.findtext("arxiv:journal_ref", namespaces=ATOM) == "SOSP 2023"
    _, by_doi = s2_json(scholar_world, f"/paper/DOI:{rec.doi}", params={"fields": "externalIds,venue,title"})
    _, by_arxiv = s2_json(scholar_world, f"/paper/ARXIV:{rec.arxiv}", params={"fields": "externalIds,venue,title"})
    assert by_doi == by_arxiv
    assert by_doi["venue"] == "Symposium on Operating Systems Principles"
    assert by_doi["title"] != rec.arxiv_title


def test_generated_values_are_marked_and_stable(scholar_world):
    corpus = scholar_world.corpus
    dblp_with_arxiv = next(r for r in corpus if r.origin == "dblp" and r.arxiv)
    assert {"arxiv", "s2_id", "corpus_id", "citation_count"} <= set(dblp_with_arxiv.generated)
    seeds = [r for r in corpus if r.origin == "seed"]
    assert len(seeds) > 900
    assert all("s2_id" in r.generated and "citation_count" in r.generated for r in seeds)
    assert len({r.corpus_id for r in corpus}) == len(corpus) and len({r.s2_id for r in corpus}) == len(corpus)
    # Same key, same invented values: the world is the same in every run.
    from tests.emulator.corpus import generated_fields
    again = generated_fields(dblp_with_arxiv.key, dblp_with_arxiv.year, bool(dblp_with_arxiv.doi))
    assert again["s2_id"] == dblp_with_arxiv.s2_id and again["arxiv"] == dblp_with_arxiv.arxiv


def test_s2_rate_allows_the_scaled_pace(scholar_world):
    """A client that keeps to world.s2_rps_scaled is never refused."""
    with httpx.Client(headers=KEY) as client:
        for _ in range(10):
            assert client.get(scholar_world.s2_url + "/paper/ARXIV:1706.03762").status_code == 200
            time.sleep(1.0 / scholar_world.s2_rps_scaled)


def test_seed_fixture_is_what_the_builder_writes():
    """data/seed_papers.json is generated: if this fails, run `python -m tests.emulator.build_seed_fixture`."""
    import json

    from tests.emulator.build_seed_fixture import OUT, SEEDS_DIR, build

    if not SEEDS_DIR.is_dir():
        pytest.skip("../shared/seeds is not present")
    assert build() == json.loads(OUT.read_text(encoding="utf-8"))
