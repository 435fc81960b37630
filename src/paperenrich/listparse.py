"""Markdown list -> paper entries (pure; no network).

The text is parsed by markdown-it-py (CommonMark + tables); entries come from its tokens and
their line maps, never from regular expressions over the whole file:

- list items (bulleted and numbered, nested or flat), table rows, and short paragraphs that
  start with a bold or linked title are the candidates;
- each candidate's inline tokens become a flat list of pieces (text, links, code, <br>), from
  which `_analyze` reads the title, the venue and year, and the links;
- `_classify` decides whether a candidate is a paper or not (table of contents, placeholder,
  software, course or video, acronym, note) and says why;
- notes that carry links ("[arxiv version](...)") give their links to the paper they follow;
- papers listed twice (same id, or same normalised title) are marked with `duplicate_of`.

Large files are parsed in chunks split at safe top-level block boundaries, so memory stays
bounded by the chunk, not the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from paperenrich.ids import ids_from_links
from paperenrich.model import Entry, Ids, Link, ScanResult, Skipped
from paperenrich.titles import normalize_title
from paperenrich.urls import host_of
from paperenrich.venues import normalize_venue, parse_venue_year, parse_year

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Keep link targets exactly as written (markdown-it would percent-encode and punycode them, which
# costs a fifth of the parse time and changes the URL the user wrote).
_MD.normalizeLink = lambda url: url  # type: ignore[method-assign]
_MD.normalizeLinkText = lambda text: text  # type: ignore[method-assign]
# Inline content is parsed on demand (see _inline): only for the tokens we read, and never for
# a paragraph too long to be one entry (a 10 MB line would cost seconds for nothing).
_MD.disable(["inline", "text_join"])
MAX_ENTRY_CHARS = 20_000


def _inline(tok: Token, env: dict | None = None) -> list[Token]:
    """The inline children of a block token, parsed now if they were not yet ([] when too long)."""
    if not tok.meta.get("inline_parsed"):
        tok.meta["inline_parsed"] = True
        tok.children = []
        if len(tok.content) <= MAX_ENTRY_CHARS:
            _MD.inline.parse(tok.content, _MD, env if env is not None else {}, tok.children)
    return tok.children

# Link texts that label a link rather than name a paper ("[[paper]](...)", "[link to paper](...)").
GENERIC_LINK_TEXTS = frozenset(
    """paper pdf link links url here this link to paper paper link pdf link arxiv arxiv version arxiv link
    code github gitlab repo repository project project page page website homepage home slides slide video
    videos talk poster blog blog post demo doi openreview acm ieee springer html abs abstract bibtex bib
    dataset data model models weights checkpoint docs doc documentation notes note personal notes
    supplementary supp appendix full paper preprint official official code unofficial code implementation
    source src review reviews camera ready extended version journal version conference version
    proceedings youtube tweet twitter thread huggingface hugging face hf colab zhihu presentation
    artifact artifacts pytorch tensorflow jax website link paper code benchmark leaderboard
    知乎 论文 代码 link to code semantic scholar dblp google scholar scholar""".split()
) | frozenset(
    {"link to paper", "personal notes", "project page", "blog post", "arxiv version", "paper link", "pdf link",
     "official code", "full paper", "extended version", "camera ready", "hugging face", "link to code",
     "semantic scholar", "google scholar", "journal version", "conference version", "code link"}
)
# A candidate whose text starts like this is a note about the paper before it.
_NOTE_START = re.compile(
    r"^(?:arxiv|openreview|pdf|paper|code|slides?|video|talk|poster|links?|project page|website|homepage|"
    r"blog|extended version|journal version|conference version|full version|camera[- ]ready|related to|"
    r"see also|also in|also see|notes?|supplementary|appendix|github|demo)\b",
    re.I,
)
_ACRONYM = re.compile(r"^[A-Za-z0-9&/+.\-]{2,15}\s*(?::|=|—|–|\s-)\s+\S")
_PLACEHOLDER = re.compile(r"^(?:title|paper|papers|name|paper title|paper name|todo|tbd|xxx|\.\.\.|-+)\s*\d*$")
_RESOURCE_WORDS = re.compile(
    r"\b(?:course|courses|textbook|book|books|lecture|lectures|tutorial|tutorials|video|videos|talk|talks|"
    r"blog|blogs|podcast|newsletter|slides|cheat ?sheet|awesome|playlist|channel|workshop materials)\b",
    re.I,
)
_RESOURCE_HOSTS = ("youtube.com", "youtu.be", "bilibili.com", "coursera.org", "udemy.com", "edx.org",
                   "vimeo.com", "d2l.ai", "medium.com", "twitter.com", "x.com", "zhihu.com")
_SOFTWARE_HOSTS = ("github.com", "gitlab.com", "huggingface.co", "pypi.org", "bitbucket.org", "gitee.com")
_NOT_PAPER_SECTION = re.compile(
    r"\b(?:resources?|tools?|frameworks?|libraries|library|software|courses?|videos?|talks?|blogs?|books?|"
    r"tutorials?|references|contributing|contributors?|license|acknowledge?ments?|citation|cite|contact|"
    r"related (?:lists?|repos?|projects?|awesome)|awesome lists?|star history|useful links|acronyms?|glossary|"
    r"abbreviations?)\b",
    re.I,
)
_TOC_SECTION = re.compile(r"^\W*(?:table of contents|contents|toc|outline|catalog(?:ue)?)\W*$", re.I)
_SURVEY_TAG = re.compile(r"^\s*survey\b", re.I)

_BR = re.compile(r"^<br\s*/?>$", re.I)
_A_OPEN = re.compile(r"""^<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_A_CLOSE = re.compile(r"^</a\s*>$", re.I)
_STRONG_HTML = re.compile(r"^<(/?)(?:b|strong)\s*>$", re.I)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_TRAILING_BRACKET = re.compile(r"\s*\[([^\[\]]*)\]\s*$")
_TRAILING_OPEN = re.compile(r"\s*[\[(]\s*[^\])]*$")
_LEADING_TAG = re.compile(r"\s*\[([^\[\]]*)\]")
_VENUE_IN_TEXT = re.compile(r"([A-Za-z][A-Za-z&@/\-]*(?:\s[A-Z][A-Za-z]+)?)\s?([’'`]\d{2}\b|(?:19|20)\d{2}\b)")
_PAREN = re.compile(r"\(([^()]{2,80})\)")
_TRAILING_VENUE = re.compile(r"\s*[,;–—]\s*([A-Za-z][\w&@/ .\-]{0,40}?\s*(?:[’'`]\d{2}|(?:19|20)\d{2}))\s*$")


