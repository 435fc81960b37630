"""The two metadata services: arXiv (`arxiv.py`) and Semantic Scholar (`s2.py`), and what their
clients share."""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable

import httpx

from paperenrich.config import Settings
from paperenrich.http import Pacer, send_with_retries


def phrase(title: str) -> str:
    """A title reduced to its words, for a quoted phrase in a search query (operators and quotes removed)."""
    return " ".join(re.sub(r"[^\w]+", " ", title).split())


class ServiceClient:
    """One service's requests: the shared AsyncClient, this lane's pacer, and the retry policy.

    `base_delay` starts the exponential backoff (one pacing interval of the service). Until the
    service has answered once, a refused connection is retried only once: with no network at all
    the run must say so at once (the resolver raises `connect_retries` after a first answer).
    """

    def __init__(self, client: httpx.AsyncClient, settings: Settings, pacer: Pacer, base_delay: float,
                 headers: dict[str, str] | None = None):
        self.client = client
        self.settings = settings
        self.pacer = pacer
        self.base_delay = max(base_delay, 0.05)
        self.headers = headers or {}
        self.connect_retries = 1

    async def send(self, method: str, url: str, parse: Callable[[httpx.Response], Any], **kwargs: Any) -> Any:
        return await send_with_retries(
            self.client, self.pacer, method, url, parse=parse, headers=self.headers,
            max_retries=self.settings.max_retries, base_delay=self.base_delay,
            retry_after_cap=self.settings.retry_after_cap, connect_retries=self.connect_retries,
            max_bytes=self.settings.max_response_bytes, deadline=self.settings.request_deadline, **kwargs,
        )

    async def fetch_isolating_refused(
        self, ids: list[str], fetch: Callable[[list[str]], Awaitable[dict[str, Any]]], refused: type[Exception],
    ) -> dict[str, Any]:
        """`fetch(ids)`, but when the service refuses the batch (`refused`: a 400 caused by one bad id)
        the batch is split in halves until the bad id is alone, and it maps to None: one bad id costs
        a few requests instead of failing the whole batch."""
        try:
            return await fetch(ids)
        except refused:
            if len(ids) == 1:
                return {ids[0]: None}
            half = len(ids) // 2
            return {**await self.fetch_isolating_refused(ids[:half], fetch, refused),
                    **await self.fetch_isolating_refused(ids[half:], fetch, refused)}
