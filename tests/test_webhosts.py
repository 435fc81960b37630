"""The web-hosts emulator itself: each behaviour answers as documented, and its log and
concurrency tracking are right (the link-checker tests rely on both)."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.emulator.webhosts import WebHosts


@pytest.fixture(scope="module")
def web():
    with WebHosts(3, latency=0.0) as hosts:
        yield hosts


@pytest.fixture()
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def test_hosts_are_distinct_addresses_on_one_port(web, client):
    assert web.hosts == ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    for i, host in enumerate(web.hosts):
        assert client.get(web.url(i, f"ok/host{i}")).status_code == 200
        assert [r.host for r in web.requests(path_prefix=f"/ok/host{i}")] == [host]


def test_redirects_chains_absolute_targets_and_loops(web, client):
    r = client.get(web.url(0, "redirect/308/2/x"))
    assert (r.status_code, r.headers["location"]) == (308, "/redirect/308/1/x")
    r = client.get(web.url(0, "redirect/308/1/x"))
    assert (r.status_code, r.headers["location"]) == (308, "/ok/x")
    r = client.get(web.url(0, "moved"), params={"to": "https://elsewhere.example/p", "code": "302"})
    assert (r.status_code, r.headers["location"]) == (302, "https://elsewhere.example/p")
    assert client.get(web.url(0, "loop/a/z")).headers["location"] == "/loop/b/z"
    assert client.get(web.url(0, "loop/b/z")).headers["location"] == "/loop/a/z"


def test_statuses_challenges_and_soft_404(web, client):
    assert client.get(web.url(1, "status/410/x")).status_code == 410
    r = client.get(web.url(1, "challenge/403/x"))
    assert r.status_code == 403 and r.headers["cf-mitigated"] == "challenge" and "Just a moment" in r.text
    r = client.get(web.url(1, "challenge/202/x"))
    assert r.status_code == 202 and r.headers["x-amzn-waf-action"] == "challenge"
    r = client.get(web.url(1, "soft404/x"))
    assert r.status_code == 200 and "Page Not Found" in r.text
    assert 'id="intro"' in client.get(web.url(1, "anchors/x")).text


def test_rate_limit_and_flaky_answers_count_per_path(web, client):
    codes = [client.get(web.url(2, "ratelimit/2/a"), params={"retry_after": "7"}) for _ in range(3)]
    assert [r.status_code for r in codes] == [429, 429, 200]
    assert codes[0].headers["retry-after"] == "7"
    assert "retry-after" not in client.get(web.url(2, "ratelimit/1/no-header")).headers
    assert [client.get(web.url(2, "flaky/1/b")).status_code for _ in range(2)] == [503, 200]


def test_head_refused_but_get_fine(web, client):
    assert client.head(web.url(0, "nohead/x")).status_code == 405
    assert client.get(web.url(0, "nohead/x")).status_code == 200


def test_slow_first_byte_is_a_real_read_timeout(web):
    with httpx.Client(timeout=httpx.Timeout(5, read=0.2)) as slow_client:
        with pytest.raises(httpx.ReadTimeout):
            slow_client.get(web.url(0, "slow-first-byte/1/x"))


def test_reset_endless_and_huge_bodies(web, client):
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        client.get(web.url(0, "reset/x"))
    with client.stream("GET", web.url(0, "endless/x")) as r:
        read = 0
        for chunk in r.iter_bytes():
            read += len(chunk)
            if read > 2_000_000:
                break
    assert read > 2_000_000
    with client.stream("GET", web.url(0, "huge/x")) as r:
        assert r.headers["content-length"] == str(1 << 30)


def test_log_and_in_flight_tracking(web):
    # 1 s per answer: five requests overlap even when a loaded machine starts the threads slowly.
    with WebHosts(1, latency=1.0, first_host=70) as slow:
        def fetch(i: int) -> None:
            httpx.get(slow.url(0, f"ok/{i}"), timeout=5)

        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert slow.max_in_flight(slow.hosts[0]) == 5  # served at once, not one after another
        log = slow.requests()
        assert sorted(r.path for r in log) == [f"/ok/{i}" for i in range(5)]
        assert all(r.status == 200 and r.method == "GET" and r.end - r.start >= 0.1 for r in log)