# Inline content as pieces ------------------------------------------------------------------------


@dataclass
class Piece:
    kind: str  # text | link | code | br
    text: str
    url: str = ""
    strong: bool = False


def _pieces(children: list[Token] | None) -> list[Piece]:
    """Flatten an inline token list: links keep their text and URL; emphasis marks are dropped."""
    out: list[Piece] = []
    link: Piece | None = None
    strong = 0

    def add_text(text: str) -> None:
        if link is not None:
            link.text += text
        elif out and out[-1].kind == "text" and out[-1].strong == (strong > 0):
            out[-1].text += text
        else:
            out.append(Piece("text", text, strong=strong > 0))

    for tok in children or ():
        t = tok.type
        if t in ("text", "text_special"):
            add_text(tok.content)
        elif t in ("softbreak", "hardbreak"):
            add_text(" ")
        elif t == "code_inline":
            add_text(f"`{tok.content}`")
        elif t == "link_open":
            link = Piece("link", "", str(tok.attrs.get("href", "")), strong=strong > 0)
        elif t == "link_close" and link is not None:
            link.text = " ".join(link.text.split())
            out.append(link)
            link = None
        elif t == "image":
            if link is not None and not link.text:
                link.text = tok.content  # a badge: the link keeps the image's alt text
        elif t == "strong_open":
            strong += 1
        elif t == "strong_close":
            strong = max(0, strong - 1)
        elif t == "html_inline":
            html = tok.content.strip()
            if _BR.match(html):
                if link is None:
                    out.append(Piece("br", "\n"))
            elif m := _A_OPEN.match(html):
                link = Piece("link", "", next(g for g in m.groups() if g is not None), strong=strong > 0)
            elif _A_CLOSE.match(html) and link is not None:
                link.text = " ".join(link.text.split())
                out.append(link)
                link = None
            elif m := _STRONG_HTML.match(html):
                strong = max(0, strong - 1) if m.group(1) else strong + 1
    if link is not None:  # an unclosed <a>: keep what it said
        out.append(link)
    return out


