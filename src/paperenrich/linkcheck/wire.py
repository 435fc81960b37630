"""The checker's hot path: HTTP/1.1 GET and HEAD on asyncio, parsed by llhttp (httptools).

Why not aiohttp's session here: at 5,000 links over 50 hosts, aiohttp's request machinery
(request object, header merging, timers, connector bookkeeping) took about 0.17 ms of CPU per
request and our process shares 2 cores with the server: the checker was CPU-bound. A link
check needs one plain request on a kept-alive connection: its status line, its headers and at
most the first bytes of the body. That is this module (see docs/design-notes.md).

Every safety rule stays, at the connection that is really made: names are resolved here and a
name with any non-public address is refused (transport.GuardedResolver's rule), the socket
factory refuses a non-public address once more (IP literals included), headers are capped in
size, the body is read in bounded chunks (the caller caps it), nothing is re-sent on its own,
and errors become httpx's classes (as transport.py maps aiohttp's), so the engine tells DNS
failures, refusals, TLS errors, resets and timeouts apart exactly as before.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import functools
import os
import re
import socket
import ssl
import time
import urllib.request
import weakref
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import AsyncIterator, Callable, Mapping
from urllib.parse import unquote, urlsplit

import aiohappyeyeballs
import aiohttp
import httptools
import httpx
import yarl
from multidict import CIMultiDict

from paperenrich.linkcheck.safety import ForbiddenAddress, is_forbidden_ip, literal_ip
from paperenrich.linkcheck.transport import guarded_socket

MAX_HEADER_BYTES = 64 * 1024  # status line and headers together (big cookies, long CSPs)
_TOO_BIG = f"headers over {MAX_HEADER_BYTES} bytes"
_BUFFERED = 256 * 1024  # body bytes held before the socket stops being read
_DNS_TTL = 10.0  # s, as aiohttp's resolver cache
_HAPPY_EYEBALLS = 0.25  # s before the next address is tried in parallel (RFC 8305, as aiohttp)
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([0-9]{3})(?:[ \r])")


def authority(host: str, port: int) -> str:
    """host:port, an IPv6 address in brackets (RFC 9110), as CONNECT, Host and NO_PROXY write it."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class Proxy:
    """A forward HTTP proxy: http:// targets are asked through it in absolute form, https://
    targets through a CONNECT tunnel (TLS to the target itself, end to end)."""

    host: str
    port: int
    authorization: str | None = None  # "Basic ...", from credentials in the proxy URL; never logged

    @property
    def name(self) -> str:
        return authority(self.host, self.port)

    def __repr__(self) -> str:  # (no credentials in a traceback or a log)
        return f"Proxy({self.host}:{self.port}{', with credentials' if self.authorization else ''})"


class ProxyUnreachable(httpx.ConnectError):
    """The proxy itself could not be reached or would not open a tunnel (said as such: not the link's fault)."""


PROXY_TROUBLE = ("cannot reach the proxy", "the proxy answered")  # how a ProxyUnreachable reason begins


class ProxyError(ValueError):
    """A proxy setting the checker cannot use (the message names the variable, never its value)."""


class Proxies:
    """HTTP_PROXY / HTTPS_PROXY / ALL_PROXY / NO_PROXY as curl, httpx and lychee read them."""

    def __init__(self, environment: Mapping[str, str]):
        self._table = environment  # urllib's form: {"http": url, "https": url, "all": url, "no": "a,b"}
        self._by_scheme = {scheme: self._parse(scheme, environment.get(scheme) or environment.get("all"))
                           for scheme in ("http", "https")}

    @classmethod
    def from_environment(cls) -> "Proxies | None":
        table = urllib.request.getproxies_environment()
        return cls(table) if table.get("http") or table.get("https") or table.get("all") else None

    @staticmethod
    def _parse(scheme: str, value: str | None) -> Proxy | None:
        if not value:
            return None
        name = f"{scheme.upper()}_PROXY (or ALL_PROXY)"
        try:
            parts = urlsplit(value if "://" in value else "http://" + value)
        except ValueError:
            raise ProxyError(f"{name}: not a URL") from None
        if parts.scheme.lower() != "http":
            raise ProxyError(f"{name}: only http:// proxies are supported for link checks, not {parts.scheme[:20]}://")
        try:
            port = parts.port
        except ValueError:
            raise ProxyError(f"{name}: the proxy's port is not a number from 1 to 65535") from None
        if port == 0:
            raise ProxyError(f"{name}: the proxy's port is not a number from 1 to 65535")
        if not parts.hostname:
            raise ProxyError(f"{name}: no proxy host")
        port = port or 80
        authorization = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            authorization = "Basic " + base64.b64encode(pair).decode("ascii")
        return Proxy(parts.hostname, port, authorization)

    def for_target(self, scheme: str, host: str, port: int) -> Proxy | None:
        """The proxy for a target, None to connect directly (no proxy, or NO_PROXY names it)."""
        proxy = self._by_scheme.get(scheme)
        if proxy is None:
            return None
        if self._table.get("no"):
            if any(urllib.request.proxy_bypass_environment(form, self._table) for form in (host, authority(host, port))):
                return None  # (NO_PROXY may name the host, or the host and its port)
        return proxy


