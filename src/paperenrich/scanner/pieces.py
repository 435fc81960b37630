"""A node's inline content -> a flat list of pieces (text, links, bold, code, <br>) with their
source offsets; reference definitions and inline HTML (<a>, <b>, table cells) included.
"""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Iterator, Sequence
from urllib.parse import unquote

from markdown_it.helpers import parseLinkDestination
from markdown_it_pyrs import Node

from paperenrich.scanner.parse import _MD
from paperenrich.scanner.refs import _reference_definitions, _with_references

_BR = re.compile(r"^<br\s*/?>$", re.I)
_A_OPEN = re.compile(r"""^<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_A_CLOSE = re.compile(r"^</a\s*>$", re.I)
_STRONG_HTML = re.compile(r"^<(/?)(?:b|strong)\s*>$", re.I)


# The source text and its map -------------------------------------------------------------------


class _Source:
    """The parsed text, with byte offsets (the tree's source maps) turned into lines and text."""

    def __init__(self, text: str, line_offset: int = 0, ref_lines: list[str] | None = None) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.ascii = len(self.data) == len(text)
        self.line_offset = line_offset  # lines of the file before this text
        sizes = (len(line) + 1 for line in text.split("\n")) if self.ascii else (
            len(line.encode("utf-8")) + 1 for line in text.split("\n"))
        self.line_starts = [0, *accumulate(sizes)]
        self._raw_refs: dict[str, str] | None = None
        self._ref_lines = ref_lines  # the whole document's, when this text is a part of it

    @property
    def ref_lines(self) -> list[str]:
        """The reference definitions ([x]: url) of the text: they hold for the whole document."""
        if self._ref_lines is None:
            self._ref_lines = _reference_definitions(self.text.split("\n"))
        return self._ref_lines

    def line(self, offset: int) -> int:
        """1-based line of the file holding the byte at `offset`."""
        return bisect.bisect_right(self.line_starts, offset) + self.line_offset

    def slice(self, start: int, end: int) -> str:
        if self.ascii:
            return self.text[start:end]
        return self.data[start:end].decode("utf-8", "replace")

    def raw_reference(self, url: str) -> str | None:
        """The destination of a reference definition as written, by its normalised form."""
        if self._raw_refs is None:
            self._raw_refs = {}
            for line in self.ref_lines:
                if m := _REF_DEF_TARGET.match(line):
                    dest = parseLinkDestination(line, m.end(), len(line))
                    if dest.ok:
                        self._raw_refs.setdefault(unquote(dest.str), dest.str)
        return self._raw_refs.get(unquote(url))


_REF_DEF_TARGET = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*")


def _link_url(node: Node, kids: Sequence[Node], src: _Source) -> str:
    """A link's target as written in the list.

    The parser percent-encodes targets (`ü` -> `%C3%BC`); that changes the URL the user wrote,
    so a target with a `%` is read back from the source (markdown-it-py's own destination
    parser) and kept only when it decodes to what the parser found.
    """
    url = node.meta.get("url", "")
    if "%" not in url and "xn--" not in url:
        return url  # nothing was encoded: the target is exactly as written
    start, end = node.srcmap or (0, 0)
    if node.name == "autolink":
        raw = src.slice(start + 1, end - 1)
        return raw if unquote(raw) == unquote(url) else url
    label_end = kids[-1].srcmap[1] if kids and kids[-1].srcmap else start + 1
    head = src.slice(start, label_end)
    text = head + src.slice(label_end, end)
    pos = text.find("](", len(head))
    if pos >= 0 and text.endswith(")"):
        pos += 2
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        dest = parseLinkDestination(text, pos, len(text))
        if dest.ok and unquote(dest.str) == unquote(url):
            return dest.str
    written = src.raw_reference(url)  # a reference link: its definition says how it was written
    return written if written is not None else url


def _plain_text(node: Node) -> str:
    """The text of a node's descendants (an image's alt text)."""
    parts: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        name = n.name
        if name in ("text", "text_special"):
            parts.append(n.meta.get("content", ""))
        elif name in ("softbreak", "hardbreak"):
            parts.append(" ")
        else:
            stack.extend(reversed(n.children))
    return "".join(parts)


# Inline content as pieces ------------------------------------------------------------------------


# The scanner's small classes are plain classes with slots and a written __init__, not dataclasses:
# in the compiled build (setup.py) a dataclass's generated __init__ stays interpreted Python, a
# written one is compiled (and these are made several times per entry).


class Piece:
    __slots__ = ("kind", "text", "url", "strong")

    def __init__(self, kind: str, text: str, url: str = "", strong: bool = False) -> None:
        self.kind = kind  # text | link | br
        self.text = text
        self.url = url
        self.strong = strong

    def __repr__(self) -> str:
        return f"Piece({self.kind!r}, {self.text!r}, {self.url!r}, {self.strong!r})"


def _pieces(nodes: Sequence[Node], src: _Source) -> list[Piece]:
    """Flatten inline nodes: links keep their text and URL; emphasis marks are dropped.

    The walk keeps a stack of sibling iterators (each with what ends when it runs out: a link, a
    bold run or nothing), so deeply nested emphasis cannot exhaust Python's recursion. (It runs
    once per node of every entry: text is appended inline, not through a helper, and children are
    not copied onto the stack one by one.)
    """
    out: list[Piece] = []
    link: Piece | None = None
    strong = 0
    last: Piece | None = None  # out[-1] when it is a text piece that text may be added to
    stack: list[tuple[Iterator[Node], str | None]] = [(iter(nodes), None)]
    while stack:
        siblings, closes = stack[-1]
        for node in siblings:
            name = node.name
            if name == "text" or name == "text_special" or name == "softbreak" or name == "hardbreak":
                text = node.meta["content"] if name[0] == "t" else " "
                if link is not None:
                    link.text += text
                elif last is not None and last.strong == (strong > 0):
                    last.text += text
                else:
                    last = Piece("text", text, "", strong > 0)
                    out.append(last)
            elif name == "link" or name == "autolink":
                kids = node.children
                url = node.meta.get("url", "")
                if "%" in url or "xn--" in url:  # (else the target is exactly as written: _link_url's first test)
                    url = _link_url(node, kids, src)
                link = Piece("link", "", url, strong > 0)
                last = None
                stack.append((iter(kids), "link"))
                break  # (its children first; this loop resumes after them)
            elif name == "image":
                if link is not None and not link.text:
                    link.text = _plain_text(node)  # a badge: the link keeps the image's alt text
            elif name == "strong":
                strong += 1
                stack.append((iter(node.children), "strong"))
                break
            elif name == "html_inline":
                html = node.meta.get("content", "").strip()
                if _BR.match(html):
                    if link is None:
                        out.append(Piece("br", "\n"))
                        last = None
                elif m := _A_OPEN.match(html):
                    link = Piece("link", "", next(g for g in m.groups() if g is not None), strong > 0)
                    last = None
                elif _A_CLOSE.match(html):
                    if link is not None:
                        link.text = " ".join(link.text.split())
                        out.append(link)
                        link = last = None
                elif m := _STRONG_HTML.match(html):
                    strong = max(0, strong - 1) if m.group(1) else strong + 1
            else:  # emphasis, strikethrough, anything new: their text counts
                stack.append((iter(node.children), None))
                break
        else:  # these siblings are done: end what they were inside
            stack.pop()
            if closes == "strong":
                strong = max(0, strong - 1)
            elif closes == "link" and link is not None:
                link.text = " ".join(link.text.split())
                out.append(link)
                link = last = None
    if link is not None:  # an unclosed <a>: keep what it said
        out.append(link)
    return out


class Span:
    __slots__ = ("start", "end", "piece")

    def __init__(self, start: int, end: int, piece: Piece) -> None:
        self.start, self.end, self.piece = start, end, piece


def _display(pieces: list[Piece]) -> tuple[str, list[Span], list[Span]]:
    """The text as a reader sees it, with the spans of links and of bold runs."""
    parts: list[str] = []
    links: list[Span] = []
    bold: list[Span] = []
    pos = 0
    for p in pieces:
        start = pos
        parts.append(p.text)
        pos += len(p.text)
        if p.kind == "link":
            links.append(Span(start, pos, p))
        if p.strong and p.text.strip():
            bold.append(Span(start, pos, p))
    return "".join(parts), links, bold


# Node names of inline content (anything else under a list item is a block).
_INLINE_NODES = frozenset({"text", "text_special", "softbreak", "hardbreak", "link", "autolink", "image", "em",
                           "strong", "strikethrough", "code_inline", "html_inline"})


def _inline_pieces(html_line: str, outer: _Source) -> list[Piece]:
    """The pieces of one line of an HTML block, read as inline Markdown.

    A leading "x" keeps the line a paragraph (a line holding only `<a href=...>` would otherwise
    be an HTML block again); it is taken off the first piece afterwards.
    """
    text = _with_references("x" + html_line.replace("\n", " "), outer.ref_lines)
    src = _Source(text, ref_lines=outer.ref_lines)
    inline: list[Node] = []
    stack = list(_MD.tree(text).children[:1])
    while stack:  # the inline nodes under whatever block the line became
        node = stack.pop()
        if node.name in _INLINE_NODES:
            inline.append(node)
        else:
            stack += reversed(node.children)
    pieces = _pieces(inline, src)
    if pieces and pieces[0].kind == "text" and pieces[0].text.startswith("x"):
        pieces[0].text = pieces[0].text[1:]
        if not pieces[0].text:
            pieces.pop(0)
    return pieces
