"""Link-target web hosts on loopback: many distinct hosts, each path choosing a behaviour.

A real HTTP/1.1 server (asyncio streams, keep-alive), so timeouts, resets, slow and endless
bodies are real. Every host is a distinct loopback address (127.0.0.2, 127.0.0.3, ...) on one
shared port; the server tells hosts apart by the local address a connection arrived on.

Behaviours, chosen by the first path segment (anything after the listed segments is free, so
tests can make as many distinct URLs as they like):

    /ok/...                         200 HTML page
    /pdf/....pdf                    200 application/pdf
    /redirect/{code}/{hops}/...     a chain of `hops` redirects with `code`, then /ok/...
    /moved?to=URL&code=301          one redirect to an absolute URL (other hosts, other schemes);
                                    &cookie=NAME=VALUE sets that cookie with it
    /loop/{a|b}/...                 /loop/a -> /loop/b -> /loop/a ... (a redirect loop)
    /status/{code}/...              that status with a small HTML body (404, 410, 500, ...)
    /challenge/403/...              403 + `cf-mitigated: challenge` + "Just a moment..." page
    /challenge/202/...              202 + `x-amzn-waf-action: challenge` verification page
    /ratelimit/{n}/...[?retry_after=S]   the first n requests to this path get 429, then 200
    /flaky/{n}/...                  the first n requests to this path get 503, then 200
    /nohead/...                     HEAD -> 405, GET -> 200
    /slow-first-byte/{s}/...        waits s seconds before the status line, then 200
    /slow-body/{s}/...              200 with the body trickled over s seconds
    /tarpit/...                     200, then one byte a second, forever
    /reset/...                      the connection is reset (RST) without an answer
    /soft404/...                    200 page saying "Page not found"
    /anchors/...                    200 page with id="intro", id="results" and name="methods"
    /endless/...                    200 chunked body that never ends
    /huge/...                       200 with Content-Length of 1 GB, streamed zeros
    /echo-headers/...               200 JSON of the request headers

Hostile answers (issue 12: bounded size and time):

    /gzip-bomb/...                  200 HTML, Content-Encoding: gzip, ~100 KB on the wire inflating to 100 MiB
    /silent/...                     reads the request, never answers (the connection stays open)
    /trickle-headers/...            the status line, then one header byte a second, forever
    /title/{text}/...               200 page whose <title> is the (URL-decoded) text

Seconds in paths and `latency` are multiplied by `time_scale`. Every request is logged
(start, end, host, method, path, status) and the number in flight per host is tracked, so
tests can assert per-host concurrency and spacing.

Standalone: `python3 -m tests.emulator.webhosts --hosts 20 --latency 0.05` prints
`{"port": ..., "hosts": [...]}` and serves until its standard input closes (see `main`).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import socket
import struct
import sys
import threading
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from urllib.parse import parse_qs, unquote, urlsplit

PAGE = b"<!doctype html><html><head><title>A paper</title></head><body><h1>A paper</h1><p>Fine.</p></body></html>"
SOFT_404 = (
    b"<!doctype html><html><head><title>Page Not Found</title></head><body>"
    b"<h1>Oops! Page not found</h1><p>Sorry, the page you requested could not be found.</p></body></html>"
)
CHALLENGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<p>Checking your browser before accessing the site. Enable JavaScript and cookies to continue.</p></body></html>"
)
WAF_CHALLENGE = b"<!DOCTYPE html><html><head><title>Human Verification</title></head><body><div id='captcha'></div></body></html>"
ANCHORS = (
    b"<!doctype html><html><head><title>Anchors</title></head><body>"
    b"<h2 id=\"intro\">Intro</h2><a name=\"methods\"></a><h2 id='results'>Results</h2></body></html>"
)
REASONS = {200: "OK", 202: "Accepted", 301: "Moved Permanently", 302: "Found", 303: "See Other",
           307: "Temporary Redirect", 308: "Permanent Redirect", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
           502: "Bad Gateway", 503: "Service Unavailable"}


BOMB_INFLATED = 100 << 20  # bytes a gzip-bomb page inflates to


@functools.cache
def gzip_bomb() -> bytes:
    """An HTML page that is ~100 KB gzipped and BOMB_INFLATED bytes inflated (made once per process)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
    block = b" " * (1 << 20)
    parts = [packer.compress(b"<html><head><title>A paper</title></head><body>")]
    parts += [packer.compress(block) for _ in range(BOMB_INFLATED >> 20)]
    return b"".join(parts) + packer.flush()


