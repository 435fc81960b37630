"""The DOI handle API and OpenReview's notes API on loopback, for check's paper-aware verdicts.

    with PaperIdServices(dois={"10.1145/3600006.3613165": "https://dl.acm.org/doi/..."},
                         openreview={"Pgtn4l6eKjv"}) as ids:
        settings = Settings(doi_api_url=ids.doi_api_url, openreview_api_url=ids.openreview_api_url, ...)
        ids.log.count(service="doi")

Answers in the real shapes:
- DOI: `GET /api/handles/<doi>` -> 200 `{"responseCode": 1, "handle": doi, "values": [{"index": 1,
  "type": "URL", "data": {"format": "string", "value": url}, "ttl": 86400, "timestamp": ...}, ...]}`
  for a registered DOI; 404 `{"responseCode": 100, "handle": doi}` for an unknown one; DOIs in
  `empty` answer 200 `{"responseCode": 200, "handle": doi, "values": []}` ("values not found").
- OpenReview: `GET /notes?ids=a,b` -> 200 `{"notes": [{"id", "forum", "content": {"title": {"value"}},
  ...}], "count": n}`; unknown ids are left out; an id that is not an id at all (characters outside
  [A-Za-z0-9_-]) gets the API's 400 error object.
Every request is logged (RequestLog); faults can be injected as for arXiv and S2.
"""

from __future__ import annotations

import json
import re
import threading
from urllib.parse import unquote

from tests.emulator.faults import Faults
from tests.emulator.httpbase import EmulatorServer, Request, Response, start_server
from tests.emulator.requestlog import RequestLog

JSON = "application/json; charset=utf-8"
_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_\-]+$")


def _json(status: int, doc: object) -> Response:
    return Response(status, json.dumps(doc).encode(), JSON)


class DoiHandleService:
    name = "doi"
    PREFIX = "/api/handles/"

    def __init__(self, dois: dict[str, str], empty: set[str] = frozenset()):
        self.dois = {d.lower(): url for d, url in dois.items()}
        self.empty = {d.lower() for d in empty}

    def admit(self, request: Request) -> Response | None:
        return None

    def error(self, status: int) -> Response:
        if status >= 500:
            return _json(status, {"responseCode": 2, "message": "Server error"})
        return _json(status, {"responseCode": 2})

    def handle(self, request: Request) -> Response:
        if not request.path.startswith(self.PREFIX):
            return _json(404, {"responseCode": 2, "message": "no such path"})
        doi = unquote(request.path[len(self.PREFIX):])
        key = doi.lower()  # DOIs are case-insensitive
        if key in self.empty:
            return _json(200, {"responseCode": 200, "handle": doi, "values": []})
        url = self.dois.get(key)
        if url is None:
            return _json(404, {"responseCode": 100, "handle": doi})
        return _json(200, {"responseCode": 1, "handle": doi, "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": url}, "ttl": 86400,
             "timestamp": "2023-10-23T12:00:00Z"},
            {"index": 100, "type": "HS_ADMIN", "data": {"format": "admin", "value": {
                "handle": f"0.na/{doi.split('/', 1)[0]}", "index": 200, "permissions": "111111110010"}},
             "ttl": 86400, "timestamp": "2023-10-23T12:00:00Z"},
        ]})


class OpenReviewService:
    name = "openreview"

    def __init__(self, notes: set[str] | dict[str, str]):
        self.notes = dict.fromkeys(notes, "A paper") if not isinstance(notes, dict) else dict(notes)

    def admit(self, request: Request) -> Response | None:
        return None

    def error(self, status: int) -> Response:
        return _json(status, {"name": "Error", "message": f"HTTP {status}", "status": status})

    def handle(self, request: Request) -> Response:
        if request.path.rstrip("/") != "/notes":
            return _json(404, {"name": "NotFoundError", "message": "Not Found", "status": 404})
        ids = [i for i in (request.param("ids", "") or "").split(",") if i]
        for note_id in ids:
            if not _OPENREVIEW_ID.match(note_id):
                return _json(400, {"name": "ValidationError", "message": f"ids contains an invalid id: {note_id}",
                                   "status": 400})
        notes = [{"id": i, "forum": i, "invitation": "ICLR.cc/2023/Conference/-/Submission", "cdate": 1663000000000,
                  "content": {"title": {"value": self.notes[i]}}} for i in ids if i in self.notes]
        return _json(200, {"notes": notes, "count": len(notes)})


class PaperIdServices:
    """Both services, each on its own loopback port, sharing one request log."""

    def __init__(self, dois: dict[str, str], openreview: set[str] | dict[str, str], empty_dois: set[str] = frozenset(),
                 host: str = "127.0.0.1"):
        self.doi = DoiHandleService(dois, empty_dois)
        self.openreview = OpenReviewService(openreview)
        self.log = RequestLog()
        self.faults = Faults(0)
        self._host = host
        self._servers: list[EmulatorServer] = []
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> "PaperIdServices":
        for service in (self.doi, self.openreview):
            server = EmulatorServer(service, self.log, self.faults, self._host, 0)
            self._servers.append(server)
            self._threads.append(start_server(server))
        return self

    def __exit__(self, *exc_info: object) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def doi_api_url(self) -> str:
        return self._servers[0].base_url + "/api/handles"

    @property
    def openreview_api_url(self) -> str:
        return self._servers[1].base_url