class _Connection(asyncio.Protocol):
    """One kept-alive connection, one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, proxy: Proxy | None = None):
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = 0.0
        self.proxy = proxy  # requests go to this proxy in absolute form (http:// targets)
        self._response: WireResponse | None = None

    # --- asyncio.Protocol ---
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        response = self._response
        if response is None or response.complete:  # nothing asked, or past the answer: out of turn
            self.close()
            return
        try:
            response.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            response.fail(httpx.RemoteProtocolError("the server switched protocols"))
        except httptools.HttpParserError as exc:
            too_big = response.header_size > MAX_HEADER_BYTES  # (raised by on_headers_complete)
            response.fail(httpx.RemoteProtocolError(_TOO_BIG if too_big else f"malformed HTTP answer ({exc})"))
        if not response.status:  # bounded as they arrive too: an endless header never completes
            response.head_bytes += len(data)
            if response.head_bytes > MAX_HEADER_BYTES:
                response.fail(httpx.RemoteProtocolError(_TOO_BIG))
        if response.failed:
            self.close()
        elif response.buffered > _BUFFERED and self.transport is not None:
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._response is not None:
            self._response.connection_lost(exc)

    # --- ours ---
    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def begin(self, response: "WireResponse", request: bytes) -> None:
        self._response = response
        assert self.transport is not None
        self.transport.write(request)

    def end(self) -> None:
        self._response = None

    def resume(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()


class _TunnelReply(asyncio.Protocol):
    """A proxy's answer to CONNECT: its status once the headers are in (the tunnel is then
    handed to TLS); bounded like any answer's headers."""

    def __init__(self, loop: asyncio.AbstractEventLoop, proxy_name: str):
        self.transport: asyncio.Transport | None = None
        self.status: asyncio.Future[int] = loop.create_future()
        self.proxy_name = proxy_name
        self._head = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.status.done():
            return
        self._head += data
        if b"\r\n\r\n" in self._head:
            line = _STATUS_LINE.match(self._head)  # (anything else, e.g. "SSH-2.0 200", is no answer)
            self.status.set_result(int(line[1]) if line else 0)
            if self.transport is not None:
                self.transport.pause_reading()  # nothing more until TLS takes the connection
        elif len(self._head) > MAX_HEADER_BYTES:
            self.status.set_exception(ProxyUnreachable(f"the proxy answered CONNECT with {_TOO_BIG}"))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.status.done():
            self.status.set_exception(ProxyUnreachable(f"cannot reach the proxy {self.proxy_name} (it closed the connection "
                                                       "before the tunnel was open)"))


