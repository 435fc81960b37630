"""Paper-aware verdicts: links that carry an arXiv id, a DOI or an OpenReview id are judged by
the services' APIs (the emulators), in batches, never by fetching the pages."""

from __future__ import annotations

import asyncio
import random
import re

import httpx
import pytest

from paperenrich.cache import Cache
from paperenrich.linkcheck import check_urls
from paperenrich.linkcheck.papers import Claim, claim_of
from paperenrich.model import Place
from paperenrich.resolve import NS_ARXIV
from tests.emulator.paper_ids import PaperIdServices


class NoPages(httpx.AsyncBaseTransport):
    """The link engine's transport in these tests: records and refuses every page request, so a
    link that should have gone to a service can never reach a real host."""

    def __init__(self):
        self.urls: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        raise httpx.ConnectError("page requests are not allowed in this test", request=request)


def run(urls, settings, cache=None):
    pages = NoPages()
    info: dict = {}

    async def go():
        async with httpx.AsyncClient(transport=pages) as client:
            return await check_urls({u: [Place("l.md", i + 1)] for i, u in enumerate(urls)}, settings, client,
                                    cache=cache, run_info=info)

    return {r.url: r for r in asyncio.run(go())}, info, pages


def test_claims_name_the_service_and_the_version():
    assert claim_of("https://arxiv.org/abs/2309.06180v2") == Claim("arxiv", "2309.06180", 2)
    assert claim_of("https://arxiv.org/pdf/hep-th/9901001.pdf") == Claim("arxiv", "hep-th/9901001", None)
    assert claim_of("https://arxiv.org/abs/2309.061").service == "invalid"
    assert claim_of("https://arxiv.org/list/cs.LG/recent") is None  # a page, not a paper
    assert claim_of("https://doi.org/10.48550/arXiv.1706.03762") == Claim("arxiv", "1706.03762")
    assert claim_of("https://dl.acm.org/doi/10.1145/3600006.3613165") == Claim("doi", "10.1145/3600006.3613165")
    assert claim_of("https://doi.org/10.12/abc").service == "invalid"  # a registrant has 4 to 9 digits
    assert claim_of("https://openreview.net/forum?id=Pgtn4l6eKjv") == Claim("openreview", "Pgtn4l6eKjv")
    assert claim_of("https://github.com/org/repo") is None


def _fixture(corpus):
    """500 arXiv links, 100 DOI links, 50 OpenReview links, each with the verdict the input implies."""
    rng = random.Random(7)
    expected: dict[str, str] = {}
    with_arxiv = [r for r in corpus.records if r.arxiv and not r.arxiv.startswith(("9999",))]
    known = rng.sample(with_arxiv, 470)
    for i, rec in enumerate(known[:445]):  # known ids, as abs, pdf and versioned links
        form = i % 3
        url = (f"https://arxiv.org/abs/{rec.arxiv}" if form == 0 else f"https://arxiv.org/pdf/{rec.arxiv}.pdf" if form == 1
               else f"https://arxiv.org/abs/{rec.arxiv}v{rec.arxiv_versions}")
        expected[url] = "ok"
    for rec in known[445:470]:  # a version past the last one
        expected[f"https://arxiv.org/abs/{rec.arxiv}v{rec.arxiv_versions + 1}"] = "broken"
    unknown = [f"{2900 + i // 100:04d}.{10000 + i:05d}" for i in range(25)]  # well-formed, in no corpus (month 00..)
    unknown = [u for u in unknown if corpus.get_arxiv(u) is None][:25]
    assert len(unknown) == 25
    expected.update({f"https://arxiv.org/abs/{u}": "broken" for u in unknown})
    for bad in ("2309.061", "23.06180", "2309_06180", "hep-th/99", "cs/abc1234"):
        expected[f"https://arxiv.org/abs/{bad}"] = "invalid"
    assert len(expected) == 500

    # DOIs as a list would write them in a URL (the corpus has a few DBLP escapes like `\_`)
    with_doi = [r for r in corpus.records if r.doi and re.fullmatch(r"10\.\d{4,9}/[A-Za-z0-9._()/:;-]+", r.doi)
                and not r.doi.startswith("10.48550")]
    registered = rng.sample(with_doi, 60)
    dois = {rec.doi: f"https://publisher.example/{rec.doi}" for rec in registered}
    for i, rec in enumerate(registered):
        # publisher pages refuse bots: judged by the DOI they carry
        expected[f"https://dl.acm.org/doi/{rec.doi}" if i % 2 else f"https://doi.org/{rec.doi}"] = "ok"
    for i in range(30):
        expected[f"https://doi.org/10.9999/not-registered-{i}"] = "broken"
    for i in range(10):
        expected[f"https://doi.org/10.{i}/too-short-registrant"] = "invalid"

    notes = {f"Note{i:04d}abcXYZ" for i in range(40)}
    expected.update({f"https://openreview.net/forum?id={n}": "ok" for n in sorted(notes)})
    expected.update({f"https://openreview.net/forum?id=Missing{i:04d}": "broken" for i in range(10)})
    assert len(expected) == 650
    return expected, dois, notes


