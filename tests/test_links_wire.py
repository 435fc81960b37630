"""The checker's lean HTTP/1.1 client (linkcheck/wire.py) against a scripted server that answers
each path with bytes written here: kept-alive connections, HEAD without a body, informational
answers, bodies ended by the connection, truncation, the header cap, and the address guard."""

from __future__ import annotations

import asyncio
import ssl

import httpx
import pytest
import yarl

from paperenrich.linkcheck.engine import _classify_exception
from paperenrich.linkcheck.wire import MAX_HEADER_BYTES, WireClient, _request_bytes

ANSWERS = {
    "/ok": b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello",
    "/head": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",  # a HEAD answer: the length, no body
    "/early": b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    "/until-close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it",
    "/truncated": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    "/big-headers": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 10) + b"\r\nContent-Length: 0\r\n\r\n",
    "/not-http": b"SSH-2.0-OpenSSH_9.6\r\n",
}
CLOSES = {"/until-close", "/truncated", "/not-http"}


class Scripted:
    """A loopback server answering ANSWERS; counts connections and keeps the requests' heads."""

    def __init__(self):
        self.connections = 0
        self.heads: list[bytes] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                self.heads.append(head)
                path = head.split(b" ")[1].decode()
                writer.write(ANSWERS[path])
                await writer.drain()
                if path in CLOSES:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def run(script):
    """Run `script(client, base_url, server)` against a fresh server and client."""
    async def main():
        server = Scripted()
        listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        client = WireClient(guard=False, tls_context=ssl.create_default_context, connect_timeout=2.0)
        try:
            async with asyncio.timeout(10):
                return await script(client, f"http://127.0.0.1:{port}", server)
        finally:
            await client.aclose()
            listener.close()
    return asyncio.run(main())


async def fetch(client: WireClient, url: str, method: str = "GET") -> tuple[int, bytes]:
    response = await client.open(method, yarl.URL(url), {"User-Agent": "t"})
    try:
        return response.status, b"".join([chunk async for chunk in response.raw_chunks()])
    finally:
        response.release()


def test_connections_are_kept_alive_including_after_a_head_answer_with_a_length():
    async def script(client, base, server):
        got = [await fetch(client, base + "/ok") for _ in range(3)]
        got.append(await fetch(client, base + "/head", "HEAD"))  # no body follows, whatever the length says
        got.append(await fetch(client, base + "/chunked"))
        return got, server.connections

    got, connections = run(script)
    assert got == [(200, b"hello")] * 3 + [(200, b""), (200, b"abcde")]
    assert connections == 1


def test_a_released_answer_is_freed_at_once_not_left_for_the_cyclic_collector():
    # Nothing of an answer may outlive it in a reference cycle: the collector is paused during a
    # check, and at 5,000 links each leftover cycle was ~9 objects it had to find later.
    import gc
    import weakref

    async def script(client, base, server):
        refs = []
        for path, method in (("/ok", "GET"), ("/head", "HEAD"), ("/chunked", "GET"), ("/until-close", "GET")):
            response = await client.open(method, yarl.URL(base + path), {"User-Agent": "t"})
            [chunk async for chunk in response.raw_chunks()]
            response.release()
            refs.append(weakref.ref(response))
            del response
        return refs

    collecting = gc.isenabled()
    gc.disable()
    try:
        refs = run(script)
        assert [ref() for ref in refs] == [None, None, None, None]
    finally:
        if collecting:
            gc.enable()


def test_the_first_requests_to_a_host_share_one_lookup_and_an_address_needs_none(monkeypatch):
    lookups = []
    resolve = asyncio.BaseEventLoop.getaddrinfo

    async def counted(self, host, *args, **kwargs):
        lookups.append(host)
        return await resolve(self, host, *args, **kwargs)

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", counted)

    async def script(client, base, server):
        by_address = await asyncio.gather(*(fetch(client, base + "/ok") for _ in range(3)))
        by_name = await asyncio.gather(*(fetch(client, base.replace("127.0.0.1", "localhost") + "/ok") for _ in range(6)))
        return by_address, by_name

    by_address, by_name = run(script)
    assert by_address == [(200, b"hello")] * 3 and by_name == [(200, b"hello")] * 6
    assert lookups == ["localhost"]  # six connections opened at once, one lookup; none for 127.0.0.1


