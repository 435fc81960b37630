"""The emulators' rate rules, fault injection and request log, tested on their own."""

from __future__ import annotations

import json
import threading
import time
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.conftest import TEST_S2_KEY
from tests.emulator import ScholarWorld

KEY = {"x-api-key": TEST_S2_KEY}


def s2(world, path="/paper/ARXIV:1706.03762", client=None, headers=KEY, **params):
    return (client or httpx).get(world.s2_url + path, params=params or {"fields": "title"}, headers=headers)


# --- rate rules ------------------------------------------------------------------------------------

def test_arxiv_second_request_within_interval_gets_429_then_recovers():
    # Its own world with a 0.6 s interval: wide enough that a busy machine cannot slip past it.
    with ScholarWorld(time_scale=0.2) as world, httpx.Client() as client:
        first = client.get(world.arxiv_url, params={"id_list": "1706.03762"})
        second = client.get(world.arxiv_url, params={"id_list": "1706.03762"})
        time.sleep(world.arxiv_interval_scaled * 1.1)
        third = client.get(world.arxiv_url, params={"id_list": "1706.03762"})
    assert [first.status_code, second.status_code, third.status_code] == [200, 429, 200]
    assert second.text == "Rate exceeded."
    assert second.headers["content-type"].startswith("text/plain")


def test_arxiv_interval_is_measured_from_the_last_admitted_request():
    with ScholarWorld(time_scale=0.1) as world:  # a 0.3 s interval: wide enough to be unambiguous
        interval = world.arxiv_interval_scaled
        with httpx.Client() as client:
            statuses = []
            for _ in range(7):  # a request every 0.4 interval
                statuses.append(client.get(world.arxiv_url, params={"id_list": "1706.03762"}).status_code)
                time.sleep(interval * 0.4)
        admitted = [r.start for r in world.log.records(service="arxiv", status=200)]
    assert statuses.count(429) >= 3
    assert len(admitted) >= 2
    assert all(b - a >= interval * 0.95 for a, b in zip(admitted, admitted[1:]))


def test_s2_keyed_rate_is_one_request_per_scaled_interval():
    with ScholarWorld(time_scale=0.5, s2_api_key=TEST_S2_KEY) as world, httpx.Client() as client:
        first = s2(world, client=client)
        second = s2(world, client=client)
        time.sleep(1.1 / world.s2_rps_scaled)
        third = s2(world, client=client)
    assert [first.status_code, second.status_code, third.status_code] == [200, 429, 200]
    assert second.json()["code"] == "429"
    assert second.headers["x-amzn-errortype"] == "TooManyRequestsException"


def test_s2_keyless_pool_is_shared_and_refills_after_its_window():
    with ScholarWorld(time_scale=1.0, s2_api_key=TEST_S2_KEY, s2_pool=(3, 0.5)) as world:
        with httpx.Client() as client:
            statuses = [s2(world, client=client, headers={}).status_code for _ in range(5)]
            keyed = s2(world, client=client).status_code  # the key has its own allowance
            time.sleep(0.55)
            after = s2(world, client=client, headers={}).status_code
    assert statuses == [200, 200, 200, 429, 429]
    assert keyed == 200
    assert after == 200


def test_s2_wrong_key_is_403_even_when_within_rate(scholar_world):
    resp = s2(scholar_world, headers={"x-api-key": "nope"})
    assert resp.status_code == 403
    assert resp.json() == {"message": "Forbidden"}
    assert resp.headers["x-amzn-errortype"] == "ForbiddenException"


def test_reset_gives_fresh_rate_windows_and_empties_log_and_faults(scholar_world):
    s2(scholar_world)
    scholar_world.faults.status(500, service="s2")
    scholar_world.reset()
    assert len(scholar_world.log) == 0 and scholar_world.faults.active == []
    assert s2(scholar_world).status_code == 200


