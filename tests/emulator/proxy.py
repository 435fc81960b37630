"""A forward HTTP proxy on loopback, as a user behind a corporate proxy has.

It serves the two proxy forms clients use: an absolute-URI request (`GET http://host/path`, for
http:// targets) and a `CONNECT host:443` tunnel (for https:// targets). Every target host must be
in `upstreams` (host name -> a loopback (address, port)); anything else gets 502, so a test can
use names that resolve nowhere and still see each request arrive. `seen` logs (method, target),
`authorizations` the Proxy-Authorization headers; with `require`, a request without that
Proxy-Authorization value gets 407.
"""

from __future__ import annotations

import select
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "ForwardProxy"

    def handle_error(self, request, client_address) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args) -> None:
        pass

    def _upstream(self, host: str) -> tuple[str, int] | None:
        owner = self.server.owner
        with owner.lock:
            owner.seen.append((self.command, self.path))
            if "Proxy-Authorization" in self.headers:
                owner.authorizations.append(self.headers["Proxy-Authorization"])
        if owner.require and self.headers.get("Proxy-Authorization") != owner.require:
            self.send_response(407, "Proxy Authentication Required")
            self.send_header("Proxy-Authenticate", 'Basic realm="proxy"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        target = owner.upstreams.get(host.lower())
        if target is None or not target[0].startswith("127."):
            self.send_error(502, "unknown upstream")
            return None
        return target

    def do_CONNECT(self) -> None:
        host = self.path.rsplit(":", 1)[0]
        target = self._upstream(host)
        if target is None:
            return
        upstream = socket.create_connection(target)
        self.send_response(200, "Connection established")
        self.end_headers()
        self._pipe(self.connection, upstream)
        self.close_connection = True

    def _forward(self) -> None:
        parts = urlsplit(self.path)
        target = self._upstream(parts.hostname or "") if parts.scheme == "http" else None
        if target is None:
            if parts.scheme != "http":
                self.send_error(400, "absolute http URI expected")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        headers = "".join(f"{k}: {v}\r\n" for k, v in self.headers.items()
                          if k.lower() not in ("proxy-connection", "connection", "keep-alive"))
        request = f"{self.command} {path} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode("latin-1") + body
        with socket.create_connection(target) as upstream:
            upstream.sendall(request)
            while chunk := upstream.recv(65536):
                self.wfile.write(chunk)
        self.close_connection = True

    do_GET = do_POST = do_HEAD = _forward

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 30)
                if not ready:
                    return
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    (b if src is a else a).sendall(data)
        except OSError:
            return
        finally:
            b.close()


class ForwardProxy:
    def __init__(self, upstreams: dict[str, tuple[str, int]], require: str | None = None):
        self.upstreams = {k.lower(): v for k, v in upstreams.items()}
        self.require = require  # a Proxy-Authorization value every request must carry (407 otherwise)
        self.seen: list[tuple[str, str]] = []
        self.authorizations: list[str] = []  # Proxy-Authorization values received
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "ForwardProxy":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
