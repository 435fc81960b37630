"""Resolution against the local arXiv + S2 emulators: correctness against the world's truth, request
counts against the batching bounds, warm reruns, fault storms, offline, no network, the API key."""

from __future__ import annotations

import dataclasses
import json
import math
import socket
from pathlib import Path

import pytest

from paperenrich.sources import s2

from paperenrich.errors import NetworkUnavailable
from paperenrich.scanner import scan_text
from paperenrich.resolve import enrich_list
from tests.emulator.textnorm import fold

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
SEED_FIXTURE = REPO / "tests" / "emulator" / "data" / "seed_papers.json"
pytestmark = pytest.mark.skipif(not SEEDS or not SEED_FIXTURE.exists(), reason="seed lists or the emulator's seed fixture missing")


def seed_truth() -> tuple[dict[str, str], set[str]]:
    """'file:line' -> the world's record key for that entry; and the 'file:line's the world leaves out."""
    from tests.emulator.corpus import live_titles

    data = json.loads(SEED_FIXTURE.read_text(encoding="utf-8"))
    _live, merged = live_titles()  # records the world holds as another record's paper
    where = {loc: merged.get(paper["key"], paper["key"]) for paper in data["papers"] for loc in paper.get("seen_in", ())}
    absent = {loc for item in data.get("unknown", ()) for loc in item.get("seen_in", ())}
    return where, absent


def run(source, settings, **kw):
    return enrich_list(source, settings, show_progress=False, **kw)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_list_resolves_every_known_entry_and_never_a_wrong_one(seed, scholar_world, scholar_settings):
    where, absent = seed_truth()
    by_key = {r.key: r for r in scholar_world.corpus.records}
    result = run(seed, scholar_settings)
    wrong, missing = [], []
    for res in result.resolutions:
        loc = f"{seed.name}:{res.entry.line}"
        if loc in where:
            truth = by_key[where[loc]]
            if res.paper is None:
                missing.append((loc, res.entry.title, res.reason))
            elif res.paper.s2_id != truth.s2_id:
                wrong.append((loc, res.entry.title, res.paper.title))
        elif loc in absent and res.paper is not None:
            # Left out of the seed fixture; attaching is right only if the world still holds a record
            # of exactly this title (e.g. from the DBLP part of the corpus).
            holders = {r.s2_id for r in scholar_world.corpus.find_title(res.entry.title)}
            if res.paper.s2_id not in holders:
                wrong.append((loc, res.entry.title, res.paper.title))
    assert not wrong
    assert not missing
    assert sum(f"{seed.name}:{r.entry.line}" in where for r in result.resolutions) > 10


def _bounds(entries) -> tuple[int, int, int]:
    """ceil(arXiv ids / 100), ceil(ids S2 can batch / 500), and the number of title-only entries."""
    arxiv_ids = {e.ids.arxiv for e in entries if e.ids.arxiv}
    s2_ids = {e.ids.arxiv or e.ids.doi or e.ids.acl for e in entries if e.ids.arxiv or e.ids.doi or e.ids.acl}
    title_only = [e for e in entries if e.ids.is_empty()]
    return math.ceil(len(arxiv_ids) / 100), math.ceil(len(s2_ids) / 500), len(title_only)


def test_cold_run_requests_within_batching_bounds_and_warm_rerun_makes_none(scholar_world, scholar_settings):
    seed = next(p for p in SEEDS if p.name.startswith("004"))
    entries = scan_text(seed.read_text(encoding="utf-8")).entries
    arxiv_bound, s2_bound, title_only = _bounds(entries)
    result = run(seed, scholar_settings)
    log = scholar_world.log
    arxiv_id_requests = [r for r in log.records(service="arxiv") if r.param("id_list")]
    arxiv_id_list_first = result.stats.requests["arxiv_id_list"]
    assert arxiv_id_list_first <= arxiv_bound
    assert log.count(service="s2", path="/paper/batch") - result.stats.requests["s2_batch_followup"] <= s2_bound
    title_requests = (log.count(service="s2", path="/paper/search/bulk") + log.count(service="s2", path="/paper/search/match")
                      + len(log.records(service="arxiv")) - len(arxiv_id_requests))
    assert title_only > 100
    assert title_requests < title_only / 5  # well under one request per title-only entry
    assert log.max_in_flight("arxiv") == 1
    assert len(log) == sum(result.stats.requests.values()) + log.count(status=429)

    log.clear()
    warm = run(seed, scholar_settings)
    assert len(log) == 0
    assert [r.to_dict() for r in warm.resolutions] == [r.to_dict() for r in result.resolutions]


