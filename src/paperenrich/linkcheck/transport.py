"""The link checker's httpx transport, on aiohttp: the engine keeps httpx's client API, the
bytes go through aiohttp's connection pool and its C HTTP parser.

Why: with httpcore, a 5,000-URL run spent about 1 ms of CPU per request in the pool, anyio and
h11 (5.1 s of CPU for 5,000 HEADs on the bench, 2 cores); through aiohttp the same requests
take about 1.7 s of CPU, and the checker's wall time is set by the network again.

Why not the `httpx-aiohttp` package: its exception map turns refused connections, DNS failures
and resets into `httpx.ConnectTimeout`, and the checker must tell those apart (broken, error,
timeout). This module maps aiohttp's errors onto httpx's own classes instead, keeping the
original as the cause.

The address guard (see safety.py) sits in the connector: the resolver refuses names with any
non-public address, and every socket is made by a factory that refuses a non-public address
(IP literals skip the resolver), so DNS rebinding and redirects to private addresses are
covered at the connection that is really made.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import ssl
from typing import AsyncIterator

import aiohttp
import httpx
import yarl
from aiohttp.abc import AbstractResolver

from paperenrich.linkcheck.safety import ForbiddenAddress, is_forbidden_ip

_CHUNK = 64 * 1024
_MAX_HEADER_LINE = 64 * 1024  # aiohttp's default (8 KB) refuses pages with big cookies


class GuardedResolver(AbstractResolver):
    """aiohttp's default resolver, refusing names that resolve to any non-public address."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        results = await self._inner.resolve(host, port, family)
        refused = [r["host"] for r in results if is_forbidden_ip(r["host"])]
        if refused:
            raise ForbiddenAddress(f"{host} resolves to non-public address {refused[0]}")
        return results

    async def close(self) -> None:
        await self._inner.close()


def guarded_socket(addr_info: tuple) -> socket.socket:
    """Socket factory: the last word on the address a connection is really made to."""
    family, type_, proto, _, address = addr_info
    if is_forbidden_ip(str(address[0])):
        raise ForbiddenAddress(f"non-public address {address[0]} refused")
    return socket.socket(family=family, type=type_, proto=proto)


def _mapped(exc: BaseException, request: httpx.Request | None = None) -> httpx.TransportError:
    """aiohttp's error as the httpx class the engine classifies (broken / timeout / error)."""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return httpx.ConnectError(f"DNS lookup failed: {exc}", request=request)
    if isinstance(exc, (aiohttp.ClientConnectorError, aiohttp.ClientSSLError)):
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, (aiohttp.SocketTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        return httpx.UnsupportedProtocol(message, request=request)
    if isinstance(exc, (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError(message, request=request)
    return httpx.ReadError(message, request=request)  # disconnected, reset, other OS errors


_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request):
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk
        except _ERRORS as exc:
            raise _mapped(exc, self._request) from exc

    async def aclose(self) -> None:
        # A body read to its end gives the connection back to the pool; a cut one closes it.
        self._response.release()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session (made on first use, inside the running loop) under an httpx client.

    `per_host` and `total` cap the connections in use; idle ones close after `keepalive` s.
    """

    def __init__(self, *, per_host: int, total: int, guard: bool, keepalive: float = 5.0):
        self._per_host = max(1, per_host)
        self._total = max(0, total)
        self._guard = guard
        self._keepalive = keepalive
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple, aiohttp.ClientTimeout] = {}

    @functools.cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """Made on first use (loading the CA bundle takes tens of ms); wire.py's client shares it."""
        return httpx.create_ssl_context()

    def session(self) -> aiohttp.ClientSession:
        """The aiohttp session under this transport (opened on first use)."""
        if self._session is None:
            self._session = self._open()
        return self._session

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._total, limit_per_host=self._per_host, ssl=self.ssl_context, keepalive_timeout=self._keepalive,
            resolver=GuardedResolver() if self._guard else None,
            socket_factory=guarded_socket if self._guard else None,
        )
        # Cookies, redirects and decoding stay with httpx, as with its own transport.
        session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False,
                                        trust_env=False, max_line_size=_MAX_HEADER_LINE, max_field_size=_MAX_HEADER_LINE)
        # aiohttp re-sends an idempotent request once, silently, when a kept-alive connection
        # breaks; the engine's own retry policy decides instead (a reset page was asked 6 times
        # for 3 tries). A private attribute (no public switch as of 3.14): harmless if it goes.
        session._retry_connection = False
        return session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        given = request.extensions.get("timeout", {})
        key = (given.get("connect"), given.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self.session().request(
                request.method,
                yarl.URL(str(request.url), encoded=True),  # exactly as httpx encoded it, not re-quoted
                headers=request.headers.multi_items(),
                data=request.content or None,
                allow_redirects=False,
                timeout=self._timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            )
        except _ERRORS as exc:
            raise _mapped(exc, request) from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1", "replace")},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