@dataclass
class Span:
    start: int
    end: int
    piece: Piece


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


# Reading one candidate --------------------------------------------------------------------------


@dataclass
class Analysis:
    title: str = ""
    venue: str | None = None
    year: int | None = None
    links: list[Link] = field(default_factory=list)
    anchor_only: bool = False  # every link points inside the document (#...)
    title_from_link: bool = False
    title_bold: bool = False
    tagged: bool = False  # a leading venue tag such as "[OSDI'22]" was read
    generic_links_only: bool = False  # links exist but all are labels like "[paper]"
    text: str = ""  # the whole display text


def _is_generic(text: str) -> bool:
    t = re.sub(r"[\[\](){}:：!*_~`|🔗📄💻]+", " ", text).strip().lower()
    t = " ".join(t.split())
    return not t or t in GENERIC_LINK_TEXTS or len(t) <= 2


def _venue_only(text: str) -> bool:
    """A short link text that names a venue ("NSDI 2023"), not a paper."""
    if len(text.split()) > 5:
        return False
    venue, year = parse_venue_year(text)
    return venue is not None and year is not None


def _clean_title(raw: str, a: Analysis) -> str:
    t = " ".join(raw.replace("\n", " ").replace("（", "(").replace("）", ")").split())
    for _ in range(6):
        before = t
        t = _TRAILING_OPEN.sub("", t) if t.count("(") > t.count(")") or t.count("[") > t.count("]") else t
        if m := _TRAILING_PAREN.search(t):
            content = m.group(1).strip()
            venue, year = parse_venue_year(content)
            low = content.lower()
            if venue or year or low.startswith(("preprint", "to appear", "under review", "tech report")):
                a.venue = a.venue or venue
                a.year = a.year or year
                t = t[: m.start()]
            elif content.startswith("`") and content.endswith("`"):
                t = t[: m.start()]  # a trailing code-name annotation like (`PAI`)
        if m := _TRAILING_BRACKET.search(t):
            venue, year = parse_venue_year(m.group(1))
            a.venue = a.venue or venue
            a.year = a.year or year
            t = t[: m.start()]
        if m := _TRAILING_VENUE.search(t):  # "Title, MLSys 2023"
            venue, year = parse_venue_year(m.group(1))
            if venue and normalize_venue(venue.split(" ")[0]):
                a.venue = a.venue or venue
                a.year = a.year or year
                t = t[: m.start()]
        t = t.strip().rstrip(".,;:|-–—").strip()
        if t == before:
            break
    if len(t) >= 2 and t[0] in "\"“'" and t[-1] in "\"”'":
        t = t[1:-1].strip()
    return t


