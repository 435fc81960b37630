"""Typed, validating source records (sources/records.py) and how malformed ones travel: an error for
their key, never a crash, never cached; a cached value that does not validate is a miss."""

import json
from pathlib import Path

import httpx
import pytest

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.resolve import NS_ARXIV, NS_S2, NS_S2_TITLE, Lookups
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2
from paperenrich.sources.records import ArxivRecord, MalformedRecord, RecordError, S2Record, load_cached

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "api-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/api-samples not present")

PAPER_ID = "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
GOOD_S2 = {
    "paperId": PAPER_ID, "corpusId": 470667, "externalIds": {"DOI": "10.2139/ssrn.288970", "CorpusId": 470667, "ArXiv": "2309.06180"},
    "url": "https://www.semanticscholar.org/paper/" + PAPER_ID, "title": "How Much Should We Trust Differences-in-Differences Estimates?",
    "authors": [{"authorId": "81141608", "name": "Marianne Bertrand"}], "year": 2001, "venue": "",
    "publicationVenue": None, "journal": {"name": "Experimental & Empirical Studies eJournal"},
    "publicationDate": "2001-10-01", "publicationTypes": ["Review"], "citationCount": 10670,
    "influentialCitationCount": 578, "openAccessPdf": {"url": "http://papers.nber.org/papers/w8841.pdf", "status": "GREEN"},
}
GOOD_ARXIV = {"arxiv": "2309.06180", "version": 1, "title": "Efficient Memory Management", "authors": ["W. Kwon"],
              "published": "2023-09-12", "updated": "2023-09-12", "doi": None, "journal_ref": None, "comment": None,
              "primary_category": "cs.LG", "pdf_url": "https://arxiv.org/pdf/2309.06180v1"}


def test_s2_record_round_trips_and_reads_like_the_dict_it_came_from():
    record = S2Record.from_json(GOOD_S2)
    assert record.year == 2001 and record.doi == "10.2139/ssrn.288970" and record.arxiv_id == "2309.06180"
    assert record.venue_name == "Experimental & Empirical Studies eJournal"  # venue "" falls through to the journal
    assert record.author_names == ("Marianne Bertrand",)
    assert S2Record.from_json(record.to_json()) == record
    assert record["externalIds"]["DOI"] == "10.2139/ssrn.288970" and record.get("year") == 2001
    assert s2.venue_of(record) == s2.venue_of(GOOD_S2)


@pytest.mark.parametrize(
    "field, value, names",
    [
        ("year", "abc", "year"),
        ("venue", 7, "venue"),
        ("title", 12, "title"),
        ("authors", "Ann Author, Bob Author", "authors"),
        ("authors", [None], "authors[0]"),
        ("authors", [{"name": 5}], "authors[0].name"),
        ("externalIds", {"DOI": "10.1/x) [evil](https://evil.example"}, "externalIds.DOI"),
        ("externalIds", {"ArXiv": "javascript:alert(1)"}, "externalIds.ArXiv"),
        ("publicationDate", "yesterday", "publicationDate"),
        ("citationCount", -3, "citationCount"),
        ("year", True, "year"),
        ("paperId", None, "paperId"),
        ("publicationVenue", {"name": ["x"]}, "publicationVenue.name"),
    ],
)
def test_s2_record_with_a_malformed_field_names_it(field, value, names):
    with pytest.raises(RecordError) as raised:
        S2Record.from_json({**GOOD_S2, field: value})
    assert str(raised.value).startswith(names + ":")


@pytest.mark.parametrize("field, value", [("published", "abcd"), ("arxiv", "not-an-id"), ("authors", [3]),
                                          ("doi", "not a doi"), ("version", "2")])
def test_arxiv_record_with_a_malformed_field_raises(field, value):
    with pytest.raises(RecordError, match=field):
        ArxivRecord.from_json({**GOOD_ARXIV, field: value})


def test_arxiv_record_round_trips():
    record = ArxivRecord.from_json(GOOD_ARXIV)
    assert record.year == 2023 and record["arxiv"] == "2309.06180"
    assert ArxivRecord.from_json(record.to_json()) == record


def _feed(published: str) -> bytes:
    entry = """<entry><id>http://arxiv.org/abs/{id}v1</id><title>{title}</title><published>{published}</published>
      <updated>2023-09-12T00:00:00Z</updated><author><name>A. Author</name></author></entry>"""
    entries = entry.format(id="2309.06180", title="Good paper", published="2023-09-12T00:00:00Z") + entry.format(
        id="2309.06181", title="Bad paper", published=published)
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode()