def test_an_informational_answer_is_skipped_and_a_body_may_end_with_the_connection():
    async def script(client, base, server):
        response = await client.open("GET", yarl.URL(base + "/early"), {})
        early = (response.status, "link" in response.headers, b"".join([c async for c in response.raw_chunks()]))
        response.release()
        return early, await fetch(client, base + "/until-close"), await fetch(client, base + "/ok"), server.connections

    early, until_close, after, connections = run(script)
    assert early == (200, False, b"ok")
    assert until_close == (200, b"all of it")
    assert after == (200, b"hello") and connections == 2  # the closed connection was not reused


@pytest.mark.parametrize("path, kind, words", [
    ("/truncated", httpx.ReadError, "closed by the server"),
    ("/big-headers", httpx.RemoteProtocolError, "headers over"),
    ("/not-http", httpx.RemoteProtocolError, "malformed HTTP answer"),
])
def test_broken_answers_raise_the_classes_the_engine_classifies(path, kind, words):
    async def script(client, base, server):
        with pytest.raises(httpx.TransportError) as caught:
            await fetch(client, base + path)
        return caught.value

    exc = run(script)
    assert isinstance(exc, kind) and words in str(exc)
    assert _classify_exception(exc)[0] == "error"


def test_the_guard_refuses_a_name_with_a_private_address_before_connecting():
    async def main():
        client = WireClient(guard=True, tls_context=ssl.create_default_context, connect_timeout=2.0)
        try:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.open("GET", yarl.URL("http://localhost:9/x"), {})
            return caught.value
        finally:
            await client.aclose()

    status, detail = _classify_exception(asyncio.run(main()))
    assert status == "skipped" and "non-public" in detail


def test_a_refused_connection_is_broken_and_request_heads_cannot_be_smuggled():
    async def script(client, base, server):
        with pytest.raises(httpx.ConnectError) as caught:
            await client.open("GET", yarl.URL("http://127.0.0.1:9/x"), {})  # discard port: nothing listens
        await fetch(client, base + "/ok")
        return caught.value, server.heads[0]

    refused, head = run(script)
    assert _classify_exception(refused) == ("broken", "connection refused")
    assert head.startswith(b"GET /ok HTTP/1.1\r\nHost: 127.0.0.1:") and b"\r\nUser-Agent: t\r\n" in head
    with pytest.raises(httpx.LocalProtocolError):
        _request_bytes("GET", yarl.URL("http://a.org/"), {"X": "1\r\nEvil: yes"})


def test_https_checks_the_certificate_for_the_name_asked():
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_tls)

    async def main():
        server = Scripted()
        listener = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=server_tls)
        port = listener.sockets[0].getsockname()[1]
        trusting = ssl.create_default_context()
        ca.configure_trust(trusting)
        clients = [WireClient(guard=False, tls_context=lambda context=context: context, connect_timeout=2.0)
                   for context in (trusting, ssl.create_default_context())]
        try:
            async with asyncio.timeout(10):
                ok = await fetch(clients[0], f"https://localhost:{port}/ok")
                with pytest.raises(httpx.ConnectError) as untrusted:  # the system's CAs do not know ours
                    await clients[1].open("GET", yarl.URL(f"https://localhost:{port}/ok"), {})
                with pytest.raises(httpx.ConnectError) as wrong_name:  # a certificate for another name
                    await clients[0].open("GET", yarl.URL(f"https://127.0.0.1:{port}/ok"), {})
                return ok, untrusted.value, wrong_name.value
        finally:
            for client in clients:
                await client.aclose()
            listener.close()

    ok, untrusted, wrong_name = asyncio.run(main())
    assert ok == (200, b"hello")
    for exc in (untrusted, wrong_name):
        status, detail = _classify_exception(exc)
        assert status == "broken" and detail.startswith("TLS error")


def test_connections_closed_along_the_way_are_not_kept():
    # The client remembers open connections (to close them at the end), not every one it made:
    # 20 answers on connections the server then closes leave nothing behind.
    import gc

    async def script(client, base, server):
        for _ in range(20):
            assert (await fetch(client, base + "/until-close"))[0] == 200
        await asyncio.sleep(0.05)  # (the server's closes arrive)
        gc.collect()
        return len(client._all)

    assert run(script) <= 1