class WireResponse:
    """One answer: status and headers once `started`; the body through `raw_chunks`; `release`
    gives the connection back (a body read to its end) or closes it (a body cut short)."""

    def __init__(self, connection: _Connection, method: str, url: yarl.URL):
        self.connection = connection
        self.url = url
        self.head = method == "HEAD"
        self.parser = httptools.HttpResponseParser(self)
        self.status = 0
        self.reason = ""
        self.headers: CIMultiDict[str] = CIMultiDict()
        self.head_bytes = 0  # received before the headers were complete
        self.header_size = 0  # of the headers themselves
        self.started = connection.loop.create_future()
        self._chunks: collections.deque[bytes] = collections.deque()
        self.buffered = 0
        self._wakeup: asyncio.Future | None = None
        self.complete = False
        self.keep_alive = False  # read when the answer ends (llhttp forgets it after)
        self.failed: BaseException | None = None

    # --- httptools callbacks ---
    def on_status(self, reason: bytes) -> None:  # the reason phrase ("OK")
        self.reason = reason.decode("latin-1")

    def on_header(self, name: bytes, value: bytes) -> None:  # one whole header (httptools joins the parts)
        self.header_size += len(name) + len(value) + 4
        self.headers.add(name.decode("latin-1"), value.decode("latin-1"))

    def on_headers_complete(self) -> None:
        if self.header_size > MAX_HEADER_BYTES:
            raise ValueError(_TOO_BIG)
        status = self.parser.get_status_code()
        if 100 <= status < 200:  # 100 Continue, 103 Early Hints: the answer is still to come
            self.headers = CIMultiDict()
            return
        self.status = status
        if not self.started.done():
            self.started.set_result(None)
        if self.head:  # no body follows, whatever Content-Length says
            self._finish()

    def on_body(self, body: bytes) -> None:
        if self.complete:
            return
        self._chunks.append(body)
        self.buffered += len(body)
        self._wake()

    def on_message_complete(self) -> None:
        if self.status:  # not the end of a 1xx
            self._finish()

    # --- state ---
    def _finish(self) -> None:
        if not self.complete:
            self.complete = True
            self.keep_alive = self.parser.should_keep_alive()
            self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def fail(self, exc: BaseException) -> None:
        if self.failed is None and not self.complete:
            self.failed = exc
            if not self.started.done():
                self.started.set_exception(exc)
                self.started.exception()  # retrieved here; raised again to whoever awaits it
            self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.complete:
            return
        if self.status and _no_length(self.headers):
            self._finish()  # a body delimited by the end of the connection (not kept alive: closed)
            return
        self.fail(httpx.ReadError(f"connection closed by the server ({exc})" if exc else "connection closed by the server"))

    # --- the caller's side ---
    async def raw_chunks(self) -> AsyncIterator[bytes]:
        """The body as sent (chunked framing removed, no decoding)."""
        while True:
            if self._chunks:
                chunk = self._chunks.popleft()
                self.buffered -= len(chunk)
                if self.buffered <= _BUFFERED // 2:
                    self.connection.resume()
                yield chunk
                continue
            if self.failed is not None:
                raise self.failed
            if self.complete:
                return
            self._wakeup = self.connection.loop.create_future()
            await self._wakeup
            self._wakeup = None

    @property
    def cookies(self) -> SimpleCookie:
        jar: SimpleCookie = SimpleCookie()
        for value in self.headers.getall("set-cookie", ()):
            try:
                jar.load(value)
            except CookieError:
                pass  # one malformed cookie does not spoil the others
        return jar

    def release(self) -> None:
        """Done with the answer: the connection goes back to the pool if it can carry another."""
        connection = self.connection
        connection.end()
        # The parser holds this answer's bound methods: dropped here, the answer is freed by its
        # reference count, not left as a cycle for the collector (~9 objects a request).
        self.parser = None
        if self.complete and self.failed is None and self.keep_alive and not connection.closed:
            connection.idle_since = time.monotonic()
            self.pool.append(connection)
        else:
            connection.close()

    pool: list[_Connection]  # set by the client: where the connection goes back


class ChainCookies:
    """Cookies set during one link's redirect chain, sent on that chain's later hops only.

    A consent or session cookie set before a redirect is often what the next hop looks for
    (without it some sites redirect in a loop), but nothing is carried from one link to the
    next, as a fresh browser would not. The jar (aiohttp's, with its domain and path rules) is
    made only when a response sets a cookie, so the common answer costs nothing here.
    """

    def __init__(self) -> None:
        self._jar: aiohttp.CookieJar | None = None

    def take(self, response: WireResponse) -> None:
        if "set-cookie" not in response.headers:
            return
        if self._jar is None:
            self._jar = aiohttp.CookieJar(unsafe=True)  # unsafe: IP-literal hosts keep their cookies too
        self._jar.update_cookies(response.cookies, response.url)

    def header(self, url: yarl.URL) -> str | None:
        """The Cookie header for a request to `url`, None when nothing applies."""
        if self._jar is None:
            return None
        cookies = self._jar.filter_cookies(url)
        return "; ".join(f"{m.key}={m.coded_value}" for m in cookies.values()) or None


def _refuse_through_a_proxy(host: str, port: int) -> None:
    """The address guard where the proxy resolves the name: what can be known here is refused,
    `localhost` names (RFC 6761: always the loopback) and any numeric form of a non-public address
    (127.0.0.1, but also 127.1, 2130706433, 0x7f.1 or 0, which the C library reads as addresses)."""
    name = host.lower().rstrip(".")
    refused = name == "localhost" or name.endswith(".localhost")
    if not refused:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
        except (socket.gaierror, UnicodeError, ValueError):
            infos = []  # a name: the proxy resolves it
        refused = any(is_forbidden_ip(str(info[4][0])) for info in infos)
    if refused:
        cause = ForbiddenAddress(f"{host} is this machine or a non-public address")
        raise httpx.ConnectError(str(cause)) from cause


