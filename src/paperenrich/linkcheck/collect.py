"""Markdown text -> every link target with its 1-based line: links, images, autolinks, bare URLs
(as GitHub's autolink extension shows them) and `<a href>` / `<img src>` in inline or block HTML.

Pure: no I/O. The links are the document model's (`paperenrich.markdown.Document`), the same
ones `fix` rewrites and `scan` gives its entries, so a URL inside a code span or a fenced block
is not a link, exactly as a Markdown renderer sees it. Linear in the text (pulldown-cmark, and
linkify-it-py over text runs only), so repeated `x://` or brackets cannot make it quadratic.
"""

from __future__ import annotations

from typing import Iterator

from paperenrich.collector import paused_collector
from paperenrich.markdown import Document
from paperenrich.model import Place


def iter_links(text: str) -> Iterator[tuple[str, int]]:
    """(url, 1-based line) for every link target of a Markdown text, in document order."""
    for link in Document(text).links:
        yield link.url, link.line


def collect_places(texts: dict[str, str]) -> dict[str, list[Place]]:
    """{file name: text} -> {url: [Place, ...]}, each distinct URL once, first-seen order."""
    places: dict[str, list[Place]] = {}
    with paused_collector():  # a big list's links and places make no cycles (a full collection: ~30 ms)
        for name, text in texts.items():
            for url, line in iter_links(text):
                url = url.strip()
                if url:
                    places.setdefault(url, []).append(Place(name, line))
    return places