def _venue_from_rest(rest: str, a: Analysis) -> None:
    """Venue and year written after the title: "(NSDI 2023)", "Authors. NeurIPS 2023.", "(2021)"."""
    if a.venue and a.year:
        return
    for m in _PAREN.finditer(rest):
        venue, year = parse_venue_year(m.group(1))
        if venue or year:
            a.venue = a.venue or venue
            a.year = a.year or year
            return
    for m in _VENUE_IN_TEXT.finditer(rest):
        venue = normalize_venue(m.group(1))  # known venues only: free text is noisy
        if venue:
            a.venue = a.venue or venue
            a.year = a.year or parse_year(m.group(2))
            return


def _analyze(pieces: list[Piece]) -> Analysis:
    text, link_spans, bold_spans = _display(pieces)
    a = Analysis(text=" ".join(text.split()))
    for s in link_spans:
        url = s.piece.url.strip()
        if url and not url.startswith("#"):
            a.links.append(Link(url=url, text=s.piece.text))
    a.anchor_only = bool(link_spans) and not a.links
    # Bare URLs in the text are links too (lists often paste them).
    for m in _BARE_URL.finditer(text):
        if not any(s.start <= m.start() < s.end for s in link_spans):
            a.links.append(Link(url=m.group(0), text=""))

    def link_at(pos: int) -> Span | None:
        return next((s for s in link_spans if s.start <= pos < s.end or (s.start == pos)), None)

    def bold_at(pos: int) -> Span | None:
        return next((s for s in bold_spans if s.start == pos), None)

    pos = 0
    # 1. Leading tags: "[OSDI'22]", "[Survey :mag:]", "[arxiv, 2022]" (brackets with no link inside).
    while m := _LEADING_TAG.match(text, pos):
        if any(s.start < m.end() and s.end > m.start() for s in link_spans):
            break
        content = m.group(1)
        if not _SURVEY_TAG.match(content):
            venue, year = parse_venue_year(content)
            a.venue = a.venue or venue
            a.year = a.year or year
            a.tagged = a.tagged or bool(venue or year)
        pos = m.end()
    # 2. Links before the title: "[[pdf](u)] [[code](u)] Title", "[NSDI 2023](u) Title".
    while True:
        ws = len(text) - len(text[pos:].lstrip(" \t[]()|·•-"))
        span = link_at(ws)
        if span is not None and (_is_generic(span.piece.text) or _venue_only(span.piece.text)):
            if _venue_only(span.piece.text):
                venue, year = parse_venue_year(span.piece.text)
                a.venue, a.year = a.venue or venue, a.year or year
            pos = span.end
            continue
        pos = ws if text[pos:ws].strip(" \t[]()|·•-") == "" else pos
        break
    start = len(text) - len(text[pos:].lstrip())
    # 3. The title: a link's text, a bold run, or the text up to the first link or <br>.
    span = link_at(start)
    bold = bold_at(start)
    if span is not None and span.start == start:
        title_raw, end = span.piece.text, span.end
        a.title_from_link = True
    elif bold is not None:
        title_raw, end = bold.piece.text, bold.end
        a.title_bold = True
    else:
        stops = [s.start for s in link_spans if s.start > start]
        br = text.find("\n", start)
        if br >= 0:
            stops.append(br)
        end = min(stops) if stops else len(text)
        title_raw = text[start:end]
    a.title = _clean_title(title_raw, a)
    _venue_from_rest(text[end:], a)
    if a.links and all(_is_generic(link.text) for link in a.links if link.text) and not a.title:
        a.generic_links_only = True
    return a


# Deciding what is a paper -----------------------------------------------------------------------


def _http_links(a: Analysis) -> list[Link]:
    return [link for link in a.links if link.url.lower().startswith(("http://", "https://", "www."))]


def _is_repo_link(url: str) -> bool:
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in _SOFTWARE_HOSTS)


