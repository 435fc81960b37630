"""The shared HTTP layer: pacing, Retry-After parsing and what counts as transient."""

import asyncio
import email.utils
import time

import httpx
import pytest

from paperenrich.http import Pacer, is_transient, retry_after_seconds


def _response(headers: dict[str, str], status: int = 429) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", "http://example.org/"))


def test_retry_after_seconds_and_dates_capped():
    assert retry_after_seconds(_response({"Retry-After": "7"}), cap=60) == 7
    assert retry_after_seconds(_response({"Retry-After": "3600"}), cap=60) == 60
    assert retry_after_seconds(_response({}), cap=60) is None
    assert retry_after_seconds(_response({"Retry-After": "soon"}), cap=60) is None
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_seconds(_response({"Retry-After": future}), cap=60) <= 30
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after_seconds(_response({"Retry-After": past}), cap=60) == 0


@pytest.mark.parametrize("status, transient", [(429, True), (503, True), (500, True), (408, True), (404, False), (403, False), (400, False)])
def test_transient_statuses(status, transient):
    exc = httpx.HTTPStatusError("x", request=httpx.Request("GET", "http://e/"), response=_response({}, status))
    assert is_transient(exc) is transient


def test_transient_network_errors():
    assert is_transient(httpx.ReadTimeout("t"))
    assert is_transient(httpx.ConnectError("c"))
    assert not is_transient(ValueError("v"))


async def test_pacer_spaces_starts_and_limits_concurrency():
    pacer = Pacer(interval=0.05, concurrency=2)
    starts: list[float] = []
    running = 0
    peak = 0

    async def job():
        nonlocal running, peak
        async with pacer:
            starts.append(time.monotonic())
            running += 1
            peak = max(peak, running)
            await asyncio.sleep(0.02)
            running -= 1

    await asyncio.gather(*(job() for _ in range(6)))
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert peak <= 2
    assert min(gaps) >= 0.045  # timer slack only
    assert pacer.requests == 6


async def test_pacer_slow_down_pushes_next_start():
    pacer = Pacer(interval=0.0, concurrency=1)
    async with pacer:
        pass
    pacer.slow_down(0.1)
    t0 = time.monotonic()
    async with pacer:
        pass
    assert time.monotonic() - t0 >= 0.09
    assert pacer.waited >= 0.09
