"""The emulators' responses against the real recordings in ../shared/api-samples: same status codes
for the same situations, same elements and keys in the same order, byte-equal error bodies."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.conftest import TEST_S2_KEY
from tests.emulator import ScholarWorld
from tests.emulator.corpus import SHARED_DIR
from tests.emulator.textnorm import fold

SAMPLES = SHARED_DIR / "api-samples"
ARXIV_2026 = SAMPLES / "arxiv" / "current-api-2026"
S2_BODIES = SAMPLES / "semanticscholar" / "cassettes" / "bodies"
QA_BODIES = SAMPLES / "semanticscholar" / "cassettes-paper-qa" / "bodies"
NS = {"atom": "http://www.w3.org/2005/Atom", "opensearch": "http://a9.com/-/spec/opensearch/1.1/", "arxiv": "http://arxiv.org/schemas/atom"}
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/api-samples is not present")


def short(tag: str) -> str:
    for prefix, uri in NS.items():
        tag = tag.replace("{" + uri + "}", "" if prefix == "atom" else prefix + ":")
    return tag


def element_tokens(element: ET.Element) -> list[str]:
    """Child tags in order, links told apart by role, runs of the same tag collapsed."""
    out: list[str] = []
    for child in element:
        tag = short(child.tag)
        if tag == "link":
            tag = "link:" + (child.get("title") or child.get("rel") or "self")
        if not out or out[-1] != tag:
            out.append(tag)
    return out


def feed_shape(body: bytes) -> dict:
    root = ET.fromstring(body)
    lines = body.decode("utf-8").splitlines()
    return {
        "declaration": lines[0],
        "root": lines[1],
        "feed": [t for t in element_tokens(root) if t != "entry"],
        "entries": [element_tokens(e) for e in root.findall("atom:entry", NS)],
        "total": int(root.findtext("opensearch:totalResults", namespaces=NS)),
        "per_page": int(root.findtext("opensearch:itemsPerPage", namespaces=NS)),
        "title": root.findtext("atom:title", namespaces=NS),
    }


def without_times(body: bytes) -> str:
    text = body.decode("utf-8")
    text = re.sub(r"<updated>[^<]*</updated>", "<updated/>", text)
    return re.sub(r"<id>https://arxiv.org/api/[^<]*</id>", "<id/>", text)


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(token in it for token in small)


def arxiv_get(world, **params) -> httpx.Response:
    world.arxiv.reset()  # each request starts a fresh rate window: this module tests shapes
    return httpx.get(world.arxiv_url, params=params)


# --- arXiv ------------------------------------------------------------------------------------------

def test_arxiv_single_id_feed_matches_the_recording(scholar_world):
    sample = feed_shape((ARXIV_2026 / "id_list_single_1605.08386.xml").read_bytes())
    resp = arxiv_get(scholar_world, search_query="", id_list="1706.03762", sortBy="relevance", sortOrder="descending",
                     start=0, max_results=100)
    assert resp.status_code == 200
    mine = feed_shape(resp.content)
    for key in ("declaration", "root", "feed", "total", "per_page"):
        assert mine[key] == sample[key], key
    assert mine["title"] == "arXiv Query: search_query=&id_list=1706.03762&start=0&max_results=100"
    assert len(mine["entries"]) == 1
    assert is_subsequence(mine["entries"][0], sample["entries"][0])


def test_arxiv_entry_with_doi_and_journal_ref_has_the_recorded_element_order(scholar_world):
    sample = feed_shape((ARXIV_2026 / "search_testing_start0_max10.xml").read_bytes())
    full = next(e for e in sample["entries"] if "arxiv:doi" in e and "arxiv:journal_ref" in e and "arxiv:comment" in e)
    resp = arxiv_get(scholar_world, id_list="2303.99105")  # preprint with publisher DOI and journal_ref
    [entry] = feed_shape(resp.content)["entries"]
    assert entry == full


def test_arxiv_search_feed_matches_the_recording(scholar_world):
    sample = feed_shape((ARXIV_2026 / "search_testing_start0_max10.xml").read_bytes())
    resp = arxiv_get(scholar_world, search_query="testing", id_list="", start=0, max_results=10)
    mine = feed_shape(resp.content)
    assert resp.status_code == 200
    assert mine["feed"] == sample["feed"]
    # A bare word is shown canonicalised with all:, as recorded.
    assert mine["title"] == sample["title"] == "arXiv Query: search_query=all:testing&id_list=&start=0&max_results=10"
    assert mine["per_page"] == 10
    expected = sum(1 for r in scholar_world.corpus if r.arxiv and r.in_arxiv
                   and ("testing" in fold(r.arxiv_display_title).split() or any("testing" in fold(a).split() for a in r.authors)))
    assert mine["total"] == expected > 10
    for entry in mine["entries"]:
        assert is_subsequence(entry, max(sample["entries"], key=len))


def test_arxiv_unknown_id_matches_the_recording(scholar_world):
    sample = (ARXIV_2026 / "id_list_nonexistent_0000.0000.xml").read_bytes()
    resp = arxiv_get(scholar_world, search_query="", id_list="0000.0000", sortBy="relevance", sortOrder="descending",
                     start=0, max_results=100)
    assert resp.status_code == 200
    assert without_times(resp.content) == without_times(sample)


def test_arxiv_two_ids_one_unknown_matches_the_recording(scholar_world):
    sample = feed_shape((ARXIV_2026 / "id_list_two_ids_one_nonexistent.xml").read_bytes())
    resp = arxiv_get(scholar_world, id_list="0808.05394,1706.03762", start=0, max_results=100)
    mine = feed_shape(resp.content)
    assert (resp.status_code, mine["total"], len(mine["entries"])) == (200, sample["total"], len(sample["entries"])) == (200, 1, 1)


def test_arxiv_malformed_id_error_feed_is_the_recorded_one(scholar_world):
    sample = (ARXIV_2026 / "error_400_incorrect_id_format_abc.xml").read_bytes()
    resp = arxiv_get(scholar_world, search_query="", id_list="abc", sortBy="relevance", sortOrder="descending",
                     start=0, max_results=100)
    assert resp.status_code == 400  # the recorded status (raw fixture status_code)
    assert json.loads((ARXIV_2026 / "raw-fixtures" / "id_abc_s0_m100_b79c8dcf6bc3.json").read_text())["status_code"] == 400
    assert without_times(resp.content) == without_times(sample)


def test_arxiv_old_style_ids_are_well_formed(scholar_world):
    # Recorded: astro-ph/0601001 and hep-ex/0406020v1 are valid ids; absent from our world, they give 200 and no entry.
    resp = arxiv_get(scholar_world, id_list="astro-ph/0601001,hep-ex/0406020v1")
    assert resp.status_code == 200 and feed_shape(resp.content)["total"] == 0


# --- Semantic Scholar ----------------------------------------------------------------------------

def s2_get(world, path: str, key: str | None = TEST_S2_KEY, **params) -> httpx.Response:
    world.s2.reset()
    return httpx.get(world.s2_url + path, params=params, headers={"x-api-key": key} if key else {})


QA_FIELDS = "authors,citationCount,citationStyles,externalIds,influentialCitationCount,isOpenAccess,journal,openAccessPdf,publicationDate,publicationTypes,title,url,venue,year"
LIB_SEARCH_FIELDS = ("abstract,authors,citationCount,citationStyles,corpusId,externalIds,fieldsOfStudy,influentialCitationCount,"
                     "isOpenAccess,journal,openAccessPdf,paperId,publicationDate,publicationTypes,publicationVenue,referenceCount,"
                     "s2FieldsOfStudy,title,url,venue,year")


def test_s2_paper_keys_match_the_recording(scholar_world):
    sample = json.loads((QA_BODIES / "test_bulk_doi_search__00_s2_200.json").read_bytes())
    resp = s2_get(scholar_world, "/paper/DOI:10.1145/9999999.9999105", fields=QA_FIELDS)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json"
    assert resp.content.endswith(b"}\n")
    mine = resp.json()
    assert list(mine) == list(sample)
    order = list(sample["externalIds"])
    assert is_subsequence([k for k in mine["externalIds"] if k in order], order)
    assert set(mine["openAccessPdf"]) == set(sample["openAccessPdf"])
    assert list(mine["authors"][0]) == list(sample["authors"][0])
    assert set(mine["journal"]) <= set(sample["journal"])
    assert list(mine["citationStyles"]) == list(sample["citationStyles"])


def test_s2_default_fields_match_the_recording(scholar_world):
    sample = json.loads((S2_BODIES / "test_get_paper__00_s2_200.json").read_bytes())
    resp = s2_get(scholar_world, "/paper/ARXIV:1706.03762", fields="title")
    assert list(resp.json()) == list(sample) == ["paperId", "title"]
    assert list(s2_get(scholar_world, "/paper/ARXIV:1706.03762").json()) == ["paperId", "title"]


def test_s2_batch_with_unknown_id_matches_the_recording(scholar_world):
    sample = json.loads((S2_BODIES / "test_get_papers_not_found_warning__00_s2_200.json").read_bytes())
    scholar_world.s2.reset()
    resp = httpx.post(scholar_world.s2_url + "/paper/batch", params={"fields": LIB_SEARCH_FIELDS},
                      json={"ids": ["CorpusId:1", "ARXIV:1706.03762"]}, headers={"x-api-key": TEST_S2_KEY})
    mine = resp.json()
    assert resp.status_code == 200
    assert [x is None for x in mine] == [x is None for x in sample[:2]] == [True, False]
    assert list(mine[1]) == list(sample[1])
    assert list(mine[1]["s2FieldsOfStudy"][0]) == list(sample[1]["s2FieldsOfStudy"][0])


def test_s2_match_keys_match_the_recording(scholar_world):
    sample = json.loads((QA_BODIES / "test_bulk_title_search__01_s2_200.json").read_bytes())
    resp = s2_get(scholar_world, "/paper/search/match", query="Attention is all you need", fields=QA_FIELDS)
    mine = resp.json()
    assert list(mine) == list(sample) == ["data"]
    assert len(mine["data"]) == 1
    assert list(mine["data"][0]) == list(sample["data"][0])
    assert list(mine["data"][0])[-1] == "matchScore"


def test_s2_search_keys_match_the_recording(scholar_world):
    sample = json.loads((S2_BODIES / "test_search_paper__00_s2_200.json").read_bytes())
    resp = s2_get(scholar_world, "/paper/search", query="learning", fields="title", offset=0, limit=100)
    mine = resp.json()
    assert list(mine) == list(sample) == ["total", "offset", "next", "data"]
    assert list(mine["data"][0]) == list(sample["data"][0]) == ["paperId", "title"]


def test_s2_empty_search_is_byte_equal_to_the_recording(scholar_world):
    sample = (S2_BODIES / "test_empty_paginated_results__00_s2_200.json").read_bytes()
    resp = s2_get(scholar_world, "/paper/search", query="n0 r3sult s3arch t3rm", fields="title", offset=0, limit=100)
    assert resp.content == sample


def test_s2_bulk_keys_match_the_recording(scholar_world):
    sample = json.loads((S2_BODIES / "test_search_paper_bulk_retrieval__00_s2_200.json").read_bytes())
    resp = s2_get(scholar_world, "/paper/search/bulk", query="learning", fields="title", offset=0, limit=100)
    mine = resp.json()
    assert list(mine) == list(sample) == ["total", "token", "data"]
    assert list(mine["data"][0]) == list(sample["data"][0])
    ids = [p["paperId"] for p in mine["data"]]
    assert ids == sorted(ids)  # recorded bulk pages come in paperId order


@pytest.mark.parametrize("path,params,sample_file,status", [
    ("/paper/0", {"fields": "t,i,t,l,e"}, S2_BODIES / "test_not_found__00_s2_404.json", 404),
    ("/paper/search/match", {"query": "abs12032jsdafn", "fields": QA_FIELDS}, QA_BODIES / "test_bad_dois__00_s2_404.json", 404),
    ("/paper/DOI:10.1145/9999999.9999105", {"fields": "unknown"}, S2_BODIES / "test_bad_query_parameters__00_s2_400.json", 400),
])
def test_s2_application_errors_are_byte_equal_to_the_recordings(scholar_world, path, params, sample_file, status):
    resp = s2_get(scholar_world, path, **params)
    assert resp.status_code == status
    assert resp.content == sample_file.read_bytes()
    assert resp.headers["content-type"] == "application/json"


def test_s2_bad_key_is_the_recorded_gateway_403(scholar_world):
    resp = s2_get(scholar_world, "/paper/ARXIV:1706.03762", key="F@k3K3y")
    assert resp.status_code == 403
    assert resp.content == (S2_BODIES / "test_debug__00_s2_403.json").read_bytes()
    assert resp.headers["x-amzn-errortype"] == "ForbiddenException"


def test_s2_rate_limit_is_the_recorded_gateway_429():
    sample = (S2_BODIES / "SemanticScholarTest.test_search_paper.429-only__00_s2_429.json").read_bytes()
    with ScholarWorld(time_scale=1.0, s2_api_key=None, s2_pool=(1, 60.0)) as world:
        with httpx.Client() as client:
            first = client.get(world.s2_url + "/paper/search", params={"query": "turing", "fields": "title"})
            second = client.get(world.s2_url + "/paper/search", params={"query": "turing", "fields": "title"})
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.content == sample
    assert second.headers["x-amzn-errortype"] == "TooManyRequestsException"
    assert "retry-after" not in second.headers  # none recorded