def _classify(a: Analysis, section: tuple[str, ...]) -> str | None:
    """None for a paper, else the reason it is not one."""
    title = a.title
    http = _http_links(a)
    dated = a.venue is not None or a.year is not None
    if a.anchor_only and not dated:
        return "table-of-contents link"
    if not title and not a.links:
        return "empty item"
    if a.generic_links_only or not title:
        return "note: links without a title"
    if title.lower().startswith(("http://", "https://", "www.")):
        return "bare URL without a title"
    if _NOTE_START.match(title) and not a.tagged:
        return "note about the paper above"
    if _PLACEHOLDER.match(normalize_title(title)):
        return "placeholder"
    if any(_TOC_SECTION.match(s) for s in section):
        return "table of contents"
    if not dated:
        if not http:
            if _ACRONYM.match(title) and len(title.split()) <= 10:
                return "acronym or glossary line"
            return "no link, venue or year (a note or a category)"
        hosts = [host_of(link.url) for link in http]
        if any(h == r or h.endswith("." + r) for h in hosts for r in _RESOURCE_HOSTS) or _RESOURCE_WORDS.search(title):
            return "course, video or other resource"
        if any(_NOT_PAPER_SECTION.search(s) for s in section[1:] or section):
            return f"not a paper section ({section[-1]})"
        if all(_is_repo_link(link.url) for link in http) and ids_from_links(http).is_empty():
            return "software repository"
    if len(normalize_title(title)) < 2:
        return "no title"
    return None


# Chunking large inputs --------------------------------------------------------------------------

CHUNK_LINES = 4000
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_LONG_OPEN = re.compile(r"^ {0,3}<(?:pre|script|style|textarea|!--)", re.I)
_HTML_LONG_CLOSE = re.compile(r"</(?:pre|script|style|textarea)>|-->", re.I)
_LIST_START = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")