@dataclass
class Request:
    start: float
    host: str
    method: str
    path: str  # path and query as requested
    status: int | None = None  # None: no answer (reset, or the client left first)
    end: float | None = None
    headers: dict[str, str] | None = None


class WebHosts:
    """The server; use as a context manager (it runs on its own thread and event loop)."""

    def __init__(self, hosts: int = 8, *, latency: float = 0.0, time_scale: float = 1.0, first_host: int = 2):
        self.hosts = [f"127.0.0.{first_host + i}" for i in range(hosts)]
        self.latency = latency
        self.time_scale = time_scale
        self.port = 0
        self.log: list[Request] = []
        self.gaps: list[float] = []  # per kept-alive connection: from an answer to the next request
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = defaultdict(int)
        self._max_in_flight: dict[str, int] = defaultdict(int)
        self._counts: dict[tuple[str, str], int] = defaultdict(int)
        self._total = 0
        self._max_total = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.base_events.Server] = []

    # --- public helpers for tests ---------------------------------------------------------------
    def url(self, host: int, path: str) -> str:
        """URL of `path` on host number `host` (0-based)."""
        return f"http://{self.hosts[host]}:{self.port}/{path.lstrip('/')}"

    def requests(self, host: str | None = None, path_prefix: str = "") -> list[Request]:
        with self._lock:
            return [r for r in self.log if (host is None or r.host == host) and r.path.startswith(path_prefix)]

    def max_in_flight(self, host: str) -> int:
        with self._lock:
            return self._max_in_flight.get(host, 0)

    def max_total_in_flight(self) -> int:
        """Most requests in flight at once over all hosts together."""
        with self._lock:
            return self._max_total

    def min_start_gap(self, host: str) -> float | None:
        """Smallest time between two consecutive request starts to `host` (None if < 2 requests)."""
        starts = sorted(r.start for r in self.requests(host))
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        return min(gaps) if gaps else None

    def min_window_span(self, host: str, k: int) -> float | None:
        """Shortest time covered by any k consecutive request starts to `host` (a rate check
        that tolerates the jitter of single gaps)."""
        starts = sorted(r.start for r in self.requests(host))
        spans = [starts[i + k - 1] - starts[i] for i in range(len(starts) - k + 1)]
        return min(spans) if spans else None

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()
            self.gaps.clear()
            self._max_in_flight.clear()
            self._counts.clear()
            self._max_total = 0

    # --- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> "WebHosts":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="webhosts", daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._bind(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close() -> None:
            for server in self._servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop = None

    async def _bind(self) -> None:
        for attempt in range(20):
            servers = []
            try:
                first = await asyncio.start_server(self._serve, self.hosts[0], 0, backlog=1024)
                servers.append(first)
                port = first.sockets[0].getsockname()[1]
                for host in self.hosts[1:]:
                    servers.append(await asyncio.start_server(self._serve, host, port, backlog=1024))
            except OSError:  # the port was taken on another address: try another one
                for server in servers:
                    server.close()
                continue
            self._servers, self.port = servers, port
            return
        raise RuntimeError("could not bind the web hosts on one shared port")

    # --- serving --------------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        previous: Request | None = None  # this connection's last request
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                try:
                    method, target, _version = lines[0].split(" ", 2)
                except ValueError:
                    return
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                if previous is not None and previous.end is not None:  # the client's turn: answer sent -> next request read
                    self.gaps.append(time.monotonic() - previous.end)
                mine: list[Request] = []
                if not await self._handle(host, method, target, headers, writer, mine):
                    return
                previous = mine[0] if mine else None
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            if not writer.transport.is_closing():
                writer.close()

    async def _handle(self, host: str, method: str, target: str, headers: dict[str, str],
                      writer: asyncio.StreamWriter, mine: list | None = None) -> bool:
        """Answer one request; False when the connection must end. `mine` receives its record."""
        record = Request(time.monotonic(), host, method, target, headers=headers)
        if mine is not None:
            mine.append(record)
        with self._lock:
            self.log.append(record)
            self._in_flight[host] += 1
            self._max_in_flight[host] = max(self._max_in_flight[host], self._in_flight[host])
            self._total += 1
            self._max_total = max(self._max_total, self._total)
            self._counts[(host, urlsplit(target).path)] += 1
            seen = self._counts[(host, urlsplit(target).path)]
        try:
            if self.latency:
                await asyncio.sleep(self.latency * self.time_scale)
            return await self._behave(record, method, target, seen, writer)
        finally:
            if record.end is None:  # no answer sent (reset, silent, cut short)
                record.end = time.monotonic()
            with self._lock:
                self._in_flight[host] -= 1
                self._total -= 1

    async def _send(self, record: Request, writer: asyncio.StreamWriter, status: int, body: bytes = b"",
                    content_type: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None) -> bool:
        record.status = status
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}", f"Content-Type: {content_type}",
                f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        payload = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        if record.method != "HEAD":
            payload += body
        # The end is noted before the answer leaves: a client that has its answer always finds
        # the request complete in the log (set after the write, a test could read it first).
        record.end = time.monotonic()
        writer.write(payload)
        await writer.drain()
        return True

    async def _behave(self, record: Request, method: str, target: str, seen: int, writer: asyncio.StreamWriter) -> bool:
        split = urlsplit(target)
        parts = [p for p in split.path.split("/") if p]
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        kind = parts[0] if parts else "ok"
        rest = "/".join(parts[1:])
        scale = self.time_scale

        if kind == "ok":
            return await self._send(record, writer, 200, PAGE)
        if kind == "pdf":
            return await self._send(record, writer, 200, b"%PDF-1.4\n%fake\n", "application/pdf")
        if kind == "redirect":
            code, hops = int(parts[1]), int(parts[2])
            tail = "/".join(parts[3:])
            location = f"/redirect/{code}/{hops - 1}/{tail}" if hops > 1 else f"/ok/{tail}"
            return await self._send(record, writer, code, b"", headers={"Location": location})
        if kind == "moved":
            moved = {"Location": query["to"]}
            if "cookie" in query:
                moved["Set-Cookie"] = f"{query['cookie']}; Path=/"
            return await self._send(record, writer, int(query.get("code", 301)), b"", headers=moved)
        if kind == "loop":
            other = "b" if (parts[1:2] or ["a"])[0] == "a" else "a"
            return await self._send(record, writer, 302, b"", headers={"Location": f"/loop/{other}/{'/'.join(parts[2:])}"})
        if kind == "status":
            code = int(parts[1])
            return await self._send(record, writer, code, f"<html><body>{code}</body></html>".encode())
        if kind == "challenge":
            if parts[1:2] == ["202"]:
                return await self._send(record, writer, 202, WAF_CHALLENGE, headers={"x-amzn-waf-action": "challenge"})
            return await self._send(record, writer, 403, CHALLENGE,
                                    headers={"cf-mitigated": "challenge", "Server": "cloudflare"})
        if kind == "ratelimit":
            if seen <= int(parts[1]):
                extra = {"Retry-After": query["retry_after"]} if "retry_after" in query else {}
                return await self._send(record, writer, 429, b"<html><body>Too Many Requests</body></html>", headers=extra)
            return await self._send(record, writer, 200, PAGE)
        if kind == "flaky":
            if seen <= int(parts[1]):
                return await self._send(record, writer, 503, b"<html><body>Service Unavailable</body></html>")
            return await self._send(record, writer, 200, PAGE)
        if kind == "nohead":
            if method == "HEAD":
                return await self._send(record, writer, 405, b"", headers={"Allow": "GET"})
            return await self._send(record, writer, 200, PAGE)
        if kind == "slow-first-byte":
            await asyncio.sleep(float(parts[1]) * scale)
            return await self._send(record, writer, 200, PAGE)
        if kind == "slow-body":
            return await self._trickle(record, writer, PAGE, float(parts[1]) * scale / len(PAGE))
        if kind == "tarpit":
            return await self._trickle(record, writer, b"x" * 100_000, 1.0 * scale)
        if kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()  # with SO_LINGER 0 the kernel sends RST
            return False
        if kind == "soft404":
            return await self._send(record, writer, 200, SOFT_404)
        if kind == "anchors":
            return await self._send(record, writer, 200, ANCHORS)
        if kind == "endless":
            return await self._endless(record, writer)
        if kind == "huge":
            return await self._huge(record, writer)
        if kind == "gzip-bomb":
            return await self._send(record, writer, 200, gzip_bomb(), headers={"Content-Encoding": "gzip"})
        if kind == "silent":
            record.status = None
            await asyncio.sleep(3600)  # until the client gives up (or the server stops)
            return False
        if kind == "trickle-headers":
            record.status = 200
            writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while True:
                await writer.drain()
                await asyncio.sleep(1.0 * scale)
                writer.write(b"x")
        if kind == "title":
            title = escape(unquote(parts[1] if len(parts) > 1 else "")).encode()
            return await self._send(record, writer, 200, b"<!doctype html><html><head><title>" + title +
                                    b"</title></head><body><p>Content.</p></body></html>")
        if kind == "echo-headers":
            return await self._send(record, writer, 200, json.dumps(record.headers).encode(), "application/json")
        return await self._send(record, writer, 404, b"<html><body>no such behaviour</body></html>")

    async def _trickle(self, record: Request, writer: asyncio.StreamWriter, body: bytes, pause: float) -> bool:
        record.status = 200
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        await writer.drain()
        if record.method == "HEAD":
            return True
        for i in range(len(body)):
            writer.write(body[i:i + 1])
            await writer.drain()
            await asyncio.sleep(pause)
        return True

    async def _endless(self, record: Request, writer: asyncio.StreamWriter) -> bool:
        record.status = 200
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n")
        await writer.drain()
        if record.method == "HEAD":
            return True
        chunk = b"<p>" + b"more " * 1000 + b"</p>"
        frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        while True:  # until the client goes away (drain raises) or the server stops
            writer.write(frame)
            await writer.drain()

    async def _huge(self, record: Request, writer: asyncio.StreamWriter) -> bool:
        size = 1 << 30
        record.status = 200
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {size}\r\n\r\n".encode())
        await writer.drain()
        if record.method == "HEAD":
            return True
        block = b"\0" * 65536
        for _ in range(size // len(block)):
            writer.write(block)
            await writer.drain()
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve emulated link-target hosts on loopback.")
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--first-host", type=int, default=2, help="last byte of the first 127.0.0.x address")
    args = parser.parse_args()
    with WebHosts(args.hosts, latency=args.latency, first_host=args.first_host) as web:
        # First line: the port; then one base URL per host. Reads commands on standard input:
        # "stats" prints per-host request counts and peak concurrency as JSON; "timeline" the
        # first request's arrival, the last answer and the summed request time; "reset" clears
        # the log; end of input (or Ctrl-C) stops the server.
        print(json.dumps({"port": web.port, "hosts": web.hosts}), flush=True)
        try:
            for line in sys.stdin:
                command = line.strip()
                if command == "stats":
                    stats = {host: {"requests": len(web.requests(host)), "max_in_flight": web.max_in_flight(host)}
                             for host in web.hosts}
                    print(json.dumps({"hosts": stats, "max_total_in_flight": web.max_total_in_flight(),
                                      "unanswered": sum(1 for r in web.requests() if r.status is None)}), flush=True)
                elif command.startswith("timeline"):  # "timeline spans": every request's too  # when requests came and were answered (CLOCK_MONOTONIC)
                    log = web.requests()
                    ends = [r.end for r in log if r.end is not None]
                    print(json.dumps({"count": len(log), "first_start": min((r.start for r in log), default=None),
                                      "last_end": max(ends, default=None),
                                      "busy": sum(r.end - r.start for r in log if r.end is not None),
                                      "spans": [(r.start, r.end) for r in log] if "spans" in command else None,
                                      "gaps": sorted(web.gaps)}),
                          flush=True)
                elif command == "reset":
                    web.reset_log()
                    print("{}", flush=True)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
