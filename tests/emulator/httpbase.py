"""A real HTTP/1.1 server on loopback for one emulated service, with faults acted out on the socket.

The stdlib `ThreadingHTTPServer` is used on purpose: one thread per connection, and direct
access to the socket, so a reset is a real TCP RST, a slow body is really slow and a truncated
body really stops short. Each service supplies `admit` (auth and rate rules) and `handle`
(the API itself) and `error(status)` (its own error shape, used by injected faults).
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import traceback
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from tests.emulator.faults import Fault, Faults
from tests.emulator.requestlog import RequestLog


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


class Service(Protocol):
    name: str

    def admit(self, request: Request) -> Response | None: ...

    def handle(self, request: Request) -> Response: ...

    def error(self, status: int) -> Response: ...


class IntervalLimiter:
    """At most one admitted request per `interval` seconds (arXiv's rule, S2's keyed rule).

    `slack` forgives arrivals a little early (a fraction of the interval): a client that
    spaces its request *starts* exactly may still see them *arrive* a hair closer together.
    """

    def __init__(self, interval: float, slack: float = 0.05):
        self.interval = interval
        self.slack = slack
        self._last: float | None = None
        self._lock = threading.Lock()

    def admit(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._last is not None and now - self._last < self.interval * (1 - self.slack):
                return False
            self._last = now
            return True


class PoolLimiter:
    """At most `size` admitted requests in any sliding `window` seconds (S2's keyless pool)."""

    def __init__(self, size: int, window: float):
        self.size = size
        self.window = window
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        with self._lock:
            now = time.monotonic()
            while self._times and now - self._times[0] >= self.window:
                self._times.popleft()
            if len(self._times) >= self.size:
                return False
            self._times.append(now)
            return True


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, service: Service, log: RequestLog, faults: Faults, host: str = "127.0.0.1", port: int = 0):
        self.service = service
        self.log = log
        self.faults = faults
        super().__init__((host, port), _Handler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def handle_error(self, request, client_address) -> None:
        # Clients hanging up (and our own injected resets) are normal here; emulator bugs are not.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            traceback.print_exc(file=sys.stderr)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services
    server_version = "emulator"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is dropped after this

    server: EmulatorServer

    def log_message(self, format: str, *args) -> None:  # quiet: the RequestLog is the record
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            raw_query=parts.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        service = self.server.service
        record = self.server.log.begin(service.name, request.method, request.path, request.query, body,
                                       has_key="x-api-key" in request.headers)
        status: int | None = None
        fault: Fault | None = None
        try:
            latency, fault = self.server.faults.choose(service.name, request.path)
            if latency:
                time.sleep(latency)
            response = service.admit(request)
            if response is None:
                response = self._fault_response(service, fault, request) if fault else None
                if response is None:
                    response = service.handle(request)
            else:
                fault = None  # refused before the backend: the fault did not get to act
            status = self._send(response, fault)
        except Exception as exc:  # a bug in the emulator must show, not hang the client
            if isinstance(exc, (ConnectionError, socket.timeout)):
                status = None
            else:
                self._safe_send(Response(500, f"emulator error: {exc!r}".encode(), "text/plain"))
                status = 500
                raise
        finally:
            self.server.log.end(record, status, fault.kind if fault else None)

    # --- acting out faults ----------------------------------------------------------------------
    @staticmethod
    def _fault_response(service: Service, fault: Fault, request: Request) -> Response | None:
        if fault.kind == "empty":
            return service.empty(request)
        if fault.kind == "status":
            response = service.error(fault.status)
            if fault.body is not None:
                response = Response(fault.status, fault.body, response.content_type)
            response.headers.update(fault.headers)
            return response
        if fault.kind == "content_type":
            page = b"<!DOCTYPE html><html><head><title>Service Temporarily Unavailable</title></head><body><h1>Service Temporarily Unavailable</h1><p>Please try again later.</p></body></html>"
            return Response(200, page, "text/html; charset=utf-8")
        return None  # the other kinds alter how a normal response is sent

    def _send(self, response: Response, fault: Fault | None) -> int | None:
        kind = fault.kind if fault else None
        if kind == "reset":
            self._reset()
            return None
        if kind == "hang":
            time.sleep(fault.delay)
            self._reset()
            return None
        body = response.body
        if kind == "malformed":
            body = body[: max(1, len(body) // 2)] + b"\x00<<<garbled"
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if kind == "truncate":
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return response.status
        if kind == "truncate":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # A polite FIN, not a reset: the client reads the half body, then sees the end too early.
            try:
                self.connection.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            self.close_connection = True
            return None
        if kind == "slow_body":
            step = max(1, -(-len(body) // max(1, fault.chunks)))
            for offset in range(0, len(body), step):
                self.wfile.write(body[offset: offset + step])
                self.wfile.flush()
                if offset + step < len(body):
                    time.sleep(fault.delay)
            return response.status
        self.wfile.write(body)
        return response.status

    def _safe_send(self, response: Response) -> None:
        try:
            self._send(response, None)
        except OSError:
            pass

    def _reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0) rather than a polite FIN."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the socket is already gone (reset by us or by the client)


def start_server(server: EmulatorServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"emulator-{server.service.name}", daemon=True)
    thread.start()
    return thread
