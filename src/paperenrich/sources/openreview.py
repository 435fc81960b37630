"""OpenReview's API (`<openreview_api_url>/notes?ids=a,b,...`): does a forum id exist?

The answer, in the real shape: `{"notes": [{"id": ..., "forum": ..., "content": {"title": {"value":
...}}, ...}], "count": n}`; an id it does not know is absent from `notes`. A batch it refuses
(400/404 naming one id) is split until the bad id is alone.
"""

from __future__ import annotations

from typing import Any

import httpx

from paperenrich.config import Settings
from paperenrich.http import MalformedResponse, Pacer
from paperenrich.sources import ServiceClient

ID_BATCH = 50  # ids per request (keeps the URL short)


class RefusedBatch(Exception):
    """OpenReview refused the batch (400/404): one id in it is bad."""


def parse_notes(response: httpx.Response) -> set[str]:
    """The ids (and forum ids) of the notes in one answer."""
    if response.status_code in (400, 404):
        raise RefusedBatch(response.status_code)
    response.raise_for_status()
    try:
        notes = response.json().get("notes")
    except (ValueError, AttributeError):
        raise MalformedResponse("OpenReview: answer is not a JSON object") from None
    if not isinstance(notes, list):
        raise MalformedResponse("OpenReview: answer has no notes list")
    found: set[str] = set()
    for note in notes:
        if isinstance(note, dict):
            found.update(v for v in (note.get("id"), note.get("forum")) if isinstance(v, str))
    return found


class OpenReviewClient(ServiceClient):
    def __init__(self, client: httpx.AsyncClient, settings: Settings, pacer: Pacer):
        super().__init__(client, settings, pacer, base_delay=max(pacer.interval, 0.25))

    async def known(self, ids: list[str]) -> dict[str, bool]:
        """For up to ID_BATCH forum ids: does OpenReview have the note?"""
        found = await self.fetch_isolating_refused(ids, self._fetch, RefusedBatch)
        return {i: bool(found.get(i)) for i in ids}

    async def _fetch(self, ids: list[str]) -> dict[str, Any]:
        url = f"{self.settings.openreview_api_url.rstrip('/')}/notes"
        found = await self.send("GET", url, parse_notes, params={"ids": ",".join(ids)})
        return {i: i in found for i in ids}