def test_fault_storm_completes_and_rerun_repeats_no_finished_lookup(scholar_world, scholar_settings, tmp_path):
    seed = next(p for p in SEEDS if p.name.startswith("000"))
    clean = run(seed, dataclasses.replace(scholar_settings, cache_dir=tmp_path / "clean"))
    scholar_world.reset()
    faults = scholar_world.faults
    faults.storm_429(4, service="s2")
    faults.storm_429(2, service="arxiv")
    faults.server_errors(2, code=503, service="arxiv")
    faults.server_errors(2, code=502, service="s2")
    faults.reset(service="s2", times=1)
    faults.reset(service="arxiv", times=1)
    faults.hang(1.0, service="s2", times=1)
    faults.truncate(service="arxiv", times=1)
    faults.malformed(service="s2", times=1)
    faults.malformed(service="arxiv", times=1)
    faults.wrong_content_type(service="s2", times=1)
    # Every fault above may hit the same request: give the retry policy room for all of them.
    settings = dataclasses.replace(scholar_settings, http_timeout=0.5, retry_after_cap=0.2, max_retries=12)
    stormy = run(seed, settings)
    assert scholar_world.log.count(status=429) == 6 and scholar_world.log.count(status=None) >= 3  # resets, hang, truncation
    assert all(r.paper is not None or r.reason for r in stormy.resolutions)
    assert [r.to_dict() for r in stormy.resolutions] == [r.to_dict() for r in clean.resolutions]
    scholar_world.reset()
    run(seed, settings)
    assert len(scholar_world.log) == 0


def test_a_lane_that_keeps_failing_leaves_reasons_and_the_rerun_asks_only_for_what_failed(scholar_world, scholar_settings):
    text = "\n".join([
        "- Efficient Memory Management for Large Language Model Serving with PagedAttention [pdf](https://arxiv.org/abs/2309.06180)",
        "- Attention Is All You Need (NeurIPS'17)",
    ])
    scholar_world.faults.server_errors(None, code=503, service="arxiv")
    settings = dataclasses.replace(scholar_settings, max_retries=2, retry_after_cap=0.1)  # the 503s ask for 3 s
    first = run(text, settings)
    vllm, attention = first.resolutions
    assert vllm.paper is not None and vllm.paper.arxiv == "2309.06180"  # S2 alone resolves it
    assert all(r.paper is not None or r.reason for r in first.resolutions)
    s2_requests = scholar_world.log.count(service="s2")
    scholar_world.reset()
    second = run(text, settings)
    assert scholar_world.log.count(service="s2") < s2_requests  # finished S2 lookups are not repeated
    assert scholar_world.log.count(service="arxiv") >= 1  # the failed arXiv lookups are
    assert all(r.paper is not None for r in second.resolutions)


def test_offline_uses_only_the_cache_and_names_what_it_could_not_fill(scholar_world, scholar_settings):
    known = "- Efficient Memory Management for Large Language Model Serving with PagedAttention [pdf](https://arxiv.org/abs/2309.06180)"
    run(known, scholar_settings)
    scholar_world.log.clear()
    text = known + "\n- Attention Is All You Need (NeurIPS'17)\n"
    result = run(text, dataclasses.replace(scholar_settings, offline=True))
    assert len(scholar_world.log) == 0
    cached, uncached = result.resolutions
    assert cached.paper is not None and cached.paper.arxiv == "2309.06180"
    assert uncached.paper is None and uncached.reason == "offline: not in cache"


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there any more: connections are refused
    return port