def test_concurrent_requests_are_served_concurrently_and_counted():
    # At the real pace (3 s between arXiv requests) exactly one of a burst is admitted.
    with ScholarWorld(time_scale=1.0) as world:
        world.faults.latency(0.3, service="arxiv")
        barrier = threading.Barrier(6)
        results = []

        def call():
            with httpx.Client() as client:
                barrier.wait()
                results.append(client.get(world.arxiv_url, params={"id_list": "1706.03762"}).status_code)

        threads = [threading.Thread(target=call) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert world.log.max_in_flight("arxiv") >= 4
        assert sorted(results) == [200] + [429] * 5


# --- faults --------------------------------------------------------------------------------------------

def test_status_fault_uses_the_service_error_shape_and_times_limit(scholar_world):
    scholar_world.faults.server_errors(times=2, code=503, service="s2")
    codes = []
    for _ in range(3):
        scholar_world.s2.reset()
        codes.append(s2(scholar_world))
    assert [r.status_code for r in codes] == [503, 503, 200]
    assert codes[0].json() == {"message": "Internal Server Error"}
    assert [r.fault for r in scholar_world.log.records(service="s2")] == ["status", "status", None]


def test_429_storm_on_arxiv_has_the_arxiv_body(scholar_world):
    scholar_world.faults.storm_429(2, service="arxiv")
    codes = []
    for _ in range(3):
        scholar_world.arxiv.reset()
        codes.append(httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"}))
    assert [r.status_code for r in codes] == [429, 429, 200]
    assert codes[0].text == "Rate exceeded."


def test_path_filter_limits_a_fault_to_one_endpoint(scholar_world):
    scholar_world.faults.status(500, service="s2", path="/paper/batch")
    assert s2(scholar_world).status_code == 200
    time.sleep(1.1 / scholar_world.s2_rps_scaled)
    resp = httpx.post(scholar_world.s2_url + "/paper/batch", json={"ids": ["ARXIV:1706.03762"]}, headers=KEY)
    assert resp.status_code == 500


def test_reset_fault_is_a_connection_error_and_logged_without_status(scholar_world):
    scholar_world.faults.reset(service="s2", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        s2(scholar_world)
    [record] = scholar_world.log.records(service="s2")
    assert record.status is None and record.fault == "reset"


def test_hang_fault_makes_the_client_time_out(scholar_world):
    scholar_world.faults.hang(1.0, service="arxiv", times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"}, timeout=0.2)


def test_latency_fault_delays_the_answer(scholar_world):
    scholar_world.faults.latency(0.25, service="s2")
    started = time.monotonic()
    assert s2(scholar_world).status_code == 200
    assert time.monotonic() - started >= 0.25


def test_slow_body_arrives_whole_but_late(scholar_world):
    scholar_world.faults.slow_body(0.05, chunks=5, service="arxiv", times=1)
    started = time.monotonic()
    resp = httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"})
    assert time.monotonic() - started >= 4 * 0.05
    ET.fromstring(resp.content)  # complete and well-formed


def test_truncated_body_is_an_incomplete_read(scholar_world):
    scholar_world.faults.truncate(service="s2", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        s2(scholar_world)


@pytest.mark.parametrize("service", ["arxiv", "s2"])
def test_malformed_body_does_not_parse(scholar_world, service):
    scholar_world.faults.malformed(service=service, times=1)
    if service == "arxiv":
        resp = httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"})
        with pytest.raises(ET.ParseError):
            ET.fromstring(resp.content)
    else:
        resp = s2(scholar_world)
        with pytest.raises(json.JSONDecodeError):
            json.loads(resp.content)
    assert resp.status_code == 200


def test_wrong_content_type_is_an_html_page(scholar_world):
    scholar_world.faults.wrong_content_type(service="s2", times=1)
    resp = s2(scholar_world)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert b"<html" in resp.content


def test_fault_rates_are_deterministic_for_a_seed(scholar_world):
    def run(seed):
        scholar_world.reset()
        scholar_world.faults.seed(seed)
        scholar_world.faults.status(500, service="s2", rate=0.5)
        out = []
        with httpx.Client() as client:
            for _ in range(16):
                scholar_world.s2.reset()
                out.append(s2(scholar_world, client=client).status_code)
        return out

    first, again, other = run(7), run(7), run(8)
    assert first == again
    assert 0 < first.count(500) < 16
    assert first != other


def test_log_records_the_request_but_never_the_key(scholar_world):
    s2(scholar_world, fields="title,year")
    assert scholar_world.log.wait_idle()
    [record] = scholar_world.log.records(service="s2")
    assert record.method == "GET" and record.path == "/graph/v1/paper/ARXIV:1706.03762"
    assert record.param("fields") == "title,year"
    assert record.has_key and record.status == 200 and record.end >= record.start
    assert TEST_S2_KEY not in repr(record)


def test_unknown_fault_kind_is_refused(scholar_world):
    with pytest.raises(ValueError, match="unknown fault kind"):
        scholar_world.faults.add("explode")


def test_log_readers_only_ever_see_complete_records(scholar_world):
    """Many concurrent requests, read the moment the answers are in: never a half-written record."""
    world = ScholarWorld(time_scale=0.0001, corpus=scholar_world.corpus).start()  # effectively no rate limit
    try:
        for _ in range(5):
            world.reset()
            world.faults.slow_body(0.005, chunks=2, service="arxiv", rate=0.5)
            barrier = threading.Barrier(8)

            def call():
                with httpx.Client() as client:
                    barrier.wait()
                    client.get(world.arxiv_url, params={"id_list": "1706.03762"})

            threads = [threading.Thread(target=call) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            records = world.log.records(service="arxiv")
            assert len(records) == 8
            assert all(r.status is not None and r.end is not None and r.end >= r.start for r in records)
            assert [r.start for r in records] == sorted(r.start for r in records)
    finally:
        world.stop()


def test_a_request_still_in_flight_at_clear_never_enters_the_new_log(scholar_world):
    scholar_world.faults.hang(0.4, service="arxiv", times=1)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"}, timeout=0.1)
    scholar_world.log.clear()  # the hang is still being served
    assert scholar_world.log.wait_idle(timeout=0.05)  # nothing of this log is in flight
    scholar_world.arxiv.reset()
    assert httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"}).status_code == 200
    [record] = scholar_world.log.records(service="arxiv")
    assert record.status == 200 and record.in_flight == 1
    time.sleep(0.5)  # the hang ends now
    assert [r.status for r in scholar_world.log.records(service="arxiv")] == [200]


def test_a_reset_request_is_in_the_log_when_the_client_sees_the_error(scholar_world):
    scholar_world.faults.reset(service="arxiv", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.get(scholar_world.arxiv_url, params={"id_list": "1706.03762"})
    [record] = scholar_world.log.records(service="arxiv")
    assert record.status is None and record.fault == "reset" and record.end is not None


@pytest.mark.parametrize("time_scale, expected", [(0.01, 0.03), (1.0, 3.0)])
def test_arxiv_503_retry_after_follows_the_time_scale(scholar_world, time_scale, expected):
    world = ScholarWorld(time_scale=time_scale, corpus=scholar_world.corpus).start()
    try:
        world.faults.server_errors(1, code=503, service="arxiv")
        resp = httpx.get(world.arxiv_url, params={"id_list": "1706.03762"})
    finally:
        world.stop()
    assert resp.status_code == 503
    assert float(resp.headers["retry-after"]) == pytest.approx(expected)
