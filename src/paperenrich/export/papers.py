"""Small facts about papers and links that the exports and the lint share (pure)."""

from __future__ import annotations

import re
from typing import Callable, Iterable, Sequence, TypeVar

from paperenrich.model import Paper

T = TypeVar("T")

_PREPRINT = re.compile(r"^(arxiv|corr|preprint|biorxiv|medrxiv|ssrn)\b", re.I)


def is_preprint_venue(venue: str | None) -> bool:
    """True for "arXiv", "arXiv.org", "CoRR", "preprint" and the like."""
    return bool(venue) and bool(_PREPRINT.match(venue.strip()))  # type: ignore[union-attr]


def paper_keys(paper: Paper) -> tuple[str, ...]:
    """Identifiers naming a paper; two records sharing any one are the same paper."""
    keys = [f"arxiv:{paper.arxiv}" if paper.arxiv else "", f"doi:{paper.doi}" if paper.doi else "",
            f"s2:{paper.s2_id}" if paper.s2_id else ""]
    return tuple(k for k in keys if k) or (f"title:{paper.title.casefold()}",)


def earlier_same_paper(keys: Sequence[Sequence[str]]) -> list[int | None]:
    """For each item's keys (in list order), the index of the earlier item it repeats, else None.

    The earlier item is the first one that carried the first of this item's keys already seen;
    an item with no keys never repeats another nor is repeated.
    """
    first_with: dict[str, int] = {}
    earlier: list[int | None] = []
    for index, item_keys in enumerate(keys):
        earlier.append(next((first_with[k] for k in item_keys if k in first_with), None))
        for key in item_keys:
            first_with.setdefault(key, index)
    return earlier


def same_paper_groups(items: Iterable[T], keys_of: Callable[[T], Sequence[str]]) -> list[list[T]]:
    """Items grouped when they share a key (any one: see `paper_keys`), in order of first appearance."""
    items = list(items)
    groups: list[list[T]] = []
    group_at: list[int] = []  # item index -> its group's index
    for item, earlier in zip(items, earlier_same_paper([keys_of(item) for item in items])):
        if earlier is None:
            groups.append([])
        group_at.append(len(groups) - 1 if earlier is None else group_at[earlier])
        groups[group_at[-1]].append(item)
    return groups