@pytest.mark.timeout(60)
def test_no_network_is_one_error_not_a_hang(scholar_settings):
    port = _closed_port()
    settings = dataclasses.replace(scholar_settings, arxiv_url=f"http://127.0.0.1:{port}/api/query",
                                   s2_url=f"http://127.0.0.1:{port}/graph/v1", arxiv_interval=0.01, s2_rps=100.0)
    with pytest.raises(NetworkUnavailable, match="no network"):
        run("- Attention Is All You Need (NeurIPS'17) [x](https://arxiv.org/abs/1706.03762)", settings)


def test_wrong_key_is_reported_without_the_key(scholar_world, scholar_settings, capsys):
    secret = "sekrit-wrong-key-5c2f9a"
    settings = dataclasses.replace(scholar_settings, s2_api_key=secret)
    result = run("- Attention Is All You Need (NeurIPS'17) [x](https://arxiv.org/abs/1706.03762)", settings)
    (res,) = result.resolutions
    assert res.paper is not None and res.paper.s2_id is None  # arXiv alone; S2 refused the key
    assert scholar_world.log.count(service="s2", status=403) >= 1
    everything = json.dumps([r.to_dict() for r in result.resolutions]) + repr(result.stats.to_dict())
    captured = capsys.readouterr()
    db = (settings.cache_dir / "paperenrich.db").read_bytes()
    for text in (everything, captured.out, captured.err, db.decode("latin-1")):
        assert secret not in text
    assert all(r.has_key for r in scholar_world.log.records(service="s2"))  # it was sent, in the header


def test_pinned_and_rejected_overrides(scholar_world, scholar_settings, tmp_path):
    overrides = tmp_path / "overrides.toml"
    overrides.write_text(
        '[[pin]]\ntitle = "The Transformer Paper That Everyone Cites"\narxiv = "1706.03762"\n'
        '[[reject]]\ntitle = "Attention Is All You Need"\narxiv = "1706.03762"\n',
        encoding="utf-8",
    )
    settings = dataclasses.replace(scholar_settings, overrides_file=overrides)
    text = "- The Transformer Paper That Everyone Cites (NeurIPS'17)\n- Attention Is All You Need [x](https://arxiv.org/abs/1706.03762)\n"
    pinned, rejected = run(text, settings).resolutions
    assert pinned.paper.arxiv == "1706.03762" and pinned.paper.match.method == "override"
    assert rejected.paper is None or rejected.paper.arxiv != "1706.03762"


def test_progress_bar_runs_when_asked_and_stays_silent_otherwise(scholar_world, scholar_settings, capsys):
    text = "- Attention Is All You Need (NeurIPS'17) [x](https://arxiv.org/abs/1706.03762)"
    run(text, scholar_settings)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    result = enrich_list(text, dataclasses.replace(scholar_settings, refresh=True), show_progress=True)
    assert result.resolutions[0].paper is not None
    assert capsys.readouterr().out == ""  # the bar never writes to standard output


def test_library_entry_point_and_a_light_import(scholar_world, scholar_settings):
    import subprocess
    import sys

    import paperenrich

    (res,) = paperenrich.enrich("- Attention Is All You Need (NeurIPS'17) [x](https://arxiv.org/abs/1706.03762)", scholar_settings)
    assert res.paper.arxiv == "1706.03762" and res.to_dict()["paper"]["match"]["method"] == "id"
    heavy = subprocess.run([sys.executable, "-c", "import paperenrich, sys; print(sorted({'httpx', 'rich', 'paperenrich.resolve'} & set(sys.modules)))"],
                           capture_output=True, text=True, check=True)
    assert heavy.stdout.strip() == "[]"