@pytest.fixture
def services_fixture(scholar_world):
    expected, dois, notes = _fixture(scholar_world.corpus)
    with PaperIdServices(dois=dois, openreview=notes) as ids:
        yield expected, ids


def test_650_paper_links_get_right_verdicts_from_the_services_in_batches(scholar_settings, scholar_world, services_fixture):
    expected, ids = services_fixture
    settings = scholar_settings.replace(doi_api_url=ids.doi_api_url, openreview_api_url=ids.openreview_api_url,
                                        doi_interval=0.0, openreview_interval=0.0)
    cache = Cache(settings.cache_dir)
    results, info, pages = run(list(expected), settings, cache)
    wrong = {u: (results[u].status, results[u].detail) for u, want in expected.items() if results[u].status != want}
    assert wrong == {}
    # no page was requested at all (arxiv.org, doi.org, dl.acm.org, openreview.net)
    assert pages.urls == [] and info["requests"] == 0
    # 495 well-formed arXiv ids: 5 id_list requests of at most 100
    id_lists = [r for r in scholar_world.log.records(service="arxiv") if r.param("id_list")]
    assert len(id_lists) == len(scholar_world.log.records(service="arxiv")) <= 5
    assert all(len(r.param("id_list").split(",")) <= 100 for r in id_lists)
    assert info["services"]["arxiv"] == len(id_lists)
    # one handle lookup per well-formed DOI; OpenReview in batches of 50
    assert ids.log.count(service="doi") == 90
    assert ids.log.count(service="openreview") == 1
    by = {r.verified_by for u, r in results.items() if "arxiv.org" in u and r.status != "invalid"}
    assert by == {"arxiv"}
    acm = [r for u, r in results.items() if u.startswith("https://dl.acm.org/")]
    assert len(acm) == 30 and all(r.status == "ok" and r.verified_by == "doi" for r in acm)
    assert results["https://arxiv.org/abs/2309.061"].detail == "malformed arXiv id '2309.061'"
    assert {r.to_dict()["verified_by"] for r in results.values()} == {"arxiv", "doi", "openreview"}

    # The arXiv records went into enrich's namespace: enrich and check share them.
    known_id = next(u for u, want in expected.items() if want == "ok" and "/abs/" in u and "v" not in u.rsplit("/", 1)[1])
    assert cache.get(NS_ARXIV, known_id.rsplit("/", 1)[1]) is not None
    # A rerun asks nothing: every final verdict is cached.
    scholar_world.log.clear()
    ids.log.clear()
    again, info, pages = run(list(expected), settings, cache)
    assert {u: r.status for u, r in again.items()} == {u: r.status for u, r in results.items()}
    assert info["from_cache"] == len(expected) - 15  # all but the 15 invalid ones (not asked, not cached)
    assert len(scholar_world.log) == 0 and len(ids.log) == 0
    cache.close()


def test_arxiv_cache_shared_with_enrich_settles_links_without_a_request(scholar_settings, scholar_world):
    rec = next(r for r in scholar_world.corpus.records if r.arxiv and r.arxiv_versions >= 1)
    cache = Cache(scholar_settings.cache_dir)
    cache.put_many(NS_ARXIV, {rec.arxiv: {"arxiv": rec.arxiv, "version": rec.arxiv_versions, "title": rec.title,
                                          "authors": [], "published": None, "updated": None, "doi": None,
                                          "journal_ref": None, "comment": None, "primary_category": None, "pdf_url": None}})
    url = f"https://arxiv.org/abs/{rec.arxiv}v{rec.arxiv_versions}"
    results, info, _ = run([url], scholar_settings, cache)
    assert results[url].status == "ok" and len(scholar_world.log) == 0
    # a version newer than the cached record knows is asked again, not called broken
    newer = f"https://arxiv.org/abs/{rec.arxiv}v{rec.arxiv_versions + 1}"
    results, info, _ = run([newer], scholar_settings, cache)
    assert results[newer].status == "broken" and scholar_world.log.count(service="arxiv") == 1
    cache.close()