def _no_length(headers: CIMultiDict[str]) -> bool:
    return "content-length" not in headers and "chunked" not in headers.get("transfer-encoding", "").lower()


class WireClient:
    """Kept-alive connections per (scheme, host, port); the engine's semaphores bound how many
    are in use (per host and overall), so the pool itself has no limits to enforce."""

    def __init__(self, *, guard: bool, tls_context: Callable[[], ssl.SSLContext], connect_timeout: float | None,
                 keepalive: float = 5.0, proxies: Proxies | None = None):
        self._guard = guard
        self._proxies = proxies
        self._tls_context = tls_context  # called at the first https connection
        self._connect_timeout = connect_timeout
        self._keepalive = keepalive
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._dns: dict[tuple[str, int], tuple[float, list]] = {}
        self._lookups: dict[tuple[str, int], asyncio.Future] = {}
        # Every connection still open, for aclose(); weak, so a connection closed along the way
        # (a cut body, an error) is not kept for the run (50,000 hosts: 50,000 dead connections).
        self._all: weakref.WeakSet[_Connection] = weakref.WeakSet()

    async def open(self, method: str, url: yarl.URL, headers: Mapping[str, str]) -> WireResponse:
        """Send the request; return once the status and headers are in. The caller bounds the
        time, reads the body (or not) and calls `release`."""
        if url.scheme not in ("http", "https") or not url.raw_host:
            raise httpx.UnsupportedProtocol(f"not an http(s) URL: {url}")
        key = (url.scheme, url.raw_host, url.port or 0)
        pool = self._idle.setdefault(key, [])
        connection = self._reuse(pool)
        if connection is None:
            connection = await self._connect(url)
        response = WireResponse(connection, method, url)
        response.pool = pool
        try:
            connection.begin(response, _request_bytes(method, url, headers, connection.proxy))
            await response.started
        except BaseException:
            connection.end()
            connection.close()  # cancelled (the deadline) or failed: this connection is done
            response.parser = None  # (the cycle release() breaks on the way that succeeds)
            raise
        if response.status == 407 and connection.proxy is not None:  # the proxy's answer, not the site's
            response.release()
            raise ProxyUnreachable(f"the proxy answered HTTP 407 to {method} {url.host_port_subcomponent} "
                                   "(proxy authentication required)")
        return response

    def _reuse(self, pool: list[_Connection]) -> _Connection | None:
        now = time.monotonic()
        while pool:
            connection = pool.pop()
            if not connection.closed and now - connection.idle_since < self._keepalive:
                return connection
            connection.close()
        return None

    async def _addresses(self, host: str, port: int) -> list:
        cached = self._dns.get((host, port))
        if cached is not None and time.monotonic() - cached[0] < _DNS_TTL:
            return cached[1]
        # The first requests to a host all arrive before its first lookup ends: they share it
        # (a host's 8 first connections were 8 lookups, each a trip to the resolver's thread).
        lookup = self._lookups.get((host, port))
        if lookup is None:
            lookup = self._lookups[(host, port)] = asyncio.ensure_future(self._lookup(host, port))
            lookup.add_done_callback(functools.partial(self._lookup_done, (host, port)))
        try:
            return await asyncio.shield(lookup)  # one request's deadline does not cancel the others' lookup
        except httpx.ConnectError as exc:  # each request raises its own error (one shared would gather tracebacks)
            raise httpx.ConnectError(str(exc)) from exc.__cause__

    def _lookup_done(self, key: tuple[str, int], lookup: asyncio.Future) -> None:
        self._lookups.pop(key, None)
        if not lookup.cancelled():
            lookup.exception()  # (retrieved: every request that waited for it has raised it already)

    async def _lookup(self, host: str, port: int) -> list:
        try:
            if literal_ip(host):  # an address needs no resolver (nor its thread)
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
            else:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpx.ConnectError(f"DNS lookup failed: {exc}") from exc
        if self._guard:
            refused = [info[4][0] for info in infos if is_forbidden_ip(str(info[4][0]))]
            if refused:
                cause = ForbiddenAddress(f"{host} resolves to non-public address {refused[0]}")
                raise httpx.ConnectError(str(cause)) from cause
        self._dns[(host, port)] = (time.monotonic(), infos)
        return infos

    async def _connect(self, url: yarl.URL) -> _Connection:
        loop = asyncio.get_running_loop()
        host, port = url.raw_host, url.port or (443 if url.scheme == "https" else 80)
        tls = self._tls_context() if url.scheme == "https" else None
        proxy = self._proxies.for_target(url.scheme, host.strip("[]"), port) if self._proxies is not None else None
        try:
            async with asyncio.timeout(self._connect_timeout):
                if proxy is not None:
                    if self._guard:
                        _refuse_through_a_proxy(host.strip("[]"), port)
                    connection = await self._through(proxy, host, port, tls)
                else:
                    infos = await self._addresses(host.strip("[]"), port)
                    sock = await aiohappyeyeballs.start_connection(
                        infos, happy_eyeballs_delay=_HAPPY_EYEBALLS, interleave=1,
                        socket_factory=guarded_socket if self._guard else None)
                    try:
                        _, connection = await loop.create_connection(
                            lambda: _Connection(loop), sock=sock, ssl=tls, server_hostname=host.strip("[]") if tls else None)
                    except BaseException:
                        sock.close()
                        raise
        except TimeoutError as exc:
            if proxy is not None:  # (the proxy, not the site, is what did not answer)
                raise ProxyUnreachable(f"cannot reach the proxy {proxy.name} (no tunnel to {host}:{port} within "
                                       f"{self._connect_timeout:g} s)") from exc
            raise httpx.ConnectTimeout(f"no connection to {host}:{port} within {self._connect_timeout:g} s") from exc
        except httpx.HTTPError:
            raise
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{type(exc).__name__}: {exc}") from exc
        self._all.add(connection)
        return connection

    async def _through(self, proxy: Proxy, host: str, port: int, tls: ssl.SSLContext | None) -> _Connection:
        """A connection to the target by way of the proxy. The proxy is the user's own setting,
        so the address guard does not apply to it; targets are named to the proxy, which
        resolves them (the guard still refuses non-public IP literals before any request)."""
        loop = asyncio.get_running_loop()
        try:
            if tls is None:  # http://: the proxy carries each request, written in absolute form
                _, connection = await loop.create_connection(lambda: _Connection(loop, proxy), proxy.host, proxy.port)
                return connection
            _, tunnel = await loop.create_connection(lambda: _TunnelReply(loop, proxy.name), proxy.host, proxy.port)
        except socket.gaierror as exc:
            raise ProxyUnreachable(f"cannot reach the proxy {proxy.name} (its name does not resolve: {exc.strerror})") from exc
        except OSError as exc:
            why = os.strerror(exc.errno).lower() if exc.errno else str(exc)  # (asyncio's own text names the address again)
            raise ProxyUnreachable(f"cannot reach the proxy {proxy.name} ({why})") from exc
        try:
            target = authority(host.strip("[]"), port)
            lines = [f"CONNECT {target} HTTP/1.1", f"Host: {target}"]
            if proxy.authorization:
                lines.append(f"Proxy-Authorization: {proxy.authorization}")
            tunnel.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            status = await tunnel.status
            if status == 0:
                raise ProxyUnreachable(f"the proxy answered CONNECT {target} without an HTTP status line")
            if status != 200:
                why = " (proxy authentication required)" if status == 407 else ""
                raise ProxyUnreachable(f"the proxy answered HTTP {status} to CONNECT {target}{why}")
            connection = _Connection(loop)
            secured = await loop.start_tls(tunnel.transport, connection, tls, server_hostname=host.strip("[]"))
        except BaseException:
            tunnel.transport.close()
            raise
        connection.connection_made(secured)
        return connection

    def close_idle(self, host: str) -> None:
        """Close the idle connections to `host` (the run has no more links there): closed while
        other hosts' answers are awaited, not all at the end."""
        for key in [key for key in self._idle if key[1] == host]:
            for connection in self._idle.pop(key):
                connection.close()
                self._all.discard(connection)

    async def aclose(self) -> None:
        for connection in list(self._all):
            connection.close()
        self._all.clear()
        self._idle.clear()


def _request_bytes(method: str, url: yarl.URL, headers: Mapping[str, str], proxy: Proxy | None = None) -> bytes:
    # To a proxy (http:// targets), the target in absolute form; inside a CONNECT tunnel and
    # without a proxy, the path alone.
    target = f"{url.scheme}://{url.host_port_subcomponent}{url.raw_path_qs}" if proxy is not None else url.raw_path_qs
    lines = [f"{method} {target} HTTP/1.1", f"Host: {url.host_port_subcomponent}"]
    if proxy is not None and proxy.authorization:
        lines.append(f"Proxy-Authorization: {proxy.authorization}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if any("\r" in line or "\n" in line for line in lines):  # no value may start a header of its own
        raise httpx.LocalProtocolError("a request header holds a line break")
    try:
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    except UnicodeEncodeError as exc:
        raise httpx.LocalProtocolError(f"a request header is not Latin-1 ({exc})") from None
