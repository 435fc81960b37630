"""The two metadata services: arXiv (`arxiv.py`) and Semantic Scholar (`s2.py`), and what their
clients share."""

from __future__ import annotations

import re
from typing import Any, Awaitable, Callable

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # the network layer loads with a client, not with the records (verify, merge)
    import httpx

    from paperenrich.config import Settings
    from paperenrich.http import Pacer


REFUSALS_TO_STOP = 5  # 429 answers in a row (retries included) after which a run stops asking a service


class ServiceRefusing(Exception):
    """A service answered 429 to REFUSALS_TO_STOP requests in a row: a pool that keeps refusing
    (S2 without a key) would cost minutes of backoff per entry, so the run stops asking it."""


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
        self.refusals = 0  # 429 answers in a row, across this client's requests

    def _counting(self, parse: Callable[[httpx.Response], Any]) -> Callable[[httpx.Response], Any]:
        """`parse`, counting 429s in a row: the circuit breaker (ServiceRefusing stops the retries)."""

        def counted(response: httpx.Response) -> Any:
            if response.status_code == 429:
                self.refusals += 1
                if self.refusals >= REFUSALS_TO_STOP:
                    raise ServiceRefusing(f"{urlsplit(str(response.request.url)).hostname} answered HTTP 429 "
                                          f"{self.refusals} times in a row")
            elif response.status_code < 500:
                self.refusals = 0
            return parse(response)

        return counted

    async def send(self, method: str, url: str, parse: Callable[[httpx.Response], Any], *,
                   max_retries: int | None = None, **kwargs: Any) -> Any:
        if self.refusals >= REFUSALS_TO_STOP:
            raise ServiceRefusing(f"{urlsplit(url).hostname} answered HTTP 429 {self.refusals} times in a row")
        from paperenrich.http import send_with_retries

        return await send_with_retries(
            self.client, self.pacer, method, url, parse=self._counting(parse), headers=self.headers,
            max_retries=self.settings.max_retries if max_retries is None else max_retries, base_delay=self.base_delay,
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
