"""The link checker against the web-hosts emulator: every status class from a real answer,
no false `broken`, per-host limits kept (read from the emulator's own log), safety and cache."""

from __future__ import annotations

import asyncio
import time

import pytest

from paperenrich.cache import Cache
from paperenrich.config import HostRule, Settings
from paperenrich.linkcheck import check_urls
from paperenrich.linkcheck.run import _note_alternatives
from paperenrich.model import LinkResult, Place
from tests.emulator.webhosts import WebHosts

FAST = dict(allow_private=True, link_timeout=0.6, link_backoff=0.02, retry_after_cap=0.3, host_interval=0.0)


@pytest.fixture(scope="module")
def web():
    with WebHosts(6, time_scale=1.0) as hosts:
        yield hosts


def run(urls, settings=None, cache=None):
    info: dict = {}
    results = asyncio.run(check_urls({u: [Place("l.md", i + 1)] for i, u in enumerate(urls)},
                                     settings or Settings(**FAST), cache=cache, run_info=info))
    return {r.url: r for r in results}, info


def test_every_status_class_comes_from_a_real_answer(web):
    w = web.url
    cases = {
        w(0, "ok/page"): "ok",
        w(0, "pdf/paper.pdf"): "ok",
        w(0, "redirect/301/3/a"): "redirected",
        w(0, "redirect/302/1/b"): "redirected",
        w(0, "loop/a/c"): "broken",
        w(1, "status/404/a"): "broken",
        w(1, "status/410/a"): "broken",
        w(1, "challenge/403/a"): "blocked",
        w(1, "challenge/202/a"): "blocked",
        w(2, "ratelimit/1/a"): "ok",  # 429 once, then fine: not broken, not rate limited
        w(2, "ratelimit/99/b"): "rate_limited",
        w(2, "flaky/2/a"): "ok",  # 503 twice, then fine
        w(2, "status/502/a"): "error",
        w(3, "nohead/file.pdf"): "ok",
        w(3, "slow-first-byte/5/a"): "timeout",
        w(3, "slow-body/0.2/a"): "ok",
        w(3, "tarpit/a"): "timeout",
        w(4, "reset/a"): "error",
        w(4, "soft404/a"): "soft_404",
        w(4, "endless/a"): "ok",
        w(4, "huge/a"): "ok",
        w(5, "moved?to=/&code=301"): "soft_404",  # a deep link redirected to the home page
        "https://openreview.net/forum?id%253DPgtn4l6eKjv": "invalid",
        "mailto:someone@example.org": "skipped",
    }
    started = time.monotonic()
    results, _ = run(list(cases))
    assert {url: r.status for url, r in results.items()} == cases
    # Tarpit, endless and 1 GB bodies do not hold the run (unbounded, they would never end; the
    # bound is loose so a busy machine cannot fail it).
    assert time.monotonic() - started < 60

    chain = results[w(0, "redirect/301/3/a")]
    assert chain.redirects == (w(0, "redirect/301/2/a"), w(0, "redirect/301/1/a"), w(0, "ok/a"))
    assert chain.final_url == w(0, "ok/a") and chain.suggestion == w(0, "ok/a")
    assert results[w(0, "redirect/302/1/b")].suggestion is None  # temporary: keep the link
    assert "loop" in results[w(0, "loop/a/c")].detail
    assert results[w(1, "status/404/a")].http_status == 404
    assert results["https://openreview.net/forum?id%253DPgtn4l6eKjv"].suggestion == "https://openreview.net/forum?id=Pgtn4l6eKjv"
    # HEAD refused with 405, then GET: both visible in the emulator's log
    methods = [r.method for r in web.requests(web.hosts[3], "/nohead/")]
    assert methods == ["HEAD", "GET"]
    # a PDF is asked with HEAD only; a page with GET only: one request per URL
    assert [r.method for r in web.requests(web.hosts[0], "/pdf/")] == ["HEAD"]
    assert [r.method for r in web.requests(web.hosts[0], "/ok/page")] == ["GET"]
    # retried exactly as often as configured (1 + link_retries) when the failure persists
    assert len(web.requests(web.hosts[2], "/ratelimit/99/b")) == 3
    assert len(web.requests(web.hosts[2], "/status/502/a")) == 3
    assert len(web.requests(web.hosts[1], "/status/404/a")) == 1  # 404 is final: no retry


