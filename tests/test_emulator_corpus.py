"""The corpus as a whole: one record per paper, declared-absent papers absent everywhere, and every
served paper findable by its exact title.

Expected values come from the input files (traps.json, the seed fixture's `unknown` list, the raw
DBLP records), not from the emulator's indexes."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict

import pytest

from tests.emulator.corpus import DATA_DIR, DBLP_PATH
from tests.emulator.textnorm import clean_title, fold
from tests.test_emulator_queries import ATOM, arxiv_feed, entry_ids, s2_json


def declared_traps() -> set[str]:
    traps = {p["key"] for p in json.loads((DATA_DIR / "traps.json").read_text(encoding="utf-8"))["papers"]}
    corpus_traps = json.loads((DATA_DIR / "corpus_papers.json").read_text(encoding="utf-8"))["traps"]
    return traps | {p["key"] for p in corpus_traps}


def same_title_and_year(records, title_of) -> dict:
    groups = defaultdict(list)
    for rec in records:
        groups[(fold(title_of(rec)), rec.year)].append(rec)
    return {k: v for k, v in groups.items() if len(v) > 1}


def unintended(groups: dict, traps: set[str]) -> list:
    """Groups that are neither declared traps nor distinct DBLP publications (the real bibliography
    lists some title twice in one year: a "Preface" of two conferences, one tutorial at two venues)."""
    bad = []
    for key, recs in groups.items():
        if all(r.key in traps for r in recs):
            continue
        distinct_dblp = all(r.origin == "dblp" for r in recs) and len({r.venue for r in recs}) == len(recs)
        if distinct_dblp and sum(1 for r in recs if r.arxiv) <= 1:  # one title, one preprint at most
            continue
        bad.append((key, [r.key for r in recs]))
    return bad


def test_no_unintended_duplicates_on_s2(scholar_world):
    served = [r for r in scholar_world.corpus if r.in_s2]
    assert unintended(same_title_and_year(served, lambda r: r.title), declared_traps()) == []


def test_no_unintended_duplicates_on_arxiv(scholar_world):
    served = [r for r in scholar_world.corpus if r.arxiv and r.in_arxiv]
    assert unintended(same_title_and_year(served, lambda r: r.arxiv_display_title), declared_traps()) == []


def test_no_seed_paper_has_a_dblp_twin(scholar_world):
    """A seed paper that DBLP also lists is one record (preprint and proceedings years may differ by one)."""
    corpus = scholar_world.corpus
    dblp_years = defaultdict(set)
    for rec in corpus:
        if rec.origin == "dblp":
            dblp_years[fold(rec.title)].add(rec.year)
    twins = [r.key for r in corpus if r.origin == "seed" and "year" not in r.generated
             and any(abs(y - r.year) <= 1 for y in dblp_years.get(fold(r.title), ()) if y)]
    twins += [r.key for r in corpus if r.origin == "seed" and "year" in r.generated and fold(r.title) in dblp_years]
    assert twins == []


def test_a_merged_seed_paper_is_one_paper_on_both_apis(scholar_world):
    title = "Attention Is All You Need"
    raw = next(d for d in dblp_raw() if fold(clean_title(d["title"])) == fold(title))
    [rec] = [r for r in scholar_world.corpus.find_title(title)]
    assert rec.dblp == raw["dblp_key"] and rec.arxiv == "1706.03762" and rec.year == raw["year"]
    _, found = s2_json(scholar_world, "/paper/search", params={"query": title, "fields": "title,year,externalIds", "limit": 100})
    exact = [p for p in found["data"] if fold(p["title"]) == fold(title)]
    assert [p["externalIds"] for p in exact] == [{"DBLP": raw["dblp_key"], "ArXiv": "1706.03762", "CorpusId": rec.corpus_id}]
    feed = arxiv_feed(scholar_world, search_query=f'ti:"{title}"', max_results=50)
    exact_ids = [i for e, i in zip(feed.findall("a:entry", ATOM), entry_ids(feed))
                 if fold(e.findtext("a:title", namespaces=ATOM)) == fold(title)]
    assert exact_ids == ["1706.03762"]


# --- papers declared absent ---------------------------------------------------------------------------

_DBLP_RAW: list[dict] = []


def dblp_raw() -> list[dict]:
    if not DBLP_PATH.exists():
        pytest.skip("../shared/corpus is not present")
    if not _DBLP_RAW:
        with gzip.open(DBLP_PATH, "rt", encoding="utf-8") as fh:
            _DBLP_RAW.extend(json.loads(line) for line in fh if line.strip())
    return _DBLP_RAW


def test_declared_absent_papers_are_absent_from_every_endpoint(scholar_world):
    corpus = scholar_world.corpus
    unknown = [item for name in ("seed_papers.json", "corpus_papers.json")
               for item in json.loads((DATA_DIR / name).read_text(encoding="utf-8"))["unknown"]]
    assert unknown and [u["title"] for u in corpus.unknown] == [u["title"] for u in unknown]
    absent_titles = {fold(u["title"]) for u in unknown}
    # Whatever source lists an absent paper (here: DBLP), none of its keys is served.
    dblp_keys = [d["dblp_key"] for d in dblp_raw() if fold(clean_title(d["title"])) in absent_titles]
    assert dblp_keys, "the corpus no longer lists any absent paper: this check would check nothing"
    assert [k for k in dblp_keys if k in corpus.by_dblp] == []
    for item in unknown:
        folded = fold(item["title"])
        assert [r.key for r in corpus if fold(r.title) == folded or fold(r.arxiv_display_title) == folded] == []
        status, body = s2_json(scholar_world, "/paper/search/match", params={"query": item["title"], "fields": "title"})
        assert status == 404 or fold(body["data"][0]["title"]) != folded
        status, body = s2_json(scholar_world, "/paper/search", params={"query": item["title"], "fields": "title", "limit": 100})
        assert status == 200 and [p for p in body.get("data", []) if fold(p["title"]) == folded] == []
        status, body = s2_json(scholar_world, "/paper/search/bulk", params={"query": f'"{item["title"]}"', "fields": "title"})
        assert status == 200 and body["data"] == []
        feed = arxiv_feed(scholar_world, search_query=f'ti:"{item["title"]}"')
        assert feed.findall("a:entry", ATOM) == []
        if item.get("arxiv"):
            assert entry_ids(arxiv_feed(scholar_world, id_list=item["arxiv"])) == []
            status, _ = s2_json(scholar_world, f"/paper/ARXIV:{item['arxiv']}")
            assert status == 404
        if item.get("doi"):
            status, _ = s2_json(scholar_world, f"/paper/DOI:{item['doi']}")
            assert status == 404


# --- exact titles are found ---------------------------------------------------------------------------

def test_match_finds_every_served_paper_by_its_exact_title(scholar_world):
    """Short, common-word titles ("Deep Learning", "Memory Networks") are the hard case; plus a spread
    sample of the rest. The match may be another paper only when it has the same title."""
    corpus = scholar_world.corpus
    records = [r for r in corpus if r.in_s2]
    sample = [r for r in records if len(fold(r.title).split()) <= 3] + records[::97]
    assert len(sample) > 2000
    s2 = scholar_world.s2
    missed = []
    for rec in sample:
        found = s2.best_match(rec.title, {})
        if found is None or fold(found[0].title) != fold(rec.title):
            missed.append(rec.title)
        if rec.year:
            found = s2.best_match(rec.title, {"year": (rec.year, rec.year)})
            if found is None or (fold(found[0].title), found[0].year) != (fold(rec.title), rec.year):
                missed.append((rec.title, rec.year))
    assert missed == []


def test_match_over_http_finds_a_short_common_title(scholar_world):
    corpus = scholar_world.corpus
    rec = next(r for r in corpus if fold(r.title) == "deep learning" and r.in_s2)
    status, body = s2_json(scholar_world, "/paper/search/match", params={"query": rec.title, "fields": "title,year"})
    assert status == 200 and fold(body["data"][0]["title"]) == "deep learning"
