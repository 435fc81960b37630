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
        entries.append(
            Entry(
                line=d.line,
                end_line=max(d.end_line, d.line),
                section=d.section,
                title=d.analysis.title,
                venue=d.analysis.venue,
                year=d.analysis.year,
                links=tuple(d.links),
                ids=ids,
                duplicate_of=duplicate_of,
                kind=d.kind,
            )
        )
    return entries
