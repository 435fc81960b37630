"""The retry policy both clients use (http.send_with_retries), on a scripted transport."""

import httpx
import pytest

from paperenrich.http import MalformedResponse, Pacer, ServiceUnreachable, send_with_retries


def scripted(*responses):
    """A transport answering each request with the next scripted item (a Response or an exception)."""
    queue = list(responses)
    seen = []

    def handler(request):
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.AsyncClient(transport=httpx.MockTransport(handler)), seen


def parse_json(response):
    response.raise_for_status()
    try:
        return response.json()
    except ValueError:
        raise MalformedResponse("bad json") from None


async def send(client, pacer=None, **kw):
    opts = dict(parse=parse_json, max_retries=4, base_delay=0.001, retry_after_cap=0.05)
    opts.update(kw)
    return await send_with_retries(client, pacer or Pacer(), "GET", "http://service.test/x", **opts)


async def test_retry_after_is_honoured_capped_and_slows_the_whole_lane():
    client, seen = scripted(httpx.Response(429, headers={"Retry-After": "30"}), httpx.Response(200, json={"ok": 1}))
    pacer = Pacer()
    async with client:
        assert await send(client, pacer) == {"ok": 1}
    assert len(seen) == 2
    assert pacer.waited >= 0.04  # waited the capped 0.05 s through the pacer, not 30 s


async def test_transient_failures_and_malformed_bodies_are_retried():
    client, seen = scripted(httpx.Response(503), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"),
                            httpx.Response(200, content=b"{not json"), httpx.Response(200, json=[1]))
    async with client:
        assert await send(client) == [1]
    assert len(seen) == 5


async def test_give_up_after_max_retries_and_never_retry_a_client_error():
    client, seen = scripted(*[httpx.Response(500)] * 3)
    async with client:
        with pytest.raises(httpx.HTTPStatusError):
            await send(client, max_retries=2)
    assert len(seen) == 3
    client, seen = scripted(httpx.Response(404), httpx.Response(200, json={}))
    async with client:
        with pytest.raises(httpx.HTTPStatusError):
            await send(client)
    assert len(seen) == 1


async def test_refused_connections_give_up_fast_with_service_unreachable():
    client, seen = scripted(*[httpx.ConnectError("refused")] * 5)
    async with client:
        with pytest.raises(ServiceUnreachable, match="service.test"):
            await send(client, connect_retries=1)
    assert len(seen) == 2


async def test_a_refused_batch_is_split_until_the_bad_id_is_alone():
    from paperenrich.config import Settings
    from paperenrich.sources import ServiceClient

    class Refused(Exception):
        pass

    asked: list[list[str]] = []

    async def fetch(ids):
        asked.append(list(ids))
        if "bad" in ids:  # the service refuses any batch holding the bad id (a 400)
            raise Refused
        return {i: {"id": i} for i in ids}

    async with httpx.AsyncClient() as client:
        service = ServiceClient(client, Settings(), Pacer(), base_delay=0.001)
        found = await service.fetch_isolating_refused(["a", "b", "bad", "d"], fetch, Refused)
    assert found == {"a": {"id": "a"}, "b": {"id": "b"}, "bad": None, "d": {"id": "d"}}
    # Halving: the whole batch, its good half, its refused half, then each id of that half.
    assert asked == [["a", "b", "bad", "d"], ["a", "b"], ["bad", "d"], ["bad"], ["d"]]