def test_a_bad_feed_entry_is_a_malformed_record_alone():
    good, bad = ax.parse_feed(_feed("abcd"))
    assert isinstance(good, ArxivRecord) and good.arxiv_id == "2309.06180"
    assert isinstance(bad, MalformedRecord) and bad.ident == "2309.06181" and "published" in bad.reason


def test_arxiv_doi_field_with_several_dois_keeps_the_first():
    body = _feed("2023-09-12").replace(b"</entry></feed>", b"<arxiv:doi xmlns:arxiv='http://arxiv.org/schemas/atom'>"
                                       b"10.1103/PhysRevD.76.013009 10.1103/PhysRevD.76.019901</arxiv:doi></entry></feed>")
    assert ax.parse_feed(body)[1].doi == "10.1103/physrevd.76.013009"


def test_s2_batch_item_that_does_not_validate_is_malformed_in_its_place():
    body = json.dumps([None, GOOD_S2, {**GOOD_S2, "year": "abc"}, "junk"]).encode()
    papers = s2._parse_batch(httpx.Response(200, content=body, request=httpx.Request("POST", "http://s2/paper/batch")))
    assert papers[0] is None and isinstance(papers[1], S2Record)
    assert isinstance(papers[2], MalformedRecord) and papers[2].ident == PAPER_ID and "year" in papers[2].reason
    assert isinstance(papers[3], MalformedRecord)


@needs_samples
def test_every_recorded_real_s2_paper_validates():
    bodies = SAMPLES / "semanticscholar" / "cassettes" / "bodies"
    for name in ("test_get_papers_not_found_warning__00_s2_200.json",):
        papers = s2._parse_batch(httpx.Response(200, content=(bodies / name).read_bytes(),
                                                request=httpx.Request("POST", "http://s2/paper/batch")))
        assert [type(p) for p in papers] == [type(None), S2Record, S2Record, S2Record]
    turing = json.loads((SAMPLES / "semanticscholar" / "paper_all_fields_trimmed.json").read_text())
    assert S2Record.from_json(turing).dblp == "journals/x/Turing50"


def test_lookups_never_cache_a_malformed_record_and_treat_a_bad_cached_value_as_a_miss(tmp_path):
    settings = Settings(cache_dir=tmp_path)
    cache = Cache(tmp_path)
    lookups = Lookups(cache, settings)
    bad = MalformedRecord("s2", PAPER_ID, "x", "year: expected an integer, got 'abc'")
    lookups.put(NS_S2, {"ARXIV:1": S2Record.from_json(GOOD_S2), "ARXIV:2": bad})
    lookups.put(NS_S2_TITLE, {"some title": [S2Record.from_json(GOOD_S2), bad]})
    assert "malformed record" in lookups.errors[(NS_S2, "ARXIV:2")]
    assert "year" in lookups.errors[(NS_S2_TITLE, "some title")]
    assert set(cache.get_many(NS_S2, ["ARXIV:1", "ARXIV:2"])) == {"ARXIV:1"}
    assert cache.get_many(NS_S2_TITLE, ["some title"]) == {}
    # The cache holds the API's JSON shape, as before the typed records.
    assert cache.get(NS_S2, "ARXIV:1").value["externalIds"]["DOI"] == "10.2139/ssrn.288970"

    cache.put_many(NS_ARXIV, {"2309.06180": GOOD_ARXIV, "2309.06181": {**GOOD_ARXIV, "published": "abcd"}})
    fresh = Lookups(cache, settings)
    fresh.check_cache(NS_ARXIV, ["2309.06180", "2309.06181"])
    assert isinstance(fresh.get(NS_ARXIV, "2309.06180"), ArxivRecord)
    assert not fresh.has(NS_ARXIV, "2309.06181")  # a miss: asked again, not a crash
    cache.close()


def test_load_cached_shapes():
    assert load_cached(S2Record, None) is None
    assert [r.paper_id for r in load_cached(S2Record, [GOOD_S2])] == [PAPER_ID]
    with pytest.raises(RecordError):
        load_cached(S2Record, [GOOD_S2, {**GOOD_S2, "authors": "x"}])