def test_primary_category_from_the_arxiv_record_reaches_json_and_bibtex(scholar_world, scholar_settings):
    import bibtexparser

    from paperenrich.export.bibtex import to_bibtex

    ids = ("2209.02341", "cs/0112999")
    title_only = scholar_world.corpus.get_arxiv("1805.99103")
    text = "".join(f"- {scholar_world.corpus.get_arxiv(a).title} [arXiv](https://arxiv.org/abs/{a})\n" for a in ids)
    text += f"- {title_only.title} (arXiv'{title_only.year % 100:02d})\n"
    result = run(text, scholar_settings)
    papers = [r.paper for r in result.resolutions]
    assert len(papers) == 3 and all(papers), [r.reason for r in result.resolutions]
    assert [p.match.method for p in papers] == ["id", "id", "title"]
    expected = [scholar_world.corpus.get_arxiv(a).categories[0] for a in (*ids, "1805.99103")]
    assert [p.primary_category for p in papers] == expected
    assert [r.to_dict()["paper"]["primary_category"] for r in result.resolutions] == expected
    entries = bibtexparser.parse_string(to_bibtex(result.resolutions)).entries
    assert [(e.entry_type, e["eprint"], e["primaryClass"]) for e in entries] == [
        ("misc", a, c) for a, c in zip((*ids, "1805.99103"), expected)]


def _bulk_pages(log) -> list[bool]:
    """For each S2 bulk request in order: whether it asked for a continuation page (had a token)."""
    return [bool(r.param("token")) for r in log.records(service="s2", path="/paper/search/bulk")]


def _bulk_queries(log) -> list[tuple[str, str | None]]:
    """For each S2 bulk request in order: its query and its year filter."""
    return [(r.param("query"), r.param("year")) for r in log.records(service="s2", path="/paper/search/bulk")]


def test_a_flooded_bulk_page_is_narrowed_until_the_hidden_title_is_found(scholar_world, scholar_settings):
    # "Neural networks" is a phrase of ~1900 titles in the world (and the title of none), so the ORed
    # query floods its 1000-paper page; "Deep learning" (KDD'14) sorts past it, hidden.
    (target,) = scholar_world.corpus.find_title("Deep learning")
    assert not scholar_world.corpus.find_title("Neural networks")
    text = "- Deep learning (KDD'14)\n- Neural networks (ICML'15)\n"
    result = run(text, scholar_settings)
    deep, neural = result.resolutions
    assert deep.paper is not None and deep.paper.s2_id == target.s2_id and deep.paper.match.method == "title"
    assert neural.paper is None
    # The flood splits the OR group; the title that floods alone is asked within its list year.
    assert _bulk_queries(scholar_world.log) == [('"Deep learning" | "Neural networks"', None), ('"Deep learning"', None),
                                                ('"Neural networks"', None), ('"Neural networks"', "2014-2016")]
    assert result.stats.requests["s2_bulk_search_narrowed"] == 3
    # The narrowed search found it: no one-title fallback request was spent on "Deep learning".
    matched = [r.param("query") for r in scholar_world.log.records(service="s2", path="/paper/search/match")]
    assert "Deep learning" not in matched and matched


def test_a_title_that_floods_even_within_its_years_reads_at_most_three_pages(scholar_world, scholar_settings):
    # Neither title is the title of a paper in the world; each alone matches over 1000 papers, and
    # "Neural networks" still does within 2014-2016 when the year filter is not given (no list year).
    assert not scholar_world.corpus.find_title("Neural networks") and not scholar_world.corpus.find_title("Reinforcement learning")
    result = run("- Neural networks (ICML)\n- Reinforcement learning (NeurIPS'16)\n", scholar_settings)
    assert [r.paper for r in result.resolutions] == [None, None]
    queries = _bulk_queries(scholar_world.log)
    assert queries[0] == ('"Neural networks" | "Reinforcement learning"', None)
    assert ('"Reinforcement learning"', "2015-2017") in queries
    assert _bulk_pages(scholar_world.log).count(True) <= 2 * (s2.BULK_MAX_PAGES - 1)  # continuation pages bounded
    assert len(queries) <= 1 + 2 + 1 + 2 * (s2.BULK_MAX_PAGES - 1)


