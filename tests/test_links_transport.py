"""The checker's aiohttp transport under httpx: the address guard at the connection itself,
aiohttp's failures mapped onto the httpx classes the engine classifies, bodies cut without
holding the connection, and URLs sent exactly as written."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from paperenrich.config import Settings
from paperenrich.linkcheck import check_urls
from paperenrich.linkcheck.engine import _classify_exception
from paperenrich.linkcheck.safety import ForbiddenAddress
from paperenrich.linkcheck.transport import AiohttpTransport
from paperenrich.model import Place
from tests.emulator.webhosts import WebHosts


@pytest.fixture(scope="module")
def web():
    with WebHosts(2, first_host=120) as hosts:
        yield hosts


async def _get(url: str, guard: bool, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=AiohttpTransport(per_host=4, total=16, guard=guard), timeout=2.0) as client:
        response = await client.get(url, **kwargs)
        await response.aread()
        return response


def _failure(url: str, guard: bool) -> BaseException:
    with pytest.raises(httpx.TransportError) as caught:
        asyncio.run(_get(url, guard))
    return caught.value


def _causes(exc: BaseException) -> list[type]:
    found = []
    while exc is not None:
        found.append(type(exc))
        exc = exc.__cause__ or exc.__context__
    return found


def test_guard_refuses_a_literal_private_address_at_the_socket(web):
    # The engine's precheck never lets this through; the transport must refuse it on its own too.
    url = web.url(0, "ok/literal")
    exc = _failure(url, guard=True)
    assert isinstance(exc, httpx.ConnectError) and ForbiddenAddress in _causes(exc)
    assert _classify_exception(exc)[0] == "skipped"
    assert web.requests(path_prefix="/ok/literal") == []
    assert asyncio.run(_get(url, guard=False)).status_code == 200  # allowed when asked for


def test_guard_refuses_a_name_that_resolves_to_loopback():
    with WebHosts(1, first_host=1) as local:
        exc = _failure(f"http://localhost:{local.port}/ok/name", guard=True)
        assert ForbiddenAddress in _causes(exc) and _classify_exception(exc)[0] == "skipped"
        assert local.requests() == []


def test_failures_map_to_the_classes_the_engine_tells_apart(web):
    refused = _failure("http://127.0.0.121:9/x", guard=False)  # nothing listens on port 9
    assert isinstance(refused, httpx.ConnectError) and not isinstance(refused, httpx.TimeoutException)
    assert _classify_exception(refused) == ("broken", "connection refused")
    reset = _failure(web.url(0, "reset/x"), guard=False)
    assert isinstance(reset, (httpx.ReadError, httpx.RemoteProtocolError))
    assert _classify_exception(reset)[0] == "error"
    slow = _failure(web.url(0, "slow-first-byte/3/x"), guard=False)  # client read timeout is 2 s
    assert isinstance(slow, httpx.TimeoutException) and _classify_exception(slow)[0] == "timeout"
    dns = _failure("http://no-such-host.invalid/x", guard=False)
    assert isinstance(dns, httpx.ConnectError) and _classify_exception(dns)[0] == "broken"
    assert "DNS" in _classify_exception(dns)[1]


def test_url_is_sent_as_written_and_headers_pass_through(web):
    # yarl would normalise %7E to ~ and re-quote; the server must see the URL httpx built.
    asyncio.run(_get(web.url(1, "ok/a%7Eb/c%2Fd?q=%41&x=1"), guard=False))
    assert [r.path for r in web.requests(web.hosts[1], "/ok/a")] == ["/ok/a%7Eb/c%2Fd?q=%41&x=1"]
    response = asyncio.run(_get(web.url(1, "echo-headers/h"), guard=False, headers={"X-Probe": "yes"}))
    seen = response.json()
    assert seen["x-probe"] == "yes" and seen["user-agent"].startswith("python-httpx")
    assert response.headers["content-type"] == "application/json" and response.http_version == "HTTP/1.1"


def test_a_cut_body_closes_its_connection_and_the_next_request_is_fine(web):
    # A 1 GB body read only in part: the connection must not go back to the pool mid-body.
    huge, after = web.url(1, "huge/cut"), web.url(1, "ok/after")

    async def run() -> tuple[int, int]:
        async with httpx.AsyncClient(transport=AiohttpTransport(per_host=1, total=1, guard=False)) as client:
            async with client.stream("GET", huge) as response:
                async for chunk in response.aiter_bytes():
                    break
            return response.status_code, (await client.get(after)).status_code

    assert asyncio.run(run()) == (200, 200)


def test_engine_uses_it_end_to_end_with_per_host_limits(web):
    urls = [web.url(0, f"ok/e2e/{i}") for i in range(40)]
    settings = Settings(allow_private=True, host_concurrency=3, host_interval=0.0, link_timeout=5.0)
    results = asyncio.run(check_urls({u: [Place("l.md", 1)] for u in urls}, settings))
    assert [r.status for r in results] == ["ok"] * 40
    assert web.max_in_flight(web.hosts[0]) <= 3
