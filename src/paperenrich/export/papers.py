"""Small facts about papers and links that the exports and the lint share (pure)."""

from __future__ import annotations

import re

from paperenrich.model import Paper

# Link statuses that mean "this link does not work" (a timeout or a block may be ours, not theirs).
BROKEN_STATUSES = frozenset({"broken", "soft_404", "invalid"})

_PREPRINT = re.compile(r"^(arxiv|corr|preprint|biorxiv|medrxiv|ssrn)\b", re.I)


def is_preprint_venue(venue: str | None) -> bool:
    """True for "arXiv", "arXiv.org", "CoRR", "preprint" and the like."""
    return bool(venue) and bool(_PREPRINT.match(venue.strip()))  # type: ignore[union-attr]


def paper_keys(paper: Paper) -> tuple[str, ...]:
    """Identifiers naming a paper; two records sharing any one are the same paper."""
    keys = [f"arxiv:{paper.arxiv}" if paper.arxiv else "", f"doi:{paper.doi}" if paper.doi else "",
            f"s2:{paper.s2_id}" if paper.s2_id else ""]
    return tuple(k for k in keys if k) or (f"title:{paper.title.casefold()}",)
