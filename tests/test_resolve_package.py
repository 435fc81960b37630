"""The resolve package's parts on their own: pure stage transitions and planning from hand-made
answers, and the async driver over clients a test passes in (httpx.MockTransport, no server)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.http import Pacer
from paperenrich.model import Entry, Ids
from paperenrich.overrides import Overrides
from paperenrich.resolve import NS_ARXIV, NS_S2, NS_S2_TITLE, Board, Lookups, Stage, advance, needs, plan_arxiv, plan_s2, plan_work
from paperenrich.resolve import resolve_entries
from paperenrich.sources.arxiv import ArxivClient, parse_feed
from paperenrich.sources.s2 import S2Client

TITLE = "Efficient Memory Management for Large Language Model Serving with PagedAttention"
S2_ID = "83b90f4a0ae4cc214eb3cc140ccfef9cd99fac05"
FEED = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<entry><id>http://arxiv.org/abs/2309.06180v1</id><title>{TITLE}</title><published>2023-09-12T00:00:00Z</published>
<updated>2023-09-12T00:00:00Z</updated><author><name>Woosuk Kwon</name></author>
<arxiv:primary_category term="cs.LG"/></entry></feed>""".encode()
S2_PAPER = {"paperId": S2_ID, "title": TITLE, "year": 2023, "venue": "SOSP", "externalIds": {"ArXiv": "2309.06180"},
            "authors": [{"authorId": "1", "name": "Woosuk Kwon"}], "citationCount": 1}


def entry(title, arxiv=None, line=1):
    return Entry(line=line, end_line=line, section=(), title=title, ids=Ids(arxiv=arxiv))


def test_transitions_from_hand_made_answers():
    lookups = Lookups(Cache("unused", enabled=False), Settings())
    (work,) = plan_work([entry(TITLE, "2309.06180")], Overrides())
    assert work.stage == Stage.IDS and needs(work) == [(NS_ARXIV, "2309.06180"), (NS_S2, "ARXIV:2309.06180")]
    board = Board([work], lookups)
    assert plan_arxiv(board) == (NS_ARXIV, ["2309.06180"], "arxiv_id_list")
    assert plan_s2(board)[0] == NS_S2
    advance(work, lookups)
    assert work.stage == Stage.IDS  # still waiting for its answers
    (record,) = parse_feed(FEED)
    lookups.put(NS_ARXIV, {"2309.06180": record})
    lookups.put(NS_S2, {"ARXIV:2309.06180": None})  # S2 does not know it
    advance(work, lookups)
    # The linked id resolved it; S2's "not found" for the arXiv id leaves nothing to complete.
    assert work.stage == Stage.DONE and work.match.method == "id" and work.arxiv_rec is record


def test_an_id_that_is_another_paper_moves_the_entry_to_the_title_search():
    lookups = Lookups(Cache("unused", enabled=False), Settings())
    (work,) = plan_work([entry("Deep Residual Learning for Image Recognition", "2309.06180")], Overrides())
    (record,) = parse_feed(FEED)
    lookups.put(NS_ARXIV, {"2309.06180": record})
    lookups.put(NS_S2, {"ARXIV:2309.06180": None})
    advance(work, lookups)
    assert work.stage == Stage.S2_TITLE and needs(work) == [(NS_S2_TITLE, work.title_key)]
    assert any("another paper" in n for n in work.notes)


async def test_the_driver_runs_over_clients_passed_in(tmp_path):
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.host, request.url.path))
        if request.url.host == "arxiv.test":
            assert parse_qs(request.url.query.decode())["id_list"] == ["2309.06180"]
            return httpx.Response(200, content=FEED, headers={"content-type": "application/atom+xml"})
        assert request.url.path == "/graph/v1/paper/batch" and json.loads(request.content) == {"ids": ["ARXIV:2309.06180"]}
        return httpx.Response(200, json=[S2_PAPER])

    settings = Settings(arxiv_url="https://arxiv.test/api/query", s2_url="https://s2.test/graph/v1", cache_dir=tmp_path)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        clients = (ArxivClient(client, settings, Pacer()), S2Client(client, settings, Pacer()))
        resolutions, stats = await resolve_entries([entry(TITLE, "2309.06180")], settings, clients=clients)
    (res,) = resolutions
    assert res.paper is not None and res.paper.s2_id == S2_ID and res.paper.match.source == "arxiv+s2"
    assert sorted(sent) == [("arxiv.test", "/api/query"), ("s2.test", "/graph/v1/paper/batch")]
    assert stats.requests == {"arxiv_id_list": 1, "s2_batch": 1}


def test_verify_and_merge_read_records_without_the_network_layer():
    import subprocess
    import sys

    code = "import sys, paperenrich.verify, paperenrich.merge; print(sorted(m for m in ('httpx', 'paperenrich.http') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lists_join_the_run_as_they_are_scanned(scholar_world, scholar_settings, monkeypatch):
    import threading
    import time

    import paperenrich.scanner as scanner
    from paperenrich.resolve import resolve_texts
    from paperenrich.sources import s2 as s2_source

    texts = [("- Attention Is All You Need (NeurIPS'17)\n", "a.md"),
             ("- [vLLM](https://arxiv.org/abs/2309.06180) (SOSP'23)\n- Attention Is All You Need (NeurIPS'17)\n", "b.md"),
             ("- A Paper Title That Nobody Has Ever Written About Anything (ICML'21)\n"
              "- [Strata](https://arxiv.org/abs/2309.06180)\n", "c.md")]
    scanned_at: dict[str, float] = {}
    real_scan = scanner.scan_text

    def slow_scan(text, source="<text>"):
        if source != "a.md":
            time.sleep(0.4)  # a long list: the run must not wait for it to start asking
        scanned_at[source] = time.monotonic()
        assert source == "a.md" or threading.current_thread() is not threading.main_thread()
        return real_scan(text, source=source)

    monkeypatch.setattr(scanner, "scan_text", slow_scan)
    monkeypatch.setattr(s2_source, "TITLE_BATCH", 1)  # a full title batch as soon as one title waits
    lists, stats = resolve_texts(texts, scholar_settings, show_progress=False)
    assert [one.source for one in lists] == ["a.md", "b.md", "c.md"]
    assert [[r.entry.line for r in one.resolutions] for one in lists] == [[1], [1, 2], [1, 2]]
    papers = [[r.paper.title if r.paper else None for r in one.resolutions] for one in lists]
    assert papers[0] == [papers[1][1]] and papers[0][0] and papers[2][0] is None and papers[1][0] == papers[2][1]
    log = scholar_world.log
    # The first list's title was asked for before the last list was scanned...
    first = log.records()[0]
    assert first.path.endswith("/paper/search/bulk") and first.start < scanned_at["c.md"]
    # ...and the batches are still shared: the id both later lists link, asked once, in an id_list
    # request and one S2 batch sent once every list had joined (a partial batch would cost one more;
    # the other id_list is Attention's arXiv record, the follow-up of its S2 title match).
    id_lists = [r for r in log.records(service="arxiv") if r.param("id_list")]
    assert [r.param("id_list") for r in id_lists][0] == "2309.06180" and id_lists[0].start > scanned_at["c.md"]
    assert sum("2309.06180" in r.param("id_list") for r in id_lists) == 1
    batches = log.records(service="s2", path="/paper/batch")
    assert len(batches) == 1 and batches[0].start > scanned_at["c.md"]
    assert stats.outcomes["by_id"] == 2 and stats.outcomes["unresolved"] == 1
