"""Papers listed twice (same id, or same normalised title) are marked with `duplicate_of`.
"""

from __future__ import annotations

from paperenrich.ids import ids_from_links
from paperenrich.model import Entry
from paperenrich.scanner.walk import _Draft
from paperenrich.titles import normalize_title


def _mark_duplicates(drafts: list[_Draft]) -> list[Entry]:
    first_by_key: dict[tuple[str, str], int] = {}
    entries: list[Entry] = []
    for d in drafts:
        ids = ids_from_links(d.links)
        keys = list(ids.to_dict().items())  # (kind, value)
        norm = normalize_title(d.analysis.title)
        if len(norm) >= 10:
            keys.append(("title", norm))
        earlier = [first_by_key[k] for k in keys if k in first_by_key]
        duplicate_of = min(earlier) if earlier else None
        for k in keys:
            first_by_key.setdefault(k, d.line)
        a = d.analysis
        # (positional: ten keyword arguments made the frozen dataclass's __init__ ~2 µs slower an entry;
        # the order is Entry's field order, which tests/test_scan_fastpaths.py holds)
        entries.append(Entry(d.line, max(d.end_line, d.line), d.section, a.title, a.venue, a.year, tuple(d.links), ids,
                             duplicate_of, d.kind))
    return entries