def _chunks(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) line ranges; each boundary is a line at column 0 that starts a new top-level block
    (after a blank line, or a new top-level list item), never inside a fence or a long HTML block."""
    n = len(lines)
    start = 0
    fence: str | None = None
    in_html = False
    for i, line in enumerate(lines):
        if fence is not None:
            if line.lstrip().startswith(fence):
                fence = None
            continue
        if in_html:
            if _HTML_LONG_CLOSE.search(line):
                in_html = False
            continue
        if i - start >= CHUNK_LINES and line and not line[0].isspace() and line[0] != "|":
            prev = lines[i - 1]
            if not prev.strip() or (_LIST_START.match(line) and _LIST_START.match(prev) and not prev.rstrip().endswith("|")):
                yield start, i
                start = i
        if m := _FENCE.match(line):
            fence = m.group(1)[:3]
        elif _HTML_LONG_OPEN.match(line) and not _HTML_LONG_CLOSE.search(line):
            in_html = True
    if start < n:
        yield start, n


# The scanner ------------------------------------------------------------------------------------


@dataclass
class _Draft:
    """An entry being built (notes may still add links)."""

    line: int
    end_line: int
    section: tuple[str, ...]
    analysis: Analysis
    kind: str
    links: list[Link]


class _Scanner:
    def __init__(self, lines: list[str], env: dict) -> None:
        self.lines = lines
        self.env = env  # reference definitions of the whole document
        self.headings: list[tuple[int, str]] = []
        self.drafts: list[_Draft] = []
        self.skipped: list[Skipped] = []
        self.last_draft: _Draft | None = None  # the paper a following note belongs to

    # -- helpers
    @property
    def section(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.headings)

    def _last_nonblank(self, start: int, end: int) -> int:
        """1-based last non-blank line in the 0-based [start, end) range."""
        end = min(end, len(self.lines))
        for i in range(end - 1, start - 1, -1):
            if self.lines[i].strip():
                return i + 1
        return start + 1

    def _offer(self, a: Analysis, line: int, end_line: int, kind: str, parent: _Draft | None = None,
               note_target: _Draft | None = None) -> _Draft | None:
        """Record a candidate as a paper, or as skipped (giving a note's links to its paper)."""
        reason = _classify(a, self.section)
        if reason is None:
            draft = _Draft(line, end_line, self.section, a, kind, list(a.links))
            self.drafts.append(draft)
            self.last_draft = draft
            return draft
        target = parent or note_target
        is_note = reason.startswith("note") or (parent is not None and not (a.venue or a.year))
        if is_note and target is not None:
            if a.links:
                for link in a.links:
                    if link not in target.links:
                        target.links.append(link)
                reason = f"{reason}; links added to the entry on line {target.line}"
            # The note is part of its paper's lines (it follows it directly).
            target.end_line = max(target.end_line, end_line)
            if parent is not None and not reason.startswith("note"):
                reason = f"note under the entry on line {parent.line} ({reason})"
        elif parent is None:
            self.last_draft = None  # anything else ends the run of notes after a paper
        self.skipped.append(Skipped(line, end_line, a.text[:200], reason))
        return None

    # -- token walk
    def run(self, tokens: list[Token], offset: int) -> None:
        i = 0
        n = len(tokens)
        item_stack: list[dict] = []  # open list items: {"draft", "seen_para", "kind", "item_map"}
        list_kinds: list[str] = []
        while i < n:
            tok = tokens[i]
            t = tok.type
            if t == "heading_open":
                level = int(tok.tag[1:])
                inline = tokens[i + 1]
                text, _, _ = _display(_pieces(_inline(inline, self.env)))
                while self.headings and self.headings[-1][0] >= level:
                    self.headings.pop()
                self.headings.append((level, " ".join(text.split())))
                self.last_draft = None
                i += 3
                continue
            if t in ("bullet_list_open", "ordered_list_open"):
                list_kinds.append("numbered" if t == "ordered_list_open" else "bullet")
            elif t in ("bullet_list_close", "ordered_list_close"):
                list_kinds.pop()
            elif t == "list_item_open":
                item_stack.append({"draft": None, "seen_para": False, "map": tok.map, "kind": list_kinds[-1] if list_kinds else "bullet"})
            elif t == "list_item_close":
                item_stack.pop()
            elif t == "inline" and item_stack and tokens[i - 1].type == "paragraph_open":
                item = item_stack[-1]
                pmap = tokens[i - 1].map or item["map"]
                line = pmap[0] + offset + 1
                end_line = self._last_nonblank(pmap[0] + offset, pmap[1] + offset)
                if len(tok.content) > MAX_ENTRY_CHARS:
                    item["seen_para"] = True
                    self.skipped.append(Skipped(pmap[0] + offset + 1, pmap[1] + offset, tok.content[:200],
                                                f"too long for one entry ({len(tok.content)} characters)"))
                    i += 1
                    continue
                a = _analyze(_pieces(_inline(tok, self.env)))
                parent = None
                for outer in reversed(item_stack[:-1]):
                    parent = outer["draft"]
                    break
                if item["seen_para"]:
                    # A later paragraph of the same item: a note about it.
                    owner = item["draft"]
                    if owner is not None and a.links:
                        owner.links.extend(link for link in a.links if link not in owner.links)
                        owner.end_line = max(owner.end_line, end_line)
                else:
                    item["seen_para"] = True
                    note_target = self.last_draft if parent is None else None
                    item["draft"] = self._offer(a, line, end_line, item["kind"], parent=parent, note_target=note_target)
            elif t == "table_open":
                i = self._table(tokens, i, offset)
                self.last_draft = None
                continue
            elif t == "inline" and tokens[i - 1].type == "paragraph_open" and not item_stack:
                self._paragraph(tok, tokens[i - 1].map, offset)
            elif t == "html_block" and not item_stack:
                self._html_block(tok, offset)
            i += 1

    def _paragraph(self, tok: Token, pmap: list[int] | None, offset: int) -> None:
        """A top-level paragraph is an entry only when it starts with a bold or linked title."""
        self.last_draft = None
        if not pmap:
            return
        if not tok.content.lstrip().startswith(("**", "__", "[", "<")):
            return  # prose: an entry paragraph starts with its bold or linked title
        a = _analyze(_pieces(_inline(tok, self.env)))
        if not (a.title_bold or a.title_from_link) or len(a.text) > 600:
            return
        if not (a.venue or a.year or not ids_from_links(a.links).is_empty()):
            return
        line = pmap[0] + offset + 1
        if _classify(a, self.section) is None:
            self._offer(a, line, self._last_nonblank(pmap[0] + offset, pmap[1] + offset), "paragraph")
        self.last_draft = None

    def _html_block(self, tok: Token, offset: int) -> None:
        """<details> blocks and HTML lists: parse what is inside, keeping line numbers."""
        if not tok.map:
            return
        content = tok.content
        inner = re.sub(r"</?(?:details|summary|div|p|center|section|span)\b[^>]*>", "", content, flags=re.I)
        if "<a " in inner.lower() or "<li" in inner.lower() or "<td" in inner.lower():
            # One HTML element per line: read each line's inline HTML as an item.
            for k, raw in enumerate(inner.split("\n")):
                if not re.search(r"<a\s", raw, re.I):
                    continue
                html_line = re.sub(r"</?(?:li|ul|ol|tr|td|th|table|tbody|thead)\b[^>]*>", " ", raw, flags=re.I)
                pieces = _pieces(_inline(Token("inline", "", 0, content=html_line, children=None), self.env))
                a = _analyze(pieces)
                line = tok.map[0] + offset + k + 1
                self._offer(a, line, line, "bullet")
            return
        if inner.strip() and inner.strip() != content.strip():
            sub = _MD.parse(inner, dict(self.env))
            self.run(sub, tok.map[0] + offset)

    def _table(self, tokens: list[Token], i: int, offset: int) -> int:
        """Rows of a table -> entries; returns the index after table_close."""
        rows: list[tuple[list[int] | None, list[Token]]] = []
        header: list[str] = []
        j = i + 1
        current: list[Token] | None = None
        row_map = None
        in_head = False
        while j < len(tokens) and tokens[j].type != "table_close":
            tt = tokens[j].type
            if tt == "thead_open":
                in_head = True
            elif tt == "thead_close":
                in_head = False
            elif tt == "tr_open":
                current, row_map = [], tokens[j].map
            elif tt == "tr_close" and current is not None:
                if in_head:
                    header = [" ".join(_display(_pieces(_inline(c, self.env)))[0].split()).lower() for c in current]
                else:
                    rows.append((row_map, current))
                current = None
            elif tt == "inline" and current is not None:
                current.append(tokens[j])
            j += 1
        end = j + 1
        roles = _column_roles(header)
        title_col = roles.get("title")
        cells_of = [[_pieces(_inline(c, self.env)) for c in cells] for _, cells in rows]
        software = roles.get("software", False)
        if not software and roles.get("name_only") and title_col is not None:
            repo_rows = sum(1 for cells in cells_of if title_col < len(cells) and any(
                p.kind == "link" and _is_repo_link(p.url) for p in cells[title_col]))
            software = repo_rows * 2 > max(1, len(cells_of))
        for (rmap, cells), pieces in zip(rows, cells_of):
            line = (rmap[0] if rmap else 0) + offset + 1
            end_line = (rmap[1] if rmap else 1) + offset
            row_text = " | ".join(" ".join(_display(p)[0].split()) for p in pieces)
            if software:
                self.skipped.append(Skipped(line, end_line, row_text[:200], "software/framework table"))
                continue
            if [" ".join(_display(p)[0].split()).lower() for p in pieces] == header or all(
                _PLACEHOLDER.match(normalize_title(_display(p)[0])) or not _display(p)[0].strip() for p in pieces
            ):
                self.skipped.append(Skipped(line, end_line, row_text[:200], "placeholder row"))
                continue
            tc = title_col if title_col is not None and title_col < len(pieces) else _guess_title_column(pieces, roles)
            a = _analyze(pieces[tc]) if tc is not None else Analysis()
            a.text = row_text
            for k, cell in enumerate(pieces):
                if k == tc:
                    continue
                cell_text = " ".join(_display(cell)[0].split())
                if k == roles.get("year"):
                    a.year = parse_year(cell_text) or a.year
                elif k == roles.get("venue"):
                    venue, year = parse_venue_year(cell_text)
                    a.venue = venue or normalize_venue(cell_text, keep_unknown=True) or a.venue
                    a.year = a.year or year
                else:
                    extra = _analyze(cell)
                    a.links.extend(link for link in extra.links if link not in a.links)
                    if k not in roles.get("other_text", ()):
                        continue
            a.anchor_only = a.anchor_only and not a.links
            self._offer(a, line, end_line, "table")
        return end


_TITLE_HEADERS = ("title", "paper", "papers", "paper title", "paper name", "article", "publication", "work", "name")
_VENUE_HEADERS = ("venue", "publisher", "conference", "conf", "conf.", "journal", "pub", "pub.", "published in",
                  "source", "where", "published", "proceedings", "booktitle")
_YEAR_HEADERS = ("year", "date", "time")
_SOFTWARE_HEADERS = ("framework", "frameworks", "project", "projects", "library", "libraries", "tool", "tools",
                     "repo", "repository", "software", "system", "systems", "model", "models", "dataset", "datasets")


def _column_roles(header: list[str]) -> dict:
    roles: dict = {}
    clean = [re.sub(r"[^\w. ]+", "", h).strip() for h in header]
    for k, h in enumerate(clean):
        if h in _YEAR_HEADERS and "year" not in roles:
            roles["year"] = k
        elif h in _VENUE_HEADERS and "venue" not in roles:
            roles["venue"] = k
    for wanted in _TITLE_HEADERS:
        if wanted in clean:
            roles["title"] = clean.index(wanted)
            roles["name_only"] = wanted == "name"
            break
    if "title" not in roles and clean and any(h in _SOFTWARE_HEADERS for h in clean[:2]):
        roles["software"] = True
    return roles


def _guess_title_column(pieces: list[list[Piece]], roles: dict) -> int | None:
    """Without a recognised header: the cell with the longest non-generic text."""
    best, best_len = None, 0
    for k, cell in enumerate(pieces):
        if k in (roles.get("year"), roles.get("venue")):
            continue
        text = _display(cell)[0].strip()
        if _is_generic(text):
            continue
        if len(text) > best_len:
            best, best_len = k, len(text)
    return best


def _mark_duplicates(drafts: list[_Draft]) -> list[Entry]:
    first_by_key: dict[str, int] = {}
    entries: list[Entry] = []
    for d in drafts:
        ids = ids_from_links(d.links)
        keys = [f"{kind}:{value}" for kind, value in ids.to_dict().items()]
        norm = normalize_title(d.analysis.title)
        if len(norm) >= 10:
            keys.append("title:" + norm)
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


def scan_text(text: str, source: str = "<text>") -> ScanResult:
    """The paper entries of a Markdown list (and the items skipped, with the reason)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    lines = text.split("\n")
    # Reference definitions ([x]: url) are document-wide: collect them once for every chunk.
    env: dict = {}
    ref_lines = [line for line in lines if _REF_DEF.match(line)]
    if ref_lines:
        _MD.parse("\n\n".join(ref_lines), env)
    scanner = _Scanner(lines, env)
    for start, end in _chunks(lines):
        chunk_env = dict(env)
        tokens = _MD.parse("\n".join(lines[start:end]), chunk_env)
        scanner.run(tokens, start)
        del tokens
    return ScanResult(source=source, entries=tuple(_mark_duplicates(scanner.drafts)), skipped=tuple(scanner.skipped))
