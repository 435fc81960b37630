"""The two metadata services: arXiv (`arxiv.py`) and Semantic Scholar (`s2.py`)."""

import re


def phrase(title: str) -> str:
    """A title reduced to its words, for a quoted phrase in a search query (operators and quotes removed)."""
    return " ".join(re.sub(r"[^\w]+", " ", title).split())