def test_bulk_search_stops_paging_once_every_title_has_its_paper(scholar_world, scholar_settings):
    # Together these two phrases match over 1000 papers (the first page is full and has a token),
    # but both papers are on that first page: no continuation page is read.
    (deep,) = scholar_world.corpus.find_title("Deep learning")
    (filters,) = scholar_world.corpus.find_title("Filters")
    import httpx

    page = httpx.get(f"{scholar_world.s2_url}/paper/search/bulk", params={"query": '"Deep learning" | "Filters"'},
                     headers={"x-api-key": scholar_settings.s2_api_key}).json()
    assert page["total"] > 1000 and page["token"]  # the page overflows
    scholar_world.log.clear()
    result = run("- Deep learning (KDD'14)\n- Filters (MM'17)\n", scholar_settings)
    assert [r.paper.s2_id if r.paper else None for r in result.resolutions] == [deep.s2_id, filters.s2_id]
    assert _bulk_pages(scholar_world.log) == [False]
    (first,) = scholar_world.log.records(service="s2", path="/paper/search/bulk")
    assert first.status == 200 and result.stats.requests["s2_bulk_search_next_page"] == 0


def test_titles_no_phrase_search_found_share_one_words_query_instead_of_one_match_each(scholar_world, scholar_settings):
    # The first two are written otherwise than their records ("Largescale", "Pretrained" for
    # "large-scale", "pre-trained"): no quoted phrase finds them;
    # the third is no paper's. Their distinctive words, ANDed in halves, go in one bulk query, and
    # /search/match is spent on none of them.
    moe = scholar_world.corpus.find_title("FasterMoE: modeling and optimizing training of large-scale dynamic pre-trained models")[0]
    pipe = scholar_world.corpus.find_title("PipeTransformer: Automated Elastic Pipelining for Distributed Training of Large-scale Models Algorithm")[0]
    text = ("- FasterMoE: Modeling and Optimizing Training of Largescale Dynamic Pretrained Models (PPoPP'22)\n"
            "- PipeTransformer: Automated Elastic Pipelining for Distributed Training of Largescale Models Algorithm (ICML'21)\n"
            "- Quorum Sensing Lattices for Unsupervised Origami Folding at Scale (NeurIPS'21)\n")
    result = run(text, scholar_settings)
    assert [r.paper.s2_id if r.paper else None for r in result.resolutions] == [moe.s2_id, pipe.s2_id, None]
    log = scholar_world.log
    assert log.count(service="s2", path="/paper/search/match") == 0 and result.stats.requests["s2_match"] == 0
    words = [q for q, _ in _bulk_queries(log) if not q.startswith('"')]
    assert len(words) == 1 and result.stats.requests["s2_bulk_words"] == 1
    assert "(modeling* optimizing* training*) | (largescale* dynamic* pretrained* model*)" in words[0]
    assert "(quorum* sensing* lattice*) | (unsupervised* origami* folding* scale*)" in words[0]


def test_a_title_too_short_for_a_words_query_or_flooded_gets_one_match(scholar_world, scholar_settings):
    # "Generative Pretraining" and "Neural networks": too few distinctive words to say which paper
    # holds them, so each is matched alone (/search/match); no words query is sent for them.
    result = run("- Generative Pretraining (2018)\n- Neural networks (ICML'15)\n", scholar_settings)
    assert [r.paper for r in result.resolutions] == [None, None]
    matched = sorted(r.param("query") for r in scholar_world.log.records(service="s2", path="/paper/search/match"))
    assert matched == ["Generative Pretraining", "Neural networks"] and result.stats.requests["s2_bulk_words"] == 0


def test_a_flooded_words_page_sends_its_unsettled_titles_to_one_match_each(scholar_world, scholar_settings, monkeypatch):
    # A full page (the live search matches abstracts too) may hide a title's paper: each title it
    # leaves unsettled gets S2's one-title match, as before the words query. "(deep* neural*
    # network*)" holds ~800 titles of the world: a full page once the page is 500 papers.
    monkeypatch.setattr(s2, "BULK_PAGE", 500)
    text = "- Deep Neural Network Quorum Sensing Lattices (NeurIPS'21)\n"
    result = run(text, scholar_settings)
    assert result.resolutions[0].paper is None
    assert result.stats.requests["s2_bulk_words"] == 1 and result.stats.requests["s2_match"] == 1
    assert [r.param("query") for r in scholar_world.log.records(service="s2", path="/paper/search/match")] == [
        "Deep Neural Network Quorum Sensing Lattices"]
