"""Cache bookkeeping: every answer by (namespace, key), from the cache first, written back the
moment it arrives; failed lookups keep their error (never cached), so a rerun asks them again."""

from __future__ import annotations

from typing import Any, Iterable

from paperenrich.cache import Cache
from paperenrich.config import Settings
from paperenrich.sources.records import ArxivRecord, RecordError, S2Record, is_malformed, load_cached, malformed_message

# Cache namespaces (see cache.py); values are records, lists of records, or None ("not found").
NS_ARXIV, NS_S2, NS_S2_TITLE, NS_AX_TITLE, NS_S2_MATCH = "arxiv", "s2", "s2_title", "arxiv_title", "s2_match"
# The record class each namespace holds (one record, a list of them, or None).
NS_RECORDS = {NS_ARXIV: ArxivRecord, NS_AX_TITLE: ArxivRecord, NS_S2: S2Record, NS_S2_TITLE: S2Record, NS_S2_MATCH: S2Record}


def namespace_ttls(settings: Settings) -> dict[str, float]:
    """How long each namespace's answers stay fresh: arXiv metadata long; anything from S2 carries
    citation counts, so the short citation TTL; negative answers have their own (short) TTL."""
    return {
        NS_ARXIV: settings.ttl_metadata, NS_AX_TITLE: settings.ttl_metadata,
        NS_S2: settings.ttl_citations, NS_S2_TITLE: settings.ttl_citations, NS_S2_MATCH: settings.ttl_citations,
    }


class Lookups:
    """Answers by (namespace, key): from the cache first, written back the moment they arrive."""

    def __init__(self, cache: Cache, settings: Settings):
        self.cache = cache
        self.settings = settings
        self.known: dict[tuple[str, str], Any] = {}
        self.errors: dict[tuple[str, str], str] = {}
        self._checked: set[tuple[str, str]] = set()
        self._ttls = namespace_ttls(settings)

    def check_cache(self, ns: str, keys: Iterable[str]) -> None:
        todo = [k for k in dict.fromkeys(keys) if (ns, k) not in self._checked]
        if not todo:
            return
        self._checked.update((ns, k) for k in todo)
        if self.settings.refresh:
            return
        found = self.cache.get_many(ns, todo, max_age=self._ttls[ns], negative_max_age=self.settings.ttl_negative)
        for key, cached in found.items():
            try:
                self.known[(ns, key)] = load_cached(NS_RECORDS[ns], cached.value)
            except RecordError:
                continue  # a cached value that does not validate (an older or damaged write) is a miss

    def has(self, ns: str, key: str) -> bool:
        return (ns, key) in self.known or (ns, key) in self.errors

    def get(self, ns: str, key: str) -> Any:
        return self.known.get((ns, key))

    def put(self, ns: str, items: dict[str, Any]) -> None:
        """Answers in; one holding a record that did not validate is an error for its key, never cached."""
        bad = {key: value for key, value in items.items() if is_malformed(value)}
        for key, value in bad.items():
            self.fail(ns, [key], malformed_message(value))
        items = {key: value for key, value in items.items() if key not in bad}
        self.cache.put_many(ns, items)
        for key, value in items.items():
            self.known[(ns, key)] = value
            self.errors.pop((ns, key), None)

    def fail(self, ns: str, keys: Iterable[str], message: str) -> None:
        for key in keys:
            self.errors[(ns, key)] = message
