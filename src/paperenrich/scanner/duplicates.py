"""Papers listed twice (same id, or same normalised title) are marked with `duplicate_of`.

In two steps: each draft's fields and duplicate keys (`_entry_fields`, per entry, so a worker
process can do it for its part of a list), then one pass in document order that builds the
entries and marks each one whose key an earlier entry has (`_Duplicates`).
"""

from __future__ import annotations

from typing import Callable

from paperenrich.ids import ids_from_dict, ids_from_links
from paperenrich.model import Entry, Link, new_entry
from paperenrich.scanner.walk import _Draft
from paperenrich.titles import normalize_title

# (line, end_line, section, title, venue, year, links, ids, kind, duplicate keys)
EntryFields = tuple


def _entry_fields(d: _Draft) -> EntryFields:
    """What an entry holds but `duplicate_of`, and its keys: (kind, value) of each id, and the title's."""
    ids = ids_from_links(d.links)
    keys = list(ids.to_dict().items())  # (kind, value)
    norm = normalize_title(d.analysis.title)
    if len(norm) >= 10:
        keys.append(("title", norm))
    a = d.analysis
    return (d.line, max(d.end_line, d.line), d.section, a.title, a.venue, a.year, tuple(d.links), ids, d.kind, keys)


def _wire_fields(d: _Draft) -> tuple:
    """`_entry_fields` for another process: plain values only, the links as (url, text, url, text, ...)
    and no Ids (its values are the keys'). Link and Ids objects cost three times as much to pickle
    and unpickle as the strings they hold."""
    f = _entry_fields(d)
    flat = tuple(x for link in f[6] for x in (link.url, link.text))
    return (*f[:6], flat, f[8], f[9])


def _from_wire(w: tuple) -> EntryFields:
    """The fields `_wire_fields` sent, as `_entry_fields` gave them."""
    flat = w[6]
    links = tuple(Link(flat[k], flat[k + 1]) for k in range(0, len(flat), 2))
    return (*w[:6], links, ids_from_dict({kind: value for kind, value in w[8] if kind != "title"}), w[7], w[8])


def _same(section: tuple[str, ...]) -> tuple[str, ...]:
    return section


class _Duplicates:
    """Entries built in document order; `duplicate_of` is the first line of an earlier entry with one
    of the same keys."""

    def __init__(self) -> None:
        self.first_by_key: dict[tuple[str, str], int] = {}

    def entry(self, f: EntryFields, section: Callable[[tuple[str, ...]], tuple[str, ...]] = _same) -> Entry:
        keys = f[9]
        first_by_key = self.first_by_key
        earlier = [first_by_key[k] for k in keys if k in first_by_key]
        duplicate_of = min(earlier) if earlier else None
        for k in keys:
            first_by_key.setdefault(k, f[0])
        return new_entry(f[0], f[1], section(f[2]), f[3], f[4], f[5], f[6], f[7], duplicate_of, f[8])

    def take(self, drafts: list[_Draft]) -> list[Entry]:
        """The drafts' entries; each draft is let go once its entry is made (the list is emptied), so
        drafts and entries are not all alive at once."""
        drafts.reverse()
        entries = []
        while drafts:
            entries.append(self.entry(_entry_fields(drafts.pop())))
        return entries


def _mark_duplicates(drafts: list[_Draft]) -> list[Entry]:
    return _Duplicates().take(list(drafts))