def test_fragments_are_checked_on_request(web):
    good, bad = web.url(0, "anchors/f1#intro"), web.url(0, "anchors/f2#nowhere")
    results, _ = run([good, bad], Settings(**FAST, check_fragments=True))
    assert results[good].status == "ok"
    assert results[bad].status == "broken" and "#nowhere" in results[bad].detail
    results, _ = run([bad], Settings(**FAST))
    assert results[bad].status == "ok"  # without the option the anchor is not looked at


def test_per_host_concurrency_and_spacing_are_never_exceeded(web):
    # latency well above 3 intervals, so that 4 requests really overlap even on a busy machine
    slow = WebHosts(3, latency=0.06, first_host=50)
    with slow:
        urls = [slow.url(h, f"ok/{i}") for h in range(3) for i in range(40)]
        settings = Settings(**{**FAST, "host_concurrency": 4, "host_interval": 0.01},
                            hosts={slow.hosts[2]: HostRule(max_concurrency=1, interval=0.02)})
        results, info = run(urls, settings)
        assert all(r.status == "ok" for r in results.values())
        for host in slow.hosts[:2]:
            assert slow.max_in_flight(host) == 4  # the limit is reached, and never passed
            # any 10 consecutive arrivals span at least 9 intervals (less a little jitter: the
            # server's clock sees arrivals, and shares the GIL with the client in this process)
            assert slow.min_window_span(host, 10) >= 9 * 0.01 * 0.8
        assert slow.max_in_flight(slow.hosts[2]) == 1  # per-host rule from the settings
        assert slow.min_window_span(slow.hosts[2], 10) >= 9 * 0.02 * 0.8
        assert info["hosts"][slow.hosts[2]]["max_in_flight"] == 1


def test_global_concurrency_limit(web):
    with WebHosts(4, latency=0.03, first_host=60) as slow:
        urls = [slow.url(h, f"ok/{i}") for h in range(4) for i in range(10)]
        results, _ = run(urls, Settings(**{**FAST, "max_concurrency": 3}))
        assert all(r.status == "ok" for r in results.values())
        assert slow.max_total_in_flight() == 3


def test_global_slots_move_to_the_hosts_with_links_left(web):
    # Workers are not tied to a host: once the small hosts are done, the big host is asked up
    # to its own width (3), never past it or the global limit (4), and every link exactly once.
    with WebHosts(4, latency=0.03, first_host=70) as slow:
        urls = [slow.url(0, f"ok/{i}") for i in range(30)] + [slow.url(h, "ok/x") for h in (1, 2, 3)]
        results, _ = run(urls, Settings(**{**FAST, "max_concurrency": 4, "host_concurrency": 3}))
        assert all(r.status == "ok" for r in results.values()) and len(results) == 33
        assert slow.max_in_flight(slow.hosts[0]) == 3
        assert slow.max_total_in_flight() <= 4
        assert len(slow.requests()) == 33


def test_429_pauses_for_retry_after_slows_while_refused_then_recovers(web):
    url = web.url(5, "ratelimit/2/ra?retry_after=0.2")
    others = [web.url(5, f"ok/after-429-{i}") for i in range(4)]
    settings = Settings(**{**FAST, "host_concurrency": 1, "link_backoff": 0.05})
    results, info = run([url, *others], settings)
    assert results[url].status == "ok" and all(results[u].status == "ok" for u in others)
    first, second, third = web.requests(web.hosts[5], "/ratelimit/2/ra")
    assert (first.status, second.status, third.status) == (429, 429, 200)
    assert second.start - first.start >= 0.2 * 0.9 and third.start - second.start >= 0.2 * 0.9  # its Retry-After
    # two refusals in a row: spacing widened twice (0.25 s, then 0.5 s) before the next request
    after = sorted(r.start for r in web.requests(web.hosts[5], "/ok/after-429-"))
    assert after[0] - third.start >= 0.5 * 0.9
    assert info["hosts"][web.hosts[5]]["rate_limited"] == 2
    # ...and each success narrows it again: the host ends at its configured pace (0), not slowed for good
    assert info["hosts"][web.hosts[5]]["interval"] == 0.0


