"""Markdown text -> every link target with its 1-based line: links, images, autolinks, bare URLs
(GitHub's autolink extension, via linkify) and `<a href>` / `<img src>` in inline or block HTML.

Pure: no I/O. Uses markdown-it-py's tokens and line maps, so a URL inside a code span or a
fenced block is not a link, exactly as a Markdown renderer sees it.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from paperenrich.model import Place

_HTML_URL_ATTRS = {"a": "href", "img": "src", "source": "src", "iframe": "src", "link": "href"}


def _markdown() -> MarkdownIt:
    # "gfm-like" = CommonMark + tables + strikethrough + linkify (bare URLs, as GitHub shows them).
    md = MarkdownIt("gfm-like")
    # Bare URLs are found by the core linkify pass over finished text tokens. The inline rule of
    # the same name searches the whole pending text for a scheme at every "://", which is
    # quadratic ("x://" x 5,500: 5.9 s); on every corpus list and seed both find the same links.
    md.inline.ruler.disable("linkify")
    return md


class _HtmlLinks(HTMLParser):
    """href/src attributes of an HTML fragment, with the fragment-relative line of each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = _HTML_URL_ATTRS.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.found.append((value.strip(), self.getpos()[0] - 1))


def _html_links(html: str) -> list[tuple[str, int]]:
    parser = _HtmlLinks()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # broken HTML in a list is the list's problem, not a crash
        pass
    return parser.found


def _inline_links(token: Token, first_line: int) -> Iterator[tuple[str, int]]:
    line = first_line
    for child in token.children or ():
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            yield str(child.attrs.get("href", "")), line
        elif child.type == "image":
            yield str(child.attrs.get("src", "")), line
        elif child.type == "html_inline":
            for url, offset in _html_links(child.content):
                yield url, line + offset


def iter_links(text: str) -> Iterator[tuple[str, int]]:
    """(url, 1-based line) for every link target of a Markdown text, in document order."""
    for token in _markdown().parse(text):
        if token.map is None:
            continue
        first_line = token.map[0] + 1
        if token.type == "inline":
            yield from _inline_links(token, first_line)
        elif token.type == "html_block":
            for url, offset in _html_links(token.content):
                yield url, first_line + offset


def collect_places(texts: dict[str, str]) -> dict[str, list[Place]]:
    """{file name: text} -> {url: [Place, ...]}, each distinct URL once, first-seen order."""
    places: dict[str, list[Place]] = {}
    for name, text in texts.items():
        for url, line in iter_links(text):
            if url:
                places.setdefault(url, []).append(Place(name, line))
    return places
