"""The DOI handle API (`<doi_api_url>/<doi>`, https://doi.org/api/handles/ by default): is a DOI registered?

Its answer, in the real shape: `{"responseCode": 1, "handle": "10.1145/...", "values": [{"index": 1,
"type": "URL", "data": {"format": "string", "value": "https://..."}}, ...]}` with HTTP 200 for a
registered DOI; `{"responseCode": 100, "handle": ...}` with HTTP 404 for an unknown one; 200 "values
not found" (the handle has none); 2 a server error (retried like a 5xx). One DOI a request: the
API has no batch form.
"""

from __future__ import annotations

from enum import Enum
from urllib.parse import quote

import httpx

from paperenrich.config import Settings
from paperenrich.http import MalformedResponse, Pacer
from paperenrich.sources import ServiceClient

MAX_ANSWER_BYTES = 1 << 20  # a handle record is a few KB; anything bigger is not an answer


class Registration(Enum):
    REGISTERED = 1
    NOT_FOUND = 100
    NO_VALUES = 200


def parse_handle_answer(response: httpx.Response) -> Registration:
    """The registration state of one answer; MalformedResponse (retried) for a server error or a
    body that is not a handle record."""
    if response.status_code not in (200, 404):
        response.raise_for_status()
        raise MalformedResponse(f"DOI API: unexpected HTTP {response.status_code}")
    if len(response.content) > MAX_ANSWER_BYTES:
        raise MalformedResponse("DOI API: answer too large")
    try:
        code = response.json().get("responseCode")
    except (ValueError, AttributeError):
        raise MalformedResponse("DOI API: answer is not a JSON object") from None
    if code == 2:
        raise MalformedResponse("DOI API: server error (responseCode 2)")
    try:
        return Registration(code)
    except ValueError:
        raise MalformedResponse(f"DOI API: unknown responseCode {code!r}") from None


class DoiClient(ServiceClient):
    def __init__(self, client: httpx.AsyncClient, settings: Settings, pacer: Pacer):
        super().__init__(client, settings, pacer, base_delay=max(pacer.interval, 0.25))

    async def registration(self, doi: str) -> Registration:
        url = f"{self.settings.doi_api_url.rstrip('/')}/{quote(doi, safe='/')}"
        return await self.send("GET", url, parse_handle_answer)