def test_retry_after_is_capped(web):
    url = web.url(5, "ratelimit/1/capped?retry_after=3600")
    started = time.monotonic()
    results, _ = run([url])
    assert results[url].status == "ok"
    assert time.monotonic() - started < 30  # the 0.3 s cap held: an uncapped wait would be an hour


def test_private_addresses_are_refused_unless_allowed(web):
    url = web.url(0, "ok/private")
    results, _ = run([url], Settings(**{**FAST, "allow_private": False}))
    assert results[url].status == "skipped" and "--allow-private" in results[url].detail
    assert web.requests(path_prefix="/ok/private") == []


def test_private_check_happens_after_dns_resolution():
    # `localhost` is a name, not an address: only resolving it shows it is loopback.
    with WebHosts(1, first_host=1) as local:  # 127.0.0.1, where localhost resolves
        url = f"http://localhost:{local.port}/ok/by-name"
        results, _ = run([url], Settings(**{**FAST, "allow_private": False}))
        assert results[url].status == "skipped" and "non-public" in results[url].detail
        assert local.requests() == []
        results, _ = run([url], Settings(**FAST))
        assert results[url].status == "ok"
        assert len(local.requests()) == 1


def test_warm_rerun_makes_no_requests_and_transient_failures_are_asked_again(web, tmp_path):
    final = [web.url(1, "ok/cache"), web.url(1, "status/404/cache"), web.url(1, "challenge/403/cache"),
             web.url(1, "redirect/301/1/cache"), web.url(1, "soft404/cache")]
    transient = [web.url(1, "ratelimit/99/cache"), web.url(1, "slow-first-byte/5/cache")]
    cache = Cache(tmp_path)
    first, _ = run(final + transient, cache=cache)
    before = len(web.requests(web.hosts[1], ))
    second, info = run(final, cache=cache)
    assert len(web.requests(web.hosts[1])) == before and info["requests"] == 0 and info["from_cache"] == len(final)
    assert {u: r.status for u, r in second.items()} == {u: first[u].status for u in final}
    assert second[final[3]].redirects == first[final[3]].redirects
    third, info = run(transient, cache=cache)
    assert info["from_cache"] == 0 and info["requests"] > 0  # timeouts and 429s are not final
    _, info = run(final, Settings(**FAST, use_cache=False), cache=Cache(tmp_path, enabled=False))
    assert info["requests"] == len(final) + 1  # --no-cache asks again (the redirect costs 2)
    # a cached verdict made under other rules is not reused
    _, info = run([final[2]], Settings(**FAST, accept=(403,)), cache=cache)
    assert info["from_cache"] == 0
    cache.close()


def test_blocked_link_notes_the_entrys_answering_arxiv_link():
    acm = "https://dl.acm.org/doi/10.5555/3295222.3295349"
    text = f"# L\n\n- [Attention Is All You Need]({acm}) [[arXiv]](https://arxiv.org/abs/1706.03762)\n"
    results = [
        LinkResult(acm, "blocked", 403, places=(Place("l.md", 3),), detail="bot"),
        LinkResult("https://arxiv.org/abs/1706.03762", "ok", 200, places=(Place("l.md", 3),)),
    ]
    noted = _note_alternatives(results, {"l.md": text})
    assert noted[0].status == "blocked"
    assert noted[0].detail == "bot; the same entry's https://arxiv.org/abs/1706.03762 answers"
    results[1] = LinkResult("https://arxiv.org/abs/1706.03762", "broken", 404, places=(Place("l.md", 3),))
    assert _note_alternatives(results, {"l.md": text})[0].detail == "bot"


