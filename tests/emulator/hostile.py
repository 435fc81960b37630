"""A hostile server on loopback: a broken or malicious arXiv, S2 or web host, answer by answer.

Each route (a path prefix) gets a script that writes to the raw socket, so the answers can be what
no well-behaved server sends: a gzip bomb, a 2 GiB body, a byte a second, silence, a Retry-After
of days, records with fields of the wrong type. Scripts:

    answer(body, ...)       a complete answer (any status, type, headers)
    gzip_bomb(decoded)      `Content-Encoding: gzip`, about decoded/1000 bytes that inflate to `decoded`
    endless(total)          a `Content-Length: total` body of zeros, written until the client hangs up
    trickle(body, every)    headers at once, then the body one byte every `every` seconds
    silent(seconds)         reads the request, then sends nothing (until the client hangs up)

    with HostileServer() as server:
        server.route("/graph/v1/paper/batch", gzip_bomb(1 << 30))
        settings = Settings(s2_url=server.url("/graph/v1"), ...)

`hits` counts requests per route. With `tls` (an ssl.SSLContext holding a certificate, e.g. from
trustme) it serves https. Every socket is loopback; nothing here reaches a network.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
import zlib
from collections import Counter
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

Script = Callable[["_Handler"], None]
_ZEROS = bytes(1 << 20)


def answer(body: bytes | str, content_type: str = "application/json", status: int = 200,
           headers: dict[str, str] | None = None) -> Script:
    data = body.encode() if isinstance(body, str) else body

    def script(h: "_Handler") -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(data)

    return script


@lru_cache(maxsize=4)
def gzip_bomb_bytes(decoded: int) -> bytes:
    """A valid gzip member of `decoded` zero bytes (a multiple of 1 MiB), built without compressing
    them all: after a full flush every 1 MiB block of zeros compresses to the same segment."""
    blocks = max(1, decoded >> 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    segment = deflate.compress(_ZEROS) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(blocks):
        crc = zlib.crc32(_ZEROS, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + segment * blocks + deflate.flush() + struct.pack("<II", crc, (blocks << 20) & 0xFFFFFFFF)


def gzip_bomb(decoded: int, content_type: str = "application/json") -> Script:
    body = gzip_bomb_bytes(decoded)

    def script(h: "_Handler") -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return script


def endless(total: int, content_type: str = "application/json", declare: bool = True) -> Script:
    """`total` bytes of zeros (declared in Content-Length unless `declare` is False: then the
    body is chunked, so only counting what arrives can stop it)."""

    def script(h: "_Handler") -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        if declare:
            h.send_header("Content-Length", str(total))
        else:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        sent = 0
        while sent < total:
            piece = _ZEROS[: min(len(_ZEROS), total - sent)]
            h.wfile.write(piece if declare else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        if not declare:
            h.wfile.write(b"0\r\n\r\n")

    return script


def trickle(body: bytes, every: float = 1.0, content_type: str = "application/json") -> Script:
    def script(h: "_Handler") -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.flush()
        for i in range(len(body)):
            h.wfile.write(body[i: i + 1])
            h.wfile.flush()
            time.sleep(every)

    return script


def silent(seconds: float = 3600.0) -> Script:
    def script(h: "_Handler") -> None:
        h.connection.settimeout(seconds)
        try:
            h.connection.recv(1)  # returns when the client hangs up (or after `seconds`)
        except OSError:
            pass
        h.close_connection = True

    return script


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "HostileServer"

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up on a bomb or a trickle is the point


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        prefix = max((p for p in owner.routes if path.startswith(p)), key=len, default=None)
        with owner.lock:
            owner.hits[prefix or path] += 1
            owner.requests.append((self.command, self.path, dict(self.headers)))
        script = owner.routes.get(prefix) if prefix is not None else None
        try:
            (script or answer(b"not found", "text/plain", 404))(self)
            self.wfile.flush()
        except (ConnectionError, socket.timeout, OSError):
            self.close_connection = True


class HostileServer:
    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
        self.routes: dict[str, Script] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._thread: threading.Thread | None = None

    def route(self, prefix: str, script: Script) -> None:
        self.routes[prefix] = script

    def url(self, path: str = "") -> str:
        host, port = self.address
        return f"{self.scheme}://{host}:{port}{path}"

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return host, port

    def __enter__(self) -> "HostileServer":
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="hostile", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
