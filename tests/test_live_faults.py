"""The failure modes of the live APIs, each switched on in the emulator (issue 13):

- arXiv's intermittent empty feed (totalResults 0 for a query that has answers);
- an S2 pool that keeps answering 429 without Retry-After (keyless): the circuit breaker;
- S2 /paper/batch refusing answers over 10 MB (400) and timing out (504) or failing (500) on large batches;
- S2 /paper/search/bulk matching title and abstract with stemming (a common phrase floods the page);
- old-style arXiv ids with a subject class; several DOIs in `arxiv:doi`.

With each fault on, a seed list ends with no wrong match, every entry resolved to the clean run's
paper or left with an `error:` reason, and a rerun without the fault asks only for what failed and
ends equal to the clean run.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from paperenrich.resolve import enrich_list
from paperenrich.sources.arxiv import canonical_id, parse_feed

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")


def run(source, settings):
    return enrich_list(source, settings, show_progress=False)


def ids_of(resolution) -> set[str]:
    """The identifiers of the attached paper (empty when unresolved)."""
    p = resolution.paper
    return set() if p is None else {f"{k}:{v}" for k, v in (("s2", p.s2_id), ("arxiv", p.arxiv), ("doi", p.doi)) if v}


def switch_on(world, fault: str) -> None:
    faults, s2 = world.faults, world.s2
    if fault == "empty_arxiv_feeds":
        faults.empty_answers(service="arxiv", rate=0.5)
    elif fault == "s2_pool_refusing":
        faults.status(429, service="s2")  # the gateway's 429, no Retry-After, as without a key
    elif fault == "batch_over_size_limit":
        s2.live(batch_max_bytes=40_000)  # ~100 records: the seed's one batch is refused whole
    elif fault == "batch_gateway_timeout":
        s2.live(batch_timeout_over=25)
    elif fault == "batch_server_errors":
        faults.server_errors(4, code=500, service="s2", path="/paper/batch")
    elif fault == "bulk_title_and_abstract":
        s2.live(bulk_title_and_abstract=True)
    else:
        raise ValueError(fault)


FAULTS = ["empty_arxiv_feeds", "s2_pool_refusing", "batch_over_size_limit", "batch_gateway_timeout",
          "batch_server_errors", "bulk_title_and_abstract"]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("fault", FAULTS)
def test_a_seed_list_with_a_live_fault_on(fault, scholar_world, scholar_settings, tmp_path):
    seed = next(p for p in SEEDS if p.name.startswith("000"))
    clean = run(seed, dataclasses.replace(scholar_settings, cache_dir=tmp_path / "clean"))
    clean_requests = len(scholar_world.log)
    scholar_world.reset()
    switch_on(scholar_world, fault)
    settings = dataclasses.replace(scholar_settings, cache_dir=tmp_path / "faulty", retry_after_cap=0.2)
    faulty = run(seed, settings)
    for c, f in zip(clean.resolutions, faulty.resolutions):
        if f.paper is not None:  # the clean run's paper (perhaps from one service only), never another
            assert ids_of(f) & ids_of(c), (fault, f.entry.title, f.paper.title)
        elif c.paper is not None:
            assert f.reason.startswith("error:"), (fault, f.entry.title, f.reason)
    if fault == "s2_pool_refusing":
        assert "S2" in faulty.stats.stopped and faulty.stats.to_dict()["stopped"]
        # Stopped soon: a handful of refused S2 requests, not backoff after backoff for every entry.
        assert scholar_world.log.count(service="s2", status=429) <= 6

    scholar_world.reset()  # the fault is off again
    rerun = run(seed, settings)
    rerun_requests = len(scholar_world.log)
    assert [r.to_dict() for r in rerun.resolutions] == [r.to_dict() for r in clean.resolutions], fault
    # The rerun asks only for what failed: never everything again.
    failed = any(r.reason and r.reason.startswith("error:") for r in faulty.resolutions)
    assert rerun_requests < clean_requests or (not failed and rerun_requests == 0), (fault, rerun_requests, clean_requests)
    if not failed:
        assert rerun_requests == 0


def test_an_empty_arxiv_feed_is_asked_again_and_never_cached_as_not_found(scholar_world, scholar_settings):
    text = "- Efficient Memory Management for Large Language Model Serving with PagedAttention [pdf](https://arxiv.org/abs/2309.06180)\n"
    scholar_world.faults.add("empty", service="arxiv", times=2)
    result = run(text, scholar_settings)
    (vllm,) = result.resolutions
    assert vllm.paper is not None and vllm.paper.match.source == "arxiv+s2"  # the third answer had it
    # (answers, not requests: a loaded CI run saw 4 arXiv requests here once, not reproduced since;
    # a request the emulator stamps late makes the next look early, which gets arXiv's 429 and is
    # asked again: the pace rule's business, tested elsewhere, not this test's)
    assert scholar_world.log.count(service="arxiv", status=200) == 3

    # An arXiv that keeps answering empty: S2 resolves the entry, and the arXiv record is not
    # cached as missing: the rerun asks arXiv for it again (and only for it).
    scholar_world.reset()
    scholar_world.faults.empty_answers(service="arxiv")
    settings = dataclasses.replace(scholar_settings, cache_dir=scholar_settings.cache_dir.with_name("second"))
    second = run(text, settings)
    assert second.resolutions[0].paper is not None and second.resolutions[0].paper.match.source == "s2"
    scholar_world.reset()
    third = run(text, settings)
    assert scholar_world.log.count(service="arxiv", status=200) == 1 and scholar_world.log.count(service="s2") == 0
    assert third.resolutions[0].to_dict() == vllm.to_dict()


def test_an_s2_batch_too_large_for_one_answer_is_split(scholar_world, scholar_settings):
    seed = next(p for p in SEEDS if p.name.startswith("000"))
    scholar_world.s2.live(batch_max_bytes=40_000)
    result = run(seed, scholar_settings)
    batches = scholar_world.log.records(service="s2", path="/paper/batch")
    refused = [r for r in batches if r.status == 400]
    assert refused and all(r.status in (200, 400) for r in batches)
    # Halves of halves: every id was finally asked in a batch that was answered.
    assert not any(r.reason and r.reason.startswith("error") for r in result.resolutions)


def test_old_style_ids_with_a_subject_class_resolve(scholar_world, scholar_settings):
    (trap,) = [r for r in scholar_world.corpus.records if r.key == "trap:old-style-id"]
    assert trap.arxiv == "cs/0112999"
    assert canonical_id("cs.DL/0112999") == "cs/0112999" and canonical_id("2309.06180") == "2309.06180"
    text = f"- {trap.title} [arXiv](https://arxiv.org/abs/cs.DL/0112999v2)\n"
    (res,) = run(text, scholar_settings).resolutions
    assert res.paper is not None and res.paper.arxiv == "cs/0112999" and res.paper.match.method == "id"


def test_several_dois_in_arxiv_doi_keep_the_first_publisher_doi():
    feed = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2101.00001v1</id><title>A Paper</title><published>2021-01-01T00:00:00Z</published>
<updated>2021-01-01T00:00:00Z</updated><author><name>A. Author</name></author>
<arxiv:doi>10.1145/3458817.3476209 10.5555/3571885.3571960</arxiv:doi>
<arxiv:primary_category term="cs.DC"/></entry></feed>"""
    (record,) = parse_feed(feed)
    assert record.doi == "10.1145/3458817.3476209"