def test_spacing_holds_when_requests_also_wait_for_global_slots():
    # Two slow requests to host B hold both global slots and end together; host A's requests,
    # queued meanwhile, must still start `interval` apart when the slots free up at once.
    with WebHosts(2, first_host=80) as web2:
        a, b = web2.hosts
        urls = [web2.url(1, f"slow-first-byte/0.15/{i}") for i in range(2)] + [web2.url(0, f"ok/{i}") for i in range(4)]
        settings = Settings(**{**FAST, "max_concurrency": 2, "host_interval": 0.05},
                            hosts={b: HostRule(interval=0.0)})
        results, _ = run(urls, settings)
        assert all(r.status == "ok" for r in results.values())
        assert web2.max_total_in_flight() <= 2
        assert web2.min_start_gap(a) >= 0.05 * 0.8


def test_a_host_with_no_links_left_has_its_connections_closed_while_others_are_still_asked(web, monkeypatch):
    from paperenrich.linkcheck.wire import WireClient

    closed: list[tuple[str, int, float]] = []
    close_idle = WireClient.close_idle

    def recorded(self, host):
        idle = sum(len(pool) for key, pool in self._idle.items() if key[1] == host)
        close_idle(self, host)
        left = sum(len(pool) for key, pool in self._idle.items() if key[1] == host)
        closed.append((host, idle - left, time.monotonic()))

    monkeypatch.setattr(WireClient, "close_idle", recorded)
    quick = [web.url(0, f"ok/{i}") for i in range(4)]
    slow = web.url(1, "slow-first-byte/0.5/x")
    started = time.monotonic()
    results, _ = run(quick + [slow], Settings(**{**FAST, "link_timeout": 5.0}))
    assert all(results[u].status == "ok" for u in quick + [slow])
    first_host = quick[0].split("/")[2].split(":")[0]
    done = [(n, t - started) for host, n, t in closed if host == first_host]
    assert len(done) == 1 and done[0][0] >= 1  # its kept-alive connections, closed once
    assert done[0][1] < 0.45  # before the slow host answered (0.5 s)


def test_a_worker_keeps_to_its_host_and_reuses_its_connection(monkeypatch):
    # 4 hosts with 30 links each, 8 workers, up to 4 at once per host: the first 8 requests
    # open 8 connections (2 per host, the global slots taken round the hosts) and every later
    # link reuses one of them. Taking the next host
    # in turn instead meant a host whose connections were both still busy with answers not
    # yet handled, so a new connection: at 5,000 links, ~65 more than workers.
    from paperenrich.linkcheck.wire import WireClient

    opened: list[str] = []
    connect = WireClient._connect

    async def counted(self, url):
        opened.append(url.raw_host)
        return await connect(self, url)

    monkeypatch.setattr(WireClient, "_connect", counted)
    with WebHosts(4, latency=0.02, first_host=90) as slow:
        urls = [slow.url(h, f"ok/{i}") for i in range(30) for h in range(4)]
        results, _ = run(urls, Settings(**{**FAST, "max_concurrency": 8, "host_concurrency": 4}))
        assert all(r.status == "ok" for r in results.values()) and len(slow.requests()) == 120
        assert sorted(opened) == sorted(slow.hosts * 2)


def test_with_more_hosts_than_workers_every_host_is_asked_early():
    # 4 workers, 4 hosts with 20 links each and 4 hosts with one: a worker keeps to its host
    # only once every host has been asked, so the small hosts are in the first 8 requests (not
    # left for the end, where an interrupted run would leave them unchecked).
    with WebHosts(8, latency=0.01, first_host=100) as slow:
        urls = [slow.url(h, f"ok/{i}") for i in range(20) for h in range(4)] + [slow.url(h, "ok/one") for h in range(4, 8)]
        results, _ = run(urls, Settings(**{**FAST, "max_concurrency": 4, "host_concurrency": 4}))
        assert all(r.status == "ok" for r in results.values()) and len(results) == 84
        first = sorted(slow.requests(), key=lambda r: r.start)[:8]
        assert {r.host for r in first} == set(slow.hosts)
