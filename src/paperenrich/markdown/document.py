"""The document model: pyromark (pulldown-cmark) events with source ranges, read once.

Every link target of the text, as GitHub renders it:
- inline links and images `[t](dest)` / `![a](dest)`, autolinks `<url>`, reference links (the
  destination is the one written in the definition, which is where its offsets point);
- bare URLs, as GitHub's autolink extension shows them (`http(s)://`, `ftp://`, `www.`): found by
  linkify-it-py in the text events, so never inside code spans, code blocks or link texts;
- `href`/`src` attributes of inline HTML and HTML blocks (`<a>`, `<img>`, `<source>`, `<iframe>`, `<link>`).

pulldown-cmark is linear by design (no backtracking over delimiters, no recursion limit to hit)
and gives byte ranges for every event; offsets here are character offsets into the text.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import pyromark
from linkify_it import LinkifyIt

_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH
_LINKIFY = LinkifyIt()
_BARE_SCHEMES = ("http:", "https:", "ftp:")
# An attribute's value, double-quoted, single-quoted or bare (groups: one of the three). The tag's
# other attributes are [^<>]*?: a scan from each "<" stops at the next one, so "<x <x <x ..." stays linear.
_ATTR_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
_HTML_ATTR = re.compile(r"<(a|img|source|iframe|link)\b[^<>]*?\s(href|src)" + _ATTR_VALUE, re.I | re.S)
_HTML_WANTED = {"a": "href", "img": "src", "source": "src", "iframe": "src", "link": "href"}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# id= or name= of any HTML element (`<a name="models"></a>` in a heading, `<h2 id="x">`): a fragment can name it
_HTML_ANCHOR = re.compile(r"<[a-z][a-z0-9-]*\b[^<>]*?\s(?:id|name)" + _ATTR_VALUE, re.I | re.S)
_HTML_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b[^<>]*>", re.I)
_HTML_TAG = re.compile(r"<[^<>]*>")


class LinkSpan(NamedTuple):
    url: str  # the destination as a renderer reads it (escapes and entities decoded)
    start: int  # [start, end): the destination as written in the text (character offsets)
    end: int
    line: int  # 1-based line where the link appears
    kind: str  # link | image | autolink | bare | html | reference


@dataclass(slots=True)
class _Run:
    """Consecutive text events: their joined text and where each piece came from."""

    parts: list[tuple[int, int, int]]  # (offset in the joined text, byte start, byte end)
    text: str


class Document:
    """A Markdown text parsed once: lines, and its links with their source offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._data = text.encode("utf-8", "surrogatepass")
        self._ascii = len(self._data) == len(text)
        # line starts, in characters and in bytes (\r\n, \r and \n all end a line, as in CommonMark)
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self._byte_starts = self.line_starts if self._ascii else [
            len(text[:s].encode("utf-8", "surrogatepass")) for s in self.line_starts]

    # -- positions
    def line_of(self, offset: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def _char(self, byte: int) -> int:
        if self._ascii:
            return byte
        k = bisect.bisect_right(self._byte_starts, byte) - 1
        return self.line_starts[k] + len(self._data[self._byte_starts[k]:byte].decode("utf-8", "replace"))

    # -- links
    @cached_property
    def links(self) -> tuple[LinkSpan, ...]:
        """Every link of the document, in document order."""
        return tuple(self._walk())

    @cached_property
    def anchors(self) -> frozenset[str]:
        """The fragments a link into this document can name as GitHub renders it: each heading's
        slug (a repeated one with -1, -2, ...), Markdown or HTML (`<h2 align="center">Papers</h2>`),
        and the id or name of its HTML elements. Where GitHub's rule is uncertain (the spacing of
        an HTML heading, a number like "₂"), both readings are anchors: a false alarm is worse."""
        found: set[str] = set()
        seen: dict[str, int] = {}

        def add_heading(text: str) -> None:
            found.add(_unique(github_slug(text), seen))
            found.update({github_slug(" ".join(text.split())), github_slug(text, keep_other_numbers=True)})

        def add_html(chunk: str, block: bool) -> None:
            found.update(html.unescape(next(g for g in m.groups() if g is not None)) for m in _HTML_ANCHOR.finditer(chunk))
            if block:
                for inner in _html_headings(chunk):
                    add_heading(html.unescape(_HTML_TAG.sub("", inner)))

        heading: list[str] | None = None  # the text of the heading being read
        block: list[str] | None = None  # the lines of the HTML block being read
        in_image = 0  # an image's alt text is not part of the slug (`# Name [![Awesome](badge)](url)` -> "name-")
        for event, _span in pyromark.events_with_range(self.text, options=_OPTIONS):
            if type(event) is not dict:
                continue
            if heading is not None:
                piece = event.get("Text", event.get("Code"))
                if piece is not None:
                    if not in_image:
                        heading.append(piece)
                    continue
                end = event.get("End")
                if end == "Image":
                    in_image -= 1
                elif type(end) is dict and "Heading" in end:
                    add_heading("".join(heading))
                    heading, in_image = None, 0
                    continue
            start = event.get("Start")
            if start == "HtmlBlock":
                block = []
            elif type(start) is dict:
                if "Heading" in start:
                    heading = []
                elif heading is not None and "Image" in start:
                    in_image += 1
            elif event.get("End") == "HtmlBlock" and block is not None:
                add_html("".join(block), block=True)
                block = None
            elif (piece := event.get("Html")) is not None and block is not None:
                block.append(piece)
            elif (piece := event.get("InlineHtml", event.get("Html"))) is not None:
                add_html(piece, block=False)
        if block is not None:
            add_html("".join(block), block=True)
        return frozenset(found)

    def links_between(self, first_line: int, last_line: int) -> list[LinkSpan]:
        """The links that appear on lines first_line..last_line (1-based, inclusive)."""
        lines = [link.line for link in self.links]
        return list(self.links[bisect.bisect_left(lines, first_line):bisect.bisect_right(lines, last_line)])

    def _walk(self):
        refs = None
        in_link = 0  # text inside a link is its label, never a bare URL
        in_code = 0
        run: _Run | None = None
        char = (lambda byte: byte) if self._ascii else self._char
        # (most events are the starts and ends of items and links, and the text of link labels:
        # each is told apart with as few lookups as possible, its span read only when needed)
        for event, span in pyromark.events_with_range(self.text, options=_OPTIONS):
            if type(event) is not dict:  # "SoftBreak", "HardBreak", "Rule", ...
                if run is not None:
                    yield from self._bare(run)
                    run = None
                continue
            piece = event.get("Text")
            if piece is not None:
                if in_link or in_code:
                    continue
                b0 = span["start"]
                if run is not None and run.parts[-1][2] == b0:
                    run.parts.append((len(run.text), b0, span["end"]))
                    run.text += piece
                else:
                    if run is not None:
                        yield from self._bare(run)
                    run = _Run([(0, b0, span["end"])], piece)
                continue
            if run is not None:
                yield from self._bare(run)
                run = None
            start = event.get("Start")
            if start is not None:
                if type(start) is not dict:  # "Item", "Paragraph", ...
                    continue
                info = start.get("Link")
                kind = "link"
                if info is None:
                    info = start.get("Image")
                    kind = "image"
                if info is not None:
                    in_link += 1  # (an image's alt text is no place for a bare URL either)
                    link_type = info["link_type"]
                    url = info["dest_url"]
                    c0 = char(span["start"])
                    if link_type == "Inline":
                        s, e = self._destination(c0, char(span["end"]), url)
                        yield LinkSpan(url, s, e, self.line_of(c0), kind)
                    elif link_type == "Autolink" or link_type == "Email":
                        s, e = c0 + 1, char(span["end"]) - 1
                        yield LinkSpan(url if link_type == "Autolink" else "mailto:" + url, s, e, self.line_of(s), "autolink")
                    else:  # Reference, Collapsed, Shortcut (and their Unknown forms): the definition
                        if refs is None:
                            refs = {k.casefold(): v for k, v in pyromark.reference_definitions(self.text).items()}
                        d = refs.get(" ".join(info.get("id", "").split()).casefold())
                        s, e = self._definition_destination(d) if d else (c0, c0)
                        yield LinkSpan(url, s, e, self.line_of(c0), "reference")
                elif "CodeBlock" in start:
                    in_code += 1
                continue
            end = event.get("End")
            if end is not None:
                if end == "Link" or end == "Image":
                    in_link = max(0, in_link - 1)
                elif end == "CodeBlock":
                    in_code = max(0, in_code - 1)
            elif "InlineHtml" in event or "Html" in event:
                yield from self._html(char(span["start"]), char(span["end"]))
        if run is not None:
            yield from self._bare(run)

    def _destination(self, s: int, e: int, url: str) -> tuple[int, int]:
        """Offsets of an inline link's destination inside its source `[label](dest "title")`."""
        src = self.text[s:e]
        if not src.endswith(")"):
            return s, s
        # The common `[label](url)`: a destination with nothing to unescape, balance or stop at
        # ends the source; the search below would find the same (a later "](" lies inside it).
        if src.endswith("](" + url + ")") and not _AWKWARD_DESTINATION.search(url):
            return e - 1 - len(url), e - 1
        # The destination follows the last "](" whose destination, read from there, ends the link.
        pos = src.rfind("](")
        while pos >= 0:
            i = pos + 2
            while i < len(src) and src[i] in " \t\r\n":
                i += 1
            if i < len(src) and src[i] == "<":
                j = src.find(">", i + 1)
                if j != -1:
                    return s + i + 1, s + j
            else:
                j = _destination_end(src, i)
                if _unescape(src[i:j]) == url or html.unescape(_unescape(src[i:j])) == url:
                    return s + i, s + j
            pos = src.rfind("](", 0, pos)
        return s, s

    def _definition_destination(self, d: dict) -> tuple[int, int]:
        s, e = self._char(d["span"]["start"]), self._char(d["span"]["end"])
        src = self.text[s:e]
        colon = src.find("]:")
        i = colon + 2
        while i < len(src) and src[i] in " \t\r\n":
            i += 1
        if i < len(src) and src[i] == "<":
            j = src.find(">", i + 1)
            return (s + i + 1, s + j) if j != -1 else (s + i, s + i)
        j = i
        while j < len(src) and not src[j].isspace():
            j += 1
        return s + i, s + j

    def _html(self, s: int, e: int):
        chunk = self.text[s:e]
        for m in _HTML_ATTR.finditer(chunk):
            tag, attr = m.group(1).lower(), m.group(2).lower()
            if _HTML_WANTED.get(tag) != attr:
                continue
            group = next(g for g in (3, 4, 5) if m.group(g) is not None)
            raw = m.group(group).strip()
            if raw:
                start = s + m.start(group)
                kind = "image" if tag in ("img", "source") else "html"
                yield LinkSpan(html.unescape(raw), start, start + len(m.group(group)), self.line_of(start), kind)

    def _bare(self, run: _Run):
        text = run.text
        if "://" not in text and "www." not in text.lower() and "@" not in text:
            return
        for m in _LINKIFY.match(text) or ():
            raw = text[m.index:m.last_index]
            if not (m.schema.lower() in _BARE_SCHEMES or raw.lower().startswith("www.") or m.schema == "mailto:"):
                continue  # GitHub autolinks www., http(s)/ftp URLs and e-mail addresses, not bare domains
            k = bisect.bisect_right([p[0] for p in run.parts], m.index) - 1
            offset, b0, b1 = run.parts[k]
            piece_start = self._char(b0)
            start = piece_start + (m.index - offset)
            if self.text[start:start + len(raw)] != raw:  # an entity or escape changed the text: find it
                found = self.text.find(raw, piece_start)
                start = found if found >= 0 else piece_start
            yield LinkSpan(m.url, start, start + len(raw), self.line_of(start), "bare")


def github_slug(heading: str, keep_other_numbers: bool = False) -> str:
    """A heading's anchor as GitHub makes it (github-slugger): lower case, punctuation and symbols
    dropped (letters, marks, decimal and letter numbers, "-" and "_" kept; "₂", "½", "①" dropped),
    each space a "-"."""
    def kept(c: str) -> bool:
        if c.isascii():
            return c.isalnum() or c in "-_ "
        category = unicodedata.category(c)
        return category[0] in "LM" or category in ("Nd", "Nl", "Pc") or (keep_other_numbers and category == "No")

    return "".join(c for c in heading.lower() if kept(c)).replace(" ", "-")


def _html_headings(chunk: str):
    """The inner HTML of each `<hN ...>...</hN>` of an HTML block (an opening tag pairs with the
    next closing tag of its level: one pass, however many tags are left open)."""
    opened: tuple[str, int] | None = None
    for m in _HTML_HEADING_TAG.finditer(chunk):
        if not m.group(1):
            opened = (m.group(2), m.end())
        elif opened is not None and opened[0] == m.group(2):
            yield chunk[opened[1]:m.start()]
            opened = None


def _unique(slug: str, seen: dict[str, int]) -> str:
    """The slug of a repeated heading gets -1, -2, ... as on GitHub (its first use keeps it bare)."""
    result = slug
    while result in seen:
        seen[slug] += 1
        result = f"{slug}-{seen[slug]}"
    seen[result] = 0
    return result


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_AWKWARD_DESTINATION = re.compile(r"[\s()<\\&]")  # what _destination_end or the unescaping would read


def _unescape(dest: str) -> str:
    return _ESCAPE.sub(r"\1", dest)


def _destination_end(src: str, i: int) -> int:
    """End of a destination written without <>: up to whitespace or an unbalanced ")"."""
    depth, j = 0, i
    while j < len(src):
        c = src[j]
        if c == "\\" and j + 1 < len(src):
            j += 2
            continue
        if c in " \t\r\n":
            break
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return j