def test_verify_by_http_fetches_the_pages_instead(scholar_settings):
    url = "https://arxiv.org/abs/1706.03762"
    results, info, pages = run([url], scholar_settings.replace(verify_by="http", use_cache=False))
    assert pages.urls == [url] and results[url].verified_by == "http"


def test_a_service_that_cannot_be_asked_leaves_links_unverified_not_broken(scholar_settings):
    dead = "http://127.0.0.1:9"  # nothing listens: refused
    settings = scholar_settings.replace(doi_api_url=dead + "/api/handles", openreview_api_url=dead, arxiv_url=dead + "/api/query",
                                        max_retries=1)
    urls = ["https://doi.org/10.1145/3600006.3613165", "https://openreview.net/forum?id=Pgtn4l6eKjv",
            "https://arxiv.org/abs/1706.03762"]
    results, _, pages = run(urls, settings)
    assert {r.status for r in results.values()} == {"error"} and pages.urls == []
    assert all("not verified" in r.detail for r in results.values())


def test_pages_are_checked_while_the_arxiv_batches_wait_their_turn(scholar_settings, scholar_world):
    # 250 arXiv ids are 3 id_list requests, one arXiv interval apart: the page links of the same
    # list do not wait for them (checked one after the other, the page would come after all 3).
    ids = [r.arxiv for r in scholar_world.corpus.records if r.arxiv][:250]
    asked_before_page: list[int] = []

    def page(request: httpx.Request) -> httpx.Response:
        asked_before_page.append(scholar_world.log.count(service="arxiv"))
        return httpx.Response(200, headers={"Content-Type": "text/html"},
                              stream=httpx.ByteStream(b"<html><head><title>A project page</title></head><body>code</body></html>"))

    urls = [f"https://arxiv.org/abs/{i}" for i in ids] + ["https://project.example/paper"]

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(page)) as client:
            return await check_urls({u: [Place("l.md", n + 1)] for n, u in enumerate(urls)},
                                    scholar_settings.replace(use_cache=False), client)

    results = {r.url: r for r in asyncio.run(go())}
    assert scholar_world.log.count(service="arxiv") == 3
    assert results["https://project.example/paper"].status == "ok" and len(asked_before_page) == 1
    assert asked_before_page[0] < 3
    assert all(results[u].status == "ok" and results[u].verified_by == "arxiv" for u in urls[:-1])


def test_the_unparsed_host_test_agrees_with_the_full_claim(monkeypatch):
    # claim_of skips URL parsing for hosts no service owns; on every link of the corpus lists and
    # seeds (and a few odd forms) that shortcut may only say "no claim" where the full path does.
    from pathlib import Path

    from paperenrich.linkcheck import papers
    from paperenrich.markdown import Document

    shared = Path(__file__).resolve().parents[1].parent / "shared"
    files = sorted(shared.glob("lists/*.md")) + sorted(shared.glob("seeds/*"))
    if not files:
        pytest.skip("../shared is not beside the repository")
    urls = {link.url for f in files for link in Document(f.read_text(encoding="utf-8", errors="replace")).links}
    urls |= {"http://ArXiv.org:443/abs/2101.00001", "https://arxiv.org./abs/2101.00001", "https://u@arxiv.org/abs/2101.00001",
             "https://dl.acm.org:8443/doi/10.1145/1", "HTTPS://DOI.ORG/10.1145/x", "https://[::1]/abs/1",
             "https://doi.org?x=/10.1/a", " https://arxiv.org/abs/2101.00001", "https://example.com/10.1145/3600006.3613165"}
    shortcut = {u for u in urls if papers._unclaimed_host(u)}
    assert len(shortcut) > 1000  # most links of a list are plain pages
    monkeypatch.setattr(papers, "_unclaimed_host", lambda url: False)
    assert {u: papers.claim_of(u) for u in shortcut if papers.claim_of(u) is not None} == {}


def test_when_the_services_or_the_pages_fail_the_other_side_stops_too():
    from paperenrich.linkcheck.run import _both

    async def main():
        events = []

        async def pages():
            try:
                await asyncio.sleep(10)
                events.append("pages went on")
            except asyncio.CancelledError:
                events.append("pages stopped")
                raise

        async def services():
            await asyncio.sleep(0.01)
            raise RuntimeError("a bug in a lane")

        with pytest.raises(RuntimeError, match="a bug in a lane"):
            await _both(pages(), services())
        await asyncio.sleep(0.05)
        return events

    assert asyncio.run(main()) == ["pages stopped"]
