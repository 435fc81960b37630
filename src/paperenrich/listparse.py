"""Markdown list -> paper entries (pure; no network).

The text is parsed by markdown-it-pyrs (markdown-it.rs: CommonMark + GFM tables, in Rust); entries
come from its syntax tree and the source map of every node, never from regular expressions over
the whole file:

- list items (bulleted and numbered, nested or flat), table rows, and short paragraphs that
  start with a bold or linked title are the candidates;
- each candidate's inline nodes become a flat list of pieces (text, links, code, <br>), from
  which `_analyze` reads the title, the venue and year, and the links;
- `_classify` decides whether a candidate is a paper or not (table of contents, placeholder,
  software, course or video, acronym, note) and says why;
- notes that carry links ("[arxiv version](...)") give their links to the paper they follow;
- papers listed twice (same id, or same normalised title) are marked with `duplicate_of`.

Large texts are parsed in chunks cut at top-level block boundaries, so memory follows the chunk.
markdown-it.rs recurses once per level of nesting (`> > > ...`, `*a *a *a ...`) and has no depth
limit, so the parse runs with a stack sized from the longest block of the text (see `_parse_safely`)
and lines nested deeper than any list needs are left out first (`_drop_deep_lines`).
"""

from __future__ import annotations

import bisect
import gc
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import Callable, Iterator, TypeVar
from urllib.parse import unquote

from markdown_it.helpers import parseLinkDestination
from markdown_it_pyrs import MarkdownIt, Node

from paperenrich.errors import InputError
from paperenrich.ids import ids_from_links
from paperenrich.model import Entry, Ids, Link, ScanResult, Skipped
from paperenrich.titles import normalize_title
from paperenrich.urls import host_of
from paperenrich.venues import normalize_venue, parse_venue_year, parse_year

# Venue tags ("OSDI'22", "NeurIPS 2023") and link labels ("[paper]") recur all over a list: the
# pure functions that read them are memoised.
_venue_year = lru_cache(maxsize=16384)(parse_venue_year)

# CommonMark's rules and GFM tables and strikethrough, except inline code spans: markdown-it.rs 0.6
# panics on an unclosed backtick inside brackets ("[x `"), so backticks stay literal text (which
# is also how an entry's text showed them: "(`PAI`)").
_MD = MarkdownIt("zero").enable_many([
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference", "html_block",
    "autolink", "emphasis", "entity", "escape", "image", "link", "newline", "html_inline", "table", "strikethrough",
])
MAX_ENTRY_CHARS = 20_000


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
    r"see also|also in|also see|notes?|supplementary|appendix|github|demo)(?![\w-])",  # not "Link-Backdoor: ..."
    re.I,
)
# "Key: value" under a bold title ("- 作者单位: 香港大学, ...", "- Homepage: ...", amusi lines 852, 859)
_LABEL_LINE = re.compile(r"^\s*[^\s:：][^:：]{0,23}[:：]\s*\S")
_NOTE_WORD_END = re.compile(r"\s*(?:[:：(\[]|https?://|$)")
_ACRONYM = re.compile(r"^[A-Za-z0-9&/+.\-]{2,15}\s*(?::|=|—|–|\s-)\s+\S")
_PLACEHOLDER = re.compile(r"^(?:title|paper|papers|name|paper title|paper name|todo|tbd|xxx|\.\.\.|-+)\s*\d*$")
_RESOURCE_WORDS = re.compile(
    r"\b(?:course|courses|textbook|book|books|handbook|lecture|lectures|tutorial|tutorials|video|videos|talk|talks|"
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
    r"abbreviations?|lecture notes|notes|monographs?|popular science|posts|essays?|cheat ?sheets?|puzzles?|"
    r"playlists?)\b",
    re.I,
)
_NEWS_SECTION = re.compile(r"^\W*(?:news|updates?|changelog|what'?s new|recent updates?|announcements?)\W*$", re.I)
_CHAPTER = re.compile(r"^(?:chapter|ch\.|section)\s*\d+\b", re.I)  # (idkaaa 45: "Section 3.4: Mental Models")
_TOC_SECTION = re.compile(r"^\W*(?:table of contents|contents|toc|outline|catalog(?:ue)?)\W*$", re.I)
_SURVEY_TAG = re.compile(r"^\s*survey\b", re.I)

_BR = re.compile(r"^<br\s*/?>$", re.I)
_A_OPEN = re.compile(r"""^<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_A_CLOSE = re.compile(r"^</a\s*>$", re.I)
_STRONG_HTML = re.compile(r"^<(/?)(?:b|strong)\s*>$", re.I)
_BARE_URL = re.compile(r"https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")
_TRAILING_BRACKET = re.compile(r"\s*\[([^\[\]]*)\]\s*$")
# (a date "20200529" before a venue without a year dates it: "20200529 TNNLS [Title](u)")
_DATE_PREFIX = re.compile(r"\s*((?:19|20)\d{2}(?:0[1-9]|1[0-2])[0-3]\d)\s+")
_BARE_TAG = re.compile(r"\s*(?P<tag>[A-Za-z][A-Za-z&.]*(?:\s?[A-Z][A-Za-z.]+)?(?:[’'`]\d{2}|-\d{2}|\s?(?:19|20)\d{2})?)(?:-[a-z]+)?\s+(?:(?:and|&|,)\s+)?")
_DASH_YEAR = re.compile(r"^(.*?)-(\d{2})$")
_LEADING_TAG = re.compile(r"\s*[\[【]([^\[\]【】]*)[\]】]")  # (also "[TSE26】", hzysvilla line 1290)
_VENUE_IN_TEXT = re.compile(r"([A-Za-z][A-Za-z&@/\-]*(?:\s[A-Z][A-Za-z]+)?)\s?([’'`]\d{2}\b|(?:19|20)\d{2}\b)")
# A year after a comma, a month or a capitalised word: "*ICCV*, 2021." (THUYimingLi), "January 2023"
# (yangkky), "Müller et al., SIGGRAPH 2022" and "BMVC 2021" (awesome-NeRF lines 30, 54).
_DATE_YEAR = re.compile(r"(?:,|\b[A-Z][A-Za-z]{1,15}\.?)\s+((?:19|20)\d{2})(?![\w/])")
# (An "/article" path is a paper's when an identifier follows: nature.com/articles/s42256-019-0049-9,
# ojs.aaai.org/index.php/AAAI/article/view/16789; not a post's slug, wired.co.uk/article/police-violence-
# prediction-ndas, deepmind.com/blog/article/traffic-prediction-..., eugeneyan lines 657, 461.)
_PAPER_FILE = re.compile(r"\.pdf(?:$|[?#])|/pdf/|/abs/|/doi/|(?<!/)/paper|/publication|/articles?\b[^#\s]*?\d{2}|/proceedings"
                         r"|/anthology/|jstor\.org/stable/|citation\.cfm|/viewdoc/|scholar\.google\.[a-z.]+/scholar\?", re.I)
# (a JSTOR article: mostafatouny line 365; an ACM citation page, transferlearning line 2733; a CiteSeerX
# download, idkaaa line 35; a Google Scholar search for the title, hzysvilla line 841)
_CITED_YEAR = re.compile(r"\.\s+\(?((?:19|20)\d{2})[a-z]?\)?\.\s*$")  # "... and Wei-Jing Zhu. 2002. [Title](u)"
_APOSTROPHE_SPACE = re.compile(r"([’'`])\s+(\d{2})\b")
_PAREN = re.compile(r"\(([^()]{2,80})\)")
# ("Title, MLSys 2023"; "Title, EMNLP 2023 Main Conference Paper", zjunlp line 109)
_TRAILING_VENUE = re.compile(r"\s*[,;–—]\s*([A-Za-z][\w&@/ .\-]{0,40}?\s*(?:[’'`]\d{2}|(?:19|20)\d{2}))"
                             r"(?:\s+(?:main|conference|paper|findings|long|short|oral|spotlight|poster|track))*\s*$", re.I)
_VENUE_SUFFIX_END = re.compile(r"(?:conference|paper|findings|long|short|oral|spotlight|poster|track)\s*$", re.I)


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


_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_REF_DEF_TARGET = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*")


class _References(list):
    """The reference definition lines of a document, indexed by their normalised label."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.by_label: dict[str, list[str]] = {}
        for line in lines:
            label = _label_key(line[line.index("[") + 1: line.index("]:")])
            self.by_label.setdefault(label, []).append(line)

    def used_by(self, text: str) -> list[str]:
        """The definitions a text can refer to: those whose label it holds in brackets."""
        if not self or "[" not in text:
            return []
        found: list[str] = []
        for label in dict.fromkeys(_label_key(m) for m in _BRACKETED.findall(text)):
            found += self.by_label.get(label, ())
        return found


_BRACKETED = re.compile(r"\[([^\[\]]{1,999})\]")


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _reference_definitions(lines: list[str]) -> _References:
    return _References([line for line in lines if _REF_DEF.match(line)])


def _with_references(text: str, ref_lines: list[str]) -> str:
    """A part of the document followed by the document's reference definitions that it uses, so
    its reference links resolve (after the text, definitions change nothing above them). Only the
    used ones: appending all of them to each of many small parts made the parse quadratic."""
    used = ref_lines.used_by(text) if isinstance(ref_lines, _References) else ref_lines
    return text + "\n\n" + "\n".join(used) if used else text


def _link_url(node: Node, kids: list[Node], src: _Source) -> str:
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
    raw = src.raw_reference(url)  # a reference link: its definition says how it was written
    return raw if raw is not None else url


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


@dataclass(slots=True)  # many are made per entry: slots make them cheaper
class Piece:
    kind: str  # text | link | br
    text: str
    url: str = ""
    strong: bool = False


def _pieces(nodes: list[Node], src: _Source) -> list[Piece]:
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
                link = Piece("link", "", _link_url(node, kids, src), strong > 0)
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


@dataclass(slots=True)
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


@dataclass(slots=True)
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
    title_tags: str = ""  # the curator's bracketed tags before the title ("[Baidu slides] DNN in Baidu Ads")
    paper_column: bool = False  # the title is a table cell under a "Paper"/"Title" header
    text: str = ""  # the whole display text


_LABEL_PUNCTUATION = re.compile(r"[\[\](){}:：!*_~`|🔗📄💻]+")


@lru_cache(maxsize=16384)
def _is_generic(text: str) -> bool:
    t = _LABEL_PUNCTUATION.sub(" ", text).strip().lower()
    t = " ".join(t.split())
    return not t or t in GENERIC_LINK_TEXTS or len(t) <= 2


def _venue_only(text: str) -> bool:
    """A short link text that names a venue ("NSDI 2023"), not a paper."""
    if len(text.split()) > 5 or not _TWO_DIGITS.search(text):  # (every year parse_year reads has two digits)
        return False
    venue, year = _venue_year(text)
    return venue is not None and year is not None


_TWO_DIGITS = re.compile(r"\d\d")


def _drop_unclosed_tail(t: str) -> str:
    """The text without a trailing bracket that is never closed ("Title (ICML" -> "Title").

    Linear: the first opener after the last closer. (A regex search for an opener followed by no
    closer to the end retried from every opener: quadratic on "x ( ( ( ... (2023)".)
    """
    last_close = max(t.rfind(")"), t.rfind("]"))
    opens = [k for k in (t.find("(", last_close + 1), t.find("[", last_close + 1)) if k >= 0]
    return t[: min(opens)].rstrip() if opens else t


_LEADING_SYMBOLS = re.compile(r"^[^\w\"“'(\[{]+")  # "🌟 MME-Survey: ..." (BradyFU line 11)
# "Aaronson. ", "Fortnow & Homer. ", "Blum, et.al. ", and two names before a comma: "Aharonov & Vazirani, "
# (mostafatouny lines 361, 370, 268, 362)
_AUTHOR_PREFIX = re.compile(r"(?:[A-Z][\w'’\-]+\s){0,1}[A-Z][\w'’\-]+(?:(?:\s(?:&|and)\s[A-Z][\w'’\-]+|,?\set\.?\s?al)?\."
                            r"|\s(?:&|and)\s[A-Z][\w'’\-]+,)\s+(?=[A-Z])")
_CJK_AFTER_LATIN = re.compile(r"(?<=[A-Za-z0-9)\]])\s*[\u3400-\u9fff]")
_LEADING_NUMBER = re.compile(r"^\d{1,3}[.)]\s+(?=[A-Z])")  # "**4. HOTR: End-to-End ...**" (amusi line 482)
_BRACKET_TAG = re.compile(r"^\[([^\[\]]{1,40})\]\s*(?=\S)")  # "[DCN] Deep & Cross Network ..." (wzhe06 line 18)
_BIBTEX_BRACES = re.compile(r"\{([^{}]*)\}")  # "{PRETZEL}: Opening the Black Box ..."


def _clean_title(raw: str, a: Analysis) -> str:
    t = " ".join(raw.replace("\n", " ").replace("（", "(").replace("）", ")").split())
    t = _LEADING_SYMBOLS.sub("", _LEADING_NUMBER.sub("", t))
    while m := _BRACKET_TAG.match(t):
        a.title_tags = f"{a.title_tags} {m.group(1)}".strip()
        venue, year = _venue_year(m.group(1))
        if year is None and len(m.group(1).split()) > 1:
            venue = None  # a topic tag, not a venue: "[Recsys Intro]" (wzhe06 line 59)
        a.venue, a.year = a.venue or venue, a.year or year
        t = t[m.end():]
    if "{" in t and "$" not in t:  # braces inside TeX math ("S$^{3}$") are the math's
        t = _BIBTEX_BRACES.sub(r"\1", t)
    for _ in range(6):
        before = t
        t = _drop_unclosed_tail(t) if t.count("(") > t.count(")") or t.count("[") > t.count("]") else t
        # Each trailing pattern ends with a ")", a "]" or a digit: others are not searched.
        if t.rstrip().endswith(")") and (m := _TRAILING_PAREN.search(t)):
            content = m.group(1).strip()
            venue, year = _venue_year(content)
            low = content.lower()
            if venue or year or low.startswith(("preprint", "to appear", "under review", "tech report")):
                a.venue = a.venue or venue
                a.year = a.year or year
                t = t[: m.start()]
            elif content.startswith("`") and content.endswith("`"):
                t = t[: m.start()]  # a trailing code-name annotation like (`PAI`)
        if t.rstrip().endswith("]") and (m := _TRAILING_BRACKET.search(t)):
            venue, year = _venue_year(m.group(1))
            a.venue = a.venue or venue
            a.year = a.year or year
            t = t[: m.start()]
        # (the suffix words are at most 10 letters: searched in the last 10, not tried at every position)
        if (t.rstrip()[-1:].isdigit() or _VENUE_SUFFIX_END.search(t.rstrip()[-10:])) and (m := _TRAILING_VENUE.search(t)):
            venue, year = _venue_year(m.group(1))
            if venue and normalize_venue(venue.split(" ")[0]):
                a.venue = a.venue or venue
                a.year = a.year or year
                t = t[: m.start()]
        t = t.strip().rstrip(".,;:|-–—").strip()
        if t == before:
            break
    if len(t) >= 2 and t[0] in "\"“'" and t[-1] in "\"”'":
        t = t[1:-1].strip()
    if t.endswith(("()", "[]")):  # empty brackets left by broken link syntax ("[Title().", hzysvilla line 50)
        t = t[:-2].rstrip()
    for opener, closer in ("()", "[]"):  # a stray closer left by broken link syntax ("Title)(url)")
        if t.endswith(closer) and t.count(closer) > t.count(opener):
            t = t[:-1].rstrip()
    if not t.isascii() and (m := _CJK_AFTER_LATIN.search(t)) and len(t[:m.start()].split()) >= 3:  # (CJK is not ASCII)
        t = t[:m.start()].rstrip(" ,.;:，。；：")  # "ONLINE BAYESIAN ... MODELING 用贝叶斯的方法..." (transferlearning 2748)
    return t


def _venue_from_rest(rest: str, a: Analysis) -> None:
    """Venue and year written after the title: "(NSDI 2023)", "Authors. NeurIPS 2023.", "(2021)"."""
    if a.venue and a.year:
        return
    for part in rest.split("|")[1:] if "|" in rest else ():  # "... | SOSP' 24"; a "| Google" affiliation is not a venue
        venue, year = _venue_year(_APOSTROPHE_SPACE.sub(r"\1\2", part.strip(" *_`")))
        if venue and year and normalize_venue(venue):
            a.venue, a.year = a.venue or venue, a.year or year
            return
    for m in _PAREN.finditer(rest) if "(" in rest else ():
        venue, year = _venue_year(m.group(1))
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
    if a.year is None and len(a.title.split()) >= 3 and (m := _DATE_YEAR.search(rest)):
        a.year = int(m.group(1))  # "*Bioinformatics, January 2023.*" (yangkky), "*ICCV*, 2021." (THUYimingLi)


def _links(text: str, link_spans: list[Span]) -> tuple[list[Link], bool]:
    """The links of a display text (anchors inside the document left out), and whether it had
    links that were all such anchors."""
    links: list[Link] = []
    for s in link_spans:
        url = s.piece.url.strip()
        if url and not url.startswith("#"):
            links.append(Link(url=url, text=s.piece.text))
    # (An empty target, "[Title]()", is a title without its link yet, not an in-page anchor.)
    anchor_only = not links and any(s.piece.url.strip().startswith("#") for s in link_spans)
    # Bare URLs in the text are links too (lists often paste them).
    if "http" in text:
        for m in _BARE_URL.finditer(text):
            if not any(s.start <= m.start() < s.end for s in link_spans):
                links.append(Link(url=m.group(0), text=""))
    return links, anchor_only


@dataclass(slots=True)
class _Candidate:
    """A span of an entry's display text that may be its title."""

    raw: str
    start: int
    end: int
    kind: str  # link | bold | lead (text up to the first link) | quote | joined | cited
    year_text: str = ""


_QUOTED = re.compile(r"[\"“]([^\"“”\n]{8,400})[\"”]")
# (Used with .match(text, pos), so no "^": it would never match at pos > 0.)
# APA: "Norman, D. A. (1986). Cognitive engineering. In ..." (idkaaa required-reading-list).
_APA = re.compile(r"[^()]{2,400}?\((?P<year>(?:19|20)\d{2})[a-z]?(?:,[^()]{0,40})?\)\.?\s+(?P<title>[^.?!]{3,400}[?!]?)")
_APA_AUTHOR_START = re.compile(  # "Norman, D. A.", "Carlos Alvarez de la Vega, J." (idkaaa line 85)
    r"[A-Z][\w'’\-]+(?:\s(?:[A-Z][\w'’\-]+|de|la|van|von|der|den|del|da|di|le|dos))*,\s(?:[A-Z]\.\s?)+")
# ACL: "Kishore Papineni, ... and Wei-Jing Zhu. 2002. [BLEU: ...](url)" (THUNLP-MT): names, then the year.
_ACL_AUTHORS = re.compile(r"(?:,| and | & ).*\.\s*\(?(?:19|20)\d{2}[a-z]?\)?\.?\s*$")
# A person's name: 2 to 5 capitalised words or initials (one word alone is more often a title's
# word: "Discrimination, Violence, and Unlawful Actions", GT-RIPL line 221).
_NAME_PART = re.compile(r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.)(?:\s+(?:[A-Z][\w'’\-]*\.?|[A-Z]\.|de|van|von|der|den|dos|da|di|le|la|y)){1,4}\s*\d?$")
_AFTER_NAME = re.compile(r"\s*[:：]\s*")
_JOIN_STOP = re.compile(r"\s(?:\||·|•|—|–|-)\s|\n|[\"“](?=\w)")


_ET_AL = re.compile(r"\bet al\b")
_NAME_SEPARATOR = re.compile(r",|\band\b|&")
# The end _ACL_AUTHORS needs (". 2017.", ". (2019a)"), within the last 12 characters of a joined text.
_ACL_YEAR_END = re.compile(r"\.\s*\(?(?:19|20)\d{2}[a-z]?\)?\.?$")


def _looks_like_authors(text: str) -> bool:
    """A list of people (an author line), not a title.

    It is asked of most titles: each regex runs only when the text holds what that regex needs
    (the substring tested before it), which most titles do not.
    """
    joined = " ".join(text.split())
    t = joined.strip(" .,;")
    if not t:
        return False
    if ("et al" in t and _ET_AL.search(t)) or (", " in t and _APA_AUTHOR_START.match(t)) or (
            _ACL_YEAR_END.search(joined[-12:]) and _ACL_AUTHORS.search(joined)):
        return True
    if "," in t or "&" in t or "and" in t:  # else there are no parts to check
        parts = [p.strip() for p in _NAME_SEPARATOR.split(t) if p.strip()]
        if len(parts) >= 3 and all(_NAME_PART.match(p) for p in parts):
            return True
    # "Stefanos Koffas, Stjepan Picek, and Mauro Conti. *AICAS*, 2022." (THUYimingLi): names, then the venue
    if ". " not in t:
        return False
    head = [p.strip() for p in _NAME_SEPARATOR.split(t.split(". ")[0]) if p.strip()]
    return len(head) >= 2 and all(_NAME_PART.match(p) for p in head)


def _names_only(text: str) -> bool:
    parts = [p.strip() for p in re.split(r",|\band\b|&", text.strip(" .")) if p.strip()]
    return len(parts) >= 2 and all(_NAME_PART.match(p) for p in parts)


def _title_score(c: _Candidate, default: _Candidate, text_after: str = "") -> float:
    """How much a candidate looks like the entry's title (the highest wins; ties go to the earliest)."""
    raw = " ".join(c.raw.split())
    words = len(raw.split())
    score = {"quote": 3.0, "joined": 2.5, "cited": 3.0, "link": 2.0, "bold": 2.0, "lead": 1.0}[c.kind]
    if c is default:
        score += 1.0  # where the title usually is: first, on the link or in bold
    if words <= 1:
        score -= 2.5  # a system name ("[Perseus](url): ...", "**TidyBot**: ...")
    elif words == 2:
        score -= 1.0
    if _looks_like_authors(raw):
        score -= 6.0
    if c.kind != "cited" and _venue_only(raw):
        score -= 4.0
    if raw.endswith((":", "：")):
        score -= 3.0  # a label for the link after it ("视觉domain adaptation综述：[Title](url)")
    elif c.kind == "lead" and raw.endswith(".") and _names_only(raw):
        score -= 6.0  # "Ivan Vulić and Anna Korhonen. [Title](url)" (THUNLP-MT line 1097)
    if c is not default and c.kind == "link" and words <= 3 and _RESOURCE_WORDS.search(raw):
        score -= 2.0  # a label for a resource: "[word2vec](pdf) - [implementation](u) - [explainer blog](u)" (keon 390)
    if c.kind in ("link", "bold") and words <= 3 and text_after.startswith((":", "：")):
        score -= 1.0  # a name or a label before its colon ("**System report**: ...", THUNLP-MT line 1164)
    if len(raw) > 300:
        score -= 2.0
    if c.kind == "lead" and ":" in raw and raw.split()[-1][:1].isalpha() and _venue_only(
            raw.split()[-1].replace("-", "'")) and words <= 6:
        score -= 3.0  # "2021 Domain generalization: IJCAI-21 [Title](u)": a label ending in a venue tag
    return score


def _choose_title(text: str, start: int, default: _Candidate, link_spans: list[Span],
                  bold_spans: list[Span]) -> _Candidate:
    """Candidates: the default (the link, bold run or text at the start), the other links and bold
    runs, quoted spans, a name joined with the text after its colon, an APA citation's title."""
    if default.kind == "lead" and (first_bold := next((s for s in bold_spans if s.start > start), None)) and not any(
            ch.isalnum() for ch in text[start:first_bold.start]):
        # only symbols before a bold title: "🌟 **MME-Survey: ...**  \narXiv 2025, [Paper](u)" (BradyFU line 11)
        default = _Candidate(first_bold.piece.text, first_bold.start, first_bold.end, "bold")
    cands = [default]
    for s in link_spans:
        if s.start > start and s.piece.text.strip() and not _is_generic(s.piece.text) and not s.piece.text.startswith(
                ("http://", "https://", "www.")):  # an autolink's text is its URL, never a title
            cands.append(_Candidate(s.piece.text, s.start, s.end, "link"))
    for s in bold_spans:
        if s.start > start:
            cands.append(_Candidate(s.piece.text, s.start, s.end, "bold"))
    for m in _QUOTED.finditer(text, start):
        inside = any(s.start <= m.start() and m.end() <= s.end for s in link_spans + bold_spans)
        if len(m.group(1).split()) >= 3 and not inside:  # quotes inside a linked title are the title's
            # ("[“Can I Not Be Suicidal on a Sunday?”: Understanding ...](u)", idkaaa line 84)
            cands.append(_Candidate(m.group(1), m.start(1), m.end(1), "quote"))
    if default.kind in ("link", "bold") and len(default.raw.split()) <= 8:
        # "[Perseus](url): Removing Energy Bloat ... | SOSP' 24" -> "Perseus: Removing Energy Bloat ..."
        if m := _AFTER_NAME.match(text, default.end):
            stops = [s.start for s in link_spans if s.start >= m.end()]
            if stop := _JOIN_STOP.search(text, m.end()):
                stops.append(stop.start())
            end = min(stops, default=len(text))
            rest = text[m.end():end].strip()
            if len(rest.split()) >= 2 and not _venue_only(rest.strip(" ,.;*_")):
                cands.append(_Candidate(f"{default.raw.strip()}: {rest}", default.start, end, "joined"))
    if default.kind == "lead" and (m := _APA.match(text, start)) and _APA_AUTHOR_START.match(text, start) and not any(
            m.start("title") <= s.start < m.end("title") for s in link_spans):  # a linked title is whole
        cands.append(_Candidate(m.group("title"), m.start("title"), m.end("title"), "cited", m.group("year")))
    if len(cands) == 1:
        return default
    return max(cands, key=lambda c: (_title_score(c, default, text[c.end:c.end + 2].lstrip()), -c.start))


def _span_at(spans: list[Span], pos: int) -> Span | None:
    """The first span holding `pos`. A link with no text ("[](url)", a badge without alt text) has
    no length: it is never "at" a position, so the loops that step over links always advance."""
    for s in spans:
        if s.start <= pos < s.end:
            return s
    return None


def _analyze(pieces: list[Piece]) -> Analysis:
    text, link_spans, bold_spans = _display(pieces)
    a = Analysis(text=" ".join(text.split()))
    a.links, a.anchor_only = _links(text, link_spans)

    pos = 0
    # 1. Leading tags: "[OSDI'22]", "[Survey :mag:]", "[arxiv, 2022]" (brackets with no link inside).
    while m := _LEADING_TAG.match(text, pos):
        if link_spans and any(s.start < m.end() and s.end > m.start() for s in link_spans):
            break
        content = m.group(1)
        if not _SURVEY_TAG.match(content):
            venue, year = _venue_year(content)
            a.venue = a.venue or venue
            a.year = a.year or year
            a.tagged = a.tagged or bool(venue or year)
        pos = m.end()
    # 1b. Unbracketed venue tags before the title, after an optional date: "NeurIPS'22 Polyhistor: ...",
    #     "ICLR'24-spotlight ...", "20191124 AAAI-20 ...", "WSDM-23 and IJCAI-22 A tutorial ..." (transferlearning).
    if _span_at(link_spans, pos) is None:
        tag_pos = pos
        date_year = None
        if d := _DATE_PREFIX.match(text, tag_pos):
            date_year, tag_pos = int(d.group(1)[:4]), d.end()
        while m := _BARE_TAG.match(text, tag_pos):
            token = m.group("tag")
            token = _DASH_YEAR.sub(r"\1'\2", token) if "-" in token else token  # "AAAI-20" -> "AAAI'20"
            venue, year = _venue_year(token)
            if venue is None and date_year is not None:  # "20190305 arXiv [Title]": a venue without a year
                venue = normalize_venue(token)
            known = bool(venue and normalize_venue(venue) and (year or date_year))
            if not known or any(pos <= s.start < m.end() for s in link_spans):  # a tag, not a link's text
                break
            a.venue, a.year, a.tagged = a.venue or venue, a.year or year or date_year, True
            tag_pos, date_year = m.end(), None
        if date_year is not None:  # a date alone before the title: "20191111 [Title](u)"
            a.year, a.tagged = a.year or date_year, True
        if tag_pos > pos and len(text[tag_pos:].split()) >= 3:
            pos = tag_pos
    # 2. Links before the title: "[[pdf](u)] [[code](u)] Title", "[NSDI 2023](u) Title".
    while True:
        ws = len(text) - len(text[pos:].lstrip(" \t[]()|·•-"))
        span = _span_at(link_spans, ws)
        # A venue-like link is a venue only when a title follows it: "[Cluster1908: ...](u)" alone
        # in a title cell is the title (IEEE Cluster is a venue, 1908 reads as a year).
        venue_link = span is not None and _venue_only(span.piece.text) and bool(
            text[span.end:].strip(" \t[]()|·•-"))
        if span is not None and (_is_generic(span.piece.text) or venue_link):
            if venue_link:
                venue, year = _venue_year(span.piece.text)
                a.venue, a.year = a.venue or venue, a.year or year
            pos = span.end
            continue
        pos = ws  # (text[pos:ws] is only the characters stripped)
        break
    start = len(text) - len(text[pos:].lstrip())
    # 3. The title: the best of the candidates the entry offers (see _choose_title).
    span = _span_at(link_spans, start)
    bold = next((s for s in bold_spans if s.start == start), None) if bold_spans else None
    if span is not None:  # (a link text may start with "[": "[[DCN] Deep ...](u)")
        default = _Candidate(span.piece.text, span.start, span.end, "link")
    elif bold is not None:
        default = _Candidate(bold.piece.text, bold.start, bold.end, "bold")
    else:
        stops = [s.start for s in link_spans if s.start > start]
        br = text.find("\n", start)
        if br >= 0:
            stops.append(br)
        end = min(stops) if stops else len(text)
        default = _Candidate(text[start:end], start, end, "lead")
    chosen = _choose_title(text, start, default, link_spans, bold_spans)
    title_raw, end = chosen.raw, chosen.end
    kind = default.kind if chosen.kind in ("joined", "quote") else chosen.kind
    a.title_from_link = kind == "link"
    a.title_bold = kind == "bold"
    if chosen.kind == "cited":
        a.year = a.year or parse_year(chosen.year_text)
    a.title = _clean_title(title_raw, a)
    if a.title_from_link and (m := _AUTHOR_PREFIX.match(a.title)) and len(a.title[m.end():].split()) >= 3:
        a.title = a.title[m.end():]  # "[Aaronson. Why Should Philosophers Care ...](u)" (mostafatouny 361)
    _venue_from_rest(text[end:], a)
    if chosen.start > start and not a.year:  # "Authors. 2017. [Title](url)": the year came first
        prefix = text[start:chosen.start]
        if m := _CITED_YEAR.search(prefix):
            a.year = int(m.group(1))
        _venue_from_rest(prefix, a)
    if a.links and all(_is_generic(link.text) for link in a.links if link.text) and not a.title:
        a.generic_links_only = True
    return a


# Deciding what is a paper -----------------------------------------------------------------------


def _http_links(a: Analysis) -> list[Link]:
    return [link for link in a.links if link.url.lower().startswith(("http://", "https://", "www."))]


def _is_repo_link(url: str) -> bool:
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in _SOFTWARE_HOSTS)


@lru_cache(maxsize=1024)
def _not_paper_section(heading: str) -> bool:
    """A heading that names a kind of thing that is not a paper ("Tools", "Other Useful Resources").
    Only short headings: a longer one names a topic ("Image and Video Classification", the papers
    of THUYimingLi's backdoor list from line 212 on), unless it ends on the kind of thing: "Selected
    Posts and Essays" (mostafatouny line 397) names its items, "Image and Video Classification" does not."""
    words = re.findall(r"\w+", heading)
    names_kind = len(words) <= 3 or bool(words and _NOT_PAPER_SECTION.fullmatch(words[-1]))
    return names_kind and bool(_NOT_PAPER_SECTION.search(heading)) and not _PAPER_WORDS.search(heading)


# Headings of things to read or watch that are not papers. Narrower than _NOT_PAPER_SECTION: papers
# about tools and frameworks sit under "### Tools and datasets" (yangkky line 202) or "Optimizer
# Framework" (lonng line 131) with their years.
_READING_SECTION = re.compile(
    r"\b(?:books?|textbooks?|handbooks?|lecture notes|lectures?|courses?|mooc|videos?|playlists?|posts|essays?|blogs?|"
    r"talks?|tutorials?|podcasts?|cheat ?sheets?|popular science)\b", re.I)


@lru_cache(maxsize=1024)
def _reading_section(heading: str) -> bool:
    """A heading naming books, lecture notes, courses, videos, posts... (in the way of `_not_paper_section`)."""
    return _not_paper_section(heading) and bool(_READING_SECTION.search(heading))


_PAPER_WORDS = re.compile(r"\b(?:papers?|surveys?|articles?|publications?)\b", re.I)  # "Surveys & Monographs"
_YEAR_HEADING = re.compile(r"^\W*((?:19|20)\d{2})\W*$")


@lru_cache(maxsize=1024)
def _heading_year(heading: str) -> int | None:
    """The year of a heading that is only a year or a venue and year ("#### 2022", THUYimingLi
    line 230; "### sp2025", "### ccs2024", hzysvilla lines 52, 80): its entries are of that year."""
    if m := _YEAR_HEADING.match(heading):
        return int(m.group(1))
    if len(heading.split()) <= 2:
        return _venue_year(heading)[1]
    return None


@lru_cache(maxsize=1024)  # every entry of a section asks the same
def _in_table_of_contents(section: tuple[str, ...]) -> bool:
    # Only the innermost heading: a table of contents is a list right under its own heading, and
    # headings below a "Table of Contents" heading are the content (Data-Centric-GraphML line 22:
    # a level-1 "Table of Contents" heading over every "##" section of papers).
    return bool(section) and bool(_TOC_SECTION.match(section[-1]))


def _resource_title(title: str, http: list[Link]) -> bool:
    """A title that names a course, a book, slides, a talk... With a paper id among the links it is
    a paper ("Learning to be Relevant: Evolution of a Course Recommendation System", eugeneyan line
    200); with only a PDF the resource word must open or close the title ("Search Ranking and
    Personalization at Airbnb Slides", wzhe06 line 81; not "... Detection for Video Conferencing")."""
    if not _RESOURCE_WORDS.search(title):
        return False
    if not ids_from_links(http).is_empty():
        return False
    if not any(_PAPER_FILE.search(link.url) for link in http):
        return True
    return _resource_word_at_end(title)


def _resource_word_at_end(title: str) -> bool:
    """A title that opens or closes on a resource word ("Thompson Sampling Slides", "... Handbook")."""
    words = re.findall(r"\w+", title)
    return bool(words) and bool(_RESOURCE_WORDS.fullmatch(words[0]) or _RESOURCE_WORDS.fullmatch(words[-1]))


def _has_paper_link(http: list[Link]) -> bool:
    """A link to a paper: one with a paper id, or a paper's path (a PDF, /abs/, /doi/ ...)."""
    return not ids_from_links(http).is_empty() or any(_PAPER_FILE.search(link.url) for link in http)


# A blog post or press page: a "blog" host or a blog/press/news path segment (eugeneyan lines 241, 367, 461).
_BLOG_LINK = re.compile(r"^https?://(?:[^/?#]*blog[^/?#]*(?:[/?#]|$)|[^/?#]+/(?:[^?#]*/)?(?:blogs?|press|news)/)", re.I)
# A link labelled as the item's paper: "([Paper](url))" beside a blog post's or a talk's title (eugeneyan).
_PAPER_LABEL = re.compile(r"paper|pdf|full paper|preprint|paper link|pdf link")
# A file on a sharing service: as the link of a paper's title, the paper's PDF (transferlearning lines
# 72-75 "[Visual Domain Adaptation: A Survey of Recent Advances](https://pan.baidu.com/s/1o8BR7Vc)",
# 795 "[Domain adaptation via tranfer component analysis](https://mega.nz/#!JTwElLrL!...)").
_SHARED_FILE = re.compile(
    r"^https?://(?:pan\.baidu\.com/s/|mega\.nz/(?:#!|file/)|drive\.google\.com/(?:file/d/|open\?id=)|"
    r"(?:www\.)?dropbox\.com/(?:s|scl/fi)/)", re.I)


# A link to a book: a path segment "book" or "books" (springer.com/gp/book/978..., link.springer.com/book/10.1007/...,
# onlinelibrary.wiley.com/doi/book/..., routledge.com/.../p/book/..., mostafatouny lines 121, 367, 369).
# (A chapter of a proceedings volume has a "/chapter/" path and a DOI ending in "_<n>": a paper.)
_BOOK_LINK = re.compile(r"^https?://[^/?#]+/(?:[^?#]*/)?books?(?:[/?#]|$)", re.I)
# A talk's or slides' file ("https://www.cs.cmu.edu/~avrim/Talks/mlt.pdf", mostafatouny line 267).
_TALK_LINK = re.compile(r"^https?://[^/?#]+/(?:[^?#]*/)?(?:talks?|slides?)/", re.I)


_VERSION = re.compile(r"[/&+]|v?\d[\d.]*[a-z]?")  # "/", "2.5", "v2", "3B": not a word of a name


def _release_not_paper(a: Analysis, http: list[Link]) -> bool:
    """A short name (at most three words, versions aside) dated only by a release year or by an
    organisation, linked to code, a model hub or a product page and to no paper: a model, dataset
    or product release. keon's awesome-nlp lines 633 "[Dolma](github) (AI2, 2023-2024)", 677
    "[Qwen 2.5 / Qwen 3](https://qwenlm.github.io/) (Alibaba, 2024-2025)", 722 "[LiveBench](https://livebench.ai/)
    (2024)", BradyFU line 490 "[**Introducing GPT-5**](openai.com) | OpenAI | 2025-08-07". A publication
    venue keeps it a paper ("20180428 CVPR-18 ...: [Deep Mutual Learning](github)", transferlearning
    line 1819), and so does any paper link (an ACM citation page, a Scholar search: `_PAPER_FILE`)."""
    if not http or len([w for w in a.title.split() if not _VERSION.fullmatch(w)]) > 3:
        return False
    return not (a.venue and normalize_venue(a.venue)) and not _has_paper_link(http)


def _classify(a: Analysis, section: tuple[str, ...]) -> str | None:
    """None for a paper, else the reason it is not one."""
    title = a.title
    http = _http_links(a)
    dated = a.venue is not None or a.year is not None
    if a.anchor_only and not dated:
        return "table-of-contents link"
    if http and a.title_from_link and _BOOK_LINK.match(http[0].url):
        return "a book"
    if not title and not a.links:
        return "empty item"
    if a.generic_links_only or not title:
        return "note: links without a title"
    if title.lower().startswith(("http://", "https://", "www.")):
        return "bare URL without a title"
    if (m := _NOTE_START.match(title)) and not a.tagged and (
            " " in m.group(0) or len(title.split()) <= 3 or _NOTE_WORD_END.match(title, m.end())) and not (
            a.title_from_link and len(title[m.end():].split()) >= 4 and _has_paper_link(http[:1])):
        # (a paper's own link text may open on its venue: "[arXiv: Natural Language Processing (Almost)
        # from Scratch](pdf)", keon line 156; "Code: [url]" or "[paper](url)" are notes)
        return "note about the paper above"  # not "Code Vectors: Understanding Programs ..." (src-d line 161)
    if not a.title_from_link and _looks_like_authors(title):
        return "note: an author line"  # "  - A, B, and C. *ICCV*, 2021." under its paper (THUYimingLi)
    if _PLACEHOLDER.match(normalize_title(title)):
        return "placeholder"
    if _in_table_of_contents(section):
        return "table of contents"
    if section and _NEWS_SECTION.match(section[-1]):
        return "news"  # "## 🔔 News": "2024-09-26 Our paper ... is accepted" (zjunlp 24-36, THUYimingLi 13)
    if _CHAPTER.match(title):
        return "book chapter"  # "Chapter 2: The Psychology of Everyday Actions" (idkaaa lines 25, 41, 47, 66)
    if not dated:
        if not http and a.paper_column and a.links and len(title.split()) >= 4:
            # A title under a "Paper" header with a link that is not a URL: the header says what it
            # is ("<td>Modeling individual head-related transfer functions ...</td>" with
            # href="8/2873496/Modeling-individual-head-related-transfer?redirectedFrom=fulltext", ASAudio line 209)
            return None if len(normalize_title(title)) >= 2 else "no title"
        if not http:
            if _ACRONYM.match(title) and len(title.split()) <= 10:
                return "acronym or glossary line"
            return "no link, venue or year (a note or a category)"
        hosts = [host_of(link.url) for link in http]
        paper_link = _has_paper_link(http) or (a.title_from_link and bool(_SHARED_FILE.match(http[0].url)))
        # (the title's own link: a second one to a blog or video is commentary, transferlearning line 50)
        on_resource = [any(h == r or h.endswith("." + r) for r in _RESOURCE_HOSTS) for h in hosts]
        # "[Blog post or talk title](url) ([Paper](url))": the item carries its paper (eugeneyan lines 134, 157, 326)
        labelled_paper = any(_PAPER_LABEL.fullmatch(_LABEL_PUNCTUATION.sub(" ", link.text).strip().lower())
                             for link in http[1:] if link.text)
        blog_title = a.title_from_link and bool(_BLOG_LINK.match(http[0].url))
        if not labelled_paper and (on_resource[0] or (
                any(on_resource) and ids_from_links(http).is_empty()) or _resource_title(title, http) or (
                a.title_from_link and _TALK_LINK.match(http[0].url) and ids_from_links(http).is_empty())):
            return "course, video or other resource"
        if _not_paper_section(section[-1] if section else ""):  # the innermost heading: zjunlp puts
            # every paper under "## 📜 Resources" > "### Surveys", "### Methods", ...
            return f"not a paper section ({section[-1]})"
        if blog_title and not labelled_paper:
            return "blog post or press page"
        if all(_is_repo_link(link.url) for link in http) and ids_from_links(http).is_empty():
            return "software repository"
        if not paper_link and not labelled_paper and not (a.paper_column and len(title.split()) >= 4):
            # (a "Paper" column's title with a journal's page: mdpi.com/2076-3417/12/16/8155, ASAudio line 194)
            # No venue, no year, no paper id and no PDF: a site, a service, a lab, a dataset page
            # (keon's awesome-nlp: "[NLP Cloud](https://nlpcloud.io)", "[Penn NLP](https://nlp.cis.upenn.edu/)").
            return "link to a web site, not to a paper"
    # (the checks below run for most entries: the cheap, cached ones first)
    if dated and _reading_section(section[-1] if section else "") and not (
            a.venue and normalize_venue(a.venue)) and ids_from_links(http).is_empty():
        # Dated by a year alone, under a heading that names what its items are: the year is the
        # edition's or the course's ("### Books" > "Structure and Interpretation of Computer Programs
        # - [MIT OCW](...spring-2005...)", "#### Lecture Notes" > "[Aspnes. Notes on Discrete Mathematics](u)
        # - Fall 2017 ...", mostafatouny lines 174, 325; "Selected Posts and Essays", 399, 407).
        return f"not a paper section ({section[-1]})"
    if dated and (_RESOURCE_WORDS.search(a.title_tags) or _resource_word_at_end(title)) and not (
            a.venue and normalize_venue(a.venue)) and ids_from_links(http).is_empty():
        # Dated by an organisation and a year, named as slides, a handbook...: wzhe06 lines 59
        # "[[Recsys Intro] Recommender Systems Handbook (FRicci 2011)](pdf)", 60 "[[Recsys Intro slides] ...",
        # 81 "... at Airbnb Slides (Airbnb 2018)", 82 "[[Baidu slides] DNN in Baidu Ads (Baidu 2017)]".
        return "course, video or other resource"
    if dated and _release_not_paper(a, http):
        return "a release (model, dataset, software) linked to its code or site, not a paper"
    if len(normalize_title(title)) < 2:
        return "no title"
    return None



# Reasons an undated item is not a paper, that a venue or year in its sub-items would overturn.
_UNDATED_REASONS = ("no link, venue or year", "not a paper section", "link to a web site")


# The scanner ------------------------------------------------------------------------------------

# Node names of inline content (anything else under a list item is a block).
_INLINE_NODES = frozenset({"text", "text_special", "softbreak", "hardbreak", "link", "autolink", "image", "em",
                           "strong", "strikethrough", "code_inline", "html_inline"})


@dataclass(slots=True)
class _Draft:
    """An entry being built (notes may still add links)."""

    line: int
    end_line: int
    section: tuple[str, ...]
    analysis: Analysis
    kind: str
    links: list[Link]
    provisional: bool = False  # a bold title alone: a paper only if notes follow it
    provisional_end: int = 0
    wait_reason: str = ""  # a provisional list item: why it is not a paper unless dated by its notes
    papers_under: list["_Draft"] = field(default_factory=list)  # its sub-items that are papers


@dataclass(slots=True)
class _Item:
    """An open list item."""

    kind: str
    draft: _Draft | None = None
    seen_para: bool = False
    has_sublist: bool = False  # its notes (authors, venue, year) are still to come
    end: int = 0  # byte offset where the item ends


class _Scanner:
    def __init__(self, src: _Source) -> None:
        self.src = src
        self.headings: list[tuple[int, str]] = []
        self.section: tuple[str, ...] = ()  # the heading path (the texts of self.headings)
        self.drafts: list[_Draft] = []
        self.skipped: list[Skipped] = []
        self.last_draft: _Draft | None = None  # the paper a following note belongs to
        self.items: list[_Item] = []  # open list items, outermost first
        self.list_kinds: list[str] = []

    def confirmed_drafts(self) -> list[_Draft]:
        """The drafts that are papers: a provisional one needs notes after it ("- Paper: ...",
        "- Code: ..."), an id, a venue or a year by now."""
        kept = []
        adopted = {id(d.papers_under[0]) for d in self.drafts if self._adopts(d)}
        for d in self.drafts:
            if id(d) in adopted:
                continue  # it became its category item's entry
            if self._adopts(d):
                self._take_paper(d, d.papers_under[0])
            dated = d.analysis.venue or d.analysis.year or not ids_from_links(d.links).is_empty()
            if d.provisional and d.wait_reason and not dated:
                self.skipped.append(Skipped(d.line, d.end_line, d.analysis.text[:200], d.wait_reason))
            elif d.provisional and not d.wait_reason and d.end_line == d.provisional_end and not dated:
                self.skipped.append(Skipped(d.line, d.end_line, d.analysis.text[:200], "bold line without a paper link"))
            else:
                kept.append(d)
        return kept

    @staticmethod
    def _adopts(d: _Draft) -> bool:
        """A linkless name item with exactly one paper among its sub-items is that paper
        (transferlearning line 794: "- 迁移成分分析方法(Transfer component analysis, TCA)", then
        "[Domain adaptation via tranfer component analysis](url)", "发表在IEEE Trans. ...", "[我的解读](url)");
        with several ("- Survey on applications - 应用导向的综述：", lines 71-75) it is a category."""
        return d.provisional and len(d.papers_under) == 1 and d.wait_reason.startswith("no link, venue or year")

    @staticmethod
    def _take_paper(d: _Draft, paper: _Draft) -> None:
        venue, year = d.analysis.venue, d.analysis.year  # from its notes ("发表在CVPR-12上")
        d.analysis = paper.analysis
        d.analysis.venue, d.analysis.year = paper.analysis.venue or venue, paper.analysis.year or year
        d.links = paper.links + [link for link in d.links if link not in paper.links]
        d.end_line = max(d.end_line, paper.end_line)
        d.provisional = False

    # -- helpers
    def _lines(self, start: int, end: int) -> tuple[int, int]:
        """1-based first and last line of the byte range [start, end)."""
        return self.src.line(start), self.src.line(max(start, end - 1))

    def _add_paper(self, a: Analysis, line: int, end_line: int, kind: str) -> _Draft:
        draft = _Draft(line, end_line, self.section, a, kind, list(a.links))
        self.drafts.append(draft)
        self.last_draft = draft
        return draft

    def _offer(self, a: Analysis, line: int, end_line: int, kind: str, parent: _Draft | None = None,
               note_target: _Draft | None = None, may_wait: bool = False) -> _Draft | None:
        """Record a candidate as a paper, or as skipped (giving a note's links to its paper).

        An undated item with sub-items (`may_wait`) is a provisional paper: its sub-items may still
        give it a venue or year ("- Title." / "  [[pdf]](url)" / "  - Authors. *ICCV*, 2021.", THUYimingLi).
        """
        if a.year is None and self.section:
            a.year = _heading_year(self.section[-1])
        reason = _classify(a, self.section)
        if reason is None:
            draft = self._add_paper(a, line, end_line, kind)
            if parent is not None and parent.provisional and not parent.analysis.links:
                parent.papers_under.append(draft)
            return draft
        if may_wait and reason.startswith(_UNDATED_REASONS):
            draft = self._add_paper(a, line, end_line, kind)
            draft.provisional, draft.wait_reason = True, reason
            return draft
        target = parent or note_target
        is_note = reason.startswith("note") or (parent is not None and not (a.venue or a.year)) or (
            note_target is not None and note_target.provisional and bool(_LABEL_LINE.match(a.text)))
        if is_note and target is not None:
            if parent is not None or reason == "note: an author line":  # its paper's venue and year
                target.analysis.venue = target.analysis.venue or a.venue
                year = a.year or (int(m.group(1)) if (m := _DATE_YEAR.search(a.text)) else None)
                target.analysis.year = target.analysis.year or year
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

    # -- tree walk
    def run(self, blocks: list[Node]) -> None:
        """Visit block nodes in document order. An explicit stack: nesting depth is not bounded."""
        stack: list = list(reversed(blocks))
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):  # ("inline", nodes) of a tight list item, or an end marker
                if node[0] == "inline":
                    self._paragraph(node[1])
                elif node[0] == "end_item":
                    self.items.pop()
                else:
                    self.list_kinds.pop()
                continue
            name = node.name
            if name == "heading" or name == "lheading":
                level = int(node.meta.get("level", 1))
                text, _, _ = _display(_pieces(node.children, self.src))
                while self.headings and self.headings[-1][0] >= level:
                    self.headings.pop()
                self.headings.append((level, " ".join(text.split())))
                self.section = tuple(text for _, text in self.headings)
                self.last_draft = None
            elif name == "paragraph":
                self._paragraph(node.children, node.srcmap)
            elif name == "bullet_list" or name == "ordered_list":
                self.list_kinds.append("numbered" if name == "ordered_list" else "bullet")
                stack.append(("end_list",))
                stack += reversed(node.children)
            elif name == "list_item":
                kids = node.children  # (each read of a node's children or name builds new objects)
                names = [k.name for k in kids]
                srcmap = node.srcmap
                self.items.append(_Item(self.list_kinds[-1] if self.list_kinds else "bullet", has_sublist=(
                    "bullet_list" in names or "ordered_list" in names), end=srcmap[1] if srcmap else 0))
                stack.append(("end_item",))
                stack += reversed(self._item_blocks(kids, names))
            elif name == "table":
                self._table(node)
                self.last_draft = None
            elif name == "html_block":
                if not self.items:
                    self._html_block(node)
            elif name == "blockquote":
                stack += reversed(node.children)

    @staticmethod
    def _item_blocks(kids: list[Node], names: list[str]) -> list:
        """A list item's children (and their names); in a tight list its text is not wrapped in a
        paragraph: wrap it."""
        out: list = []
        run: list[Node] = []
        for kid, name in zip(kids, names):
            if name in _INLINE_NODES:
                run.append(kid)
                continue
            if run:
                out.append(("inline", run))
                run = []
            out.append(kid)
        if run:
            out.append(("inline", run))
        return out

    def _paragraph(self, kids: list[Node], srcmap: tuple[int, int] | None = None) -> None:
        if srcmap is None:  # a tight item's text: from its first to its last inline node
            # (the first and the last node that has a map; the ones between are not read)
            first = next((m for k in kids if (m := k.srcmap)), None)
            last = next((m for k in reversed(kids) if (m := k.srcmap)), None)
            # (never past the item: after a tab markdown-it.rs maps inline nodes a few bytes too far,
            # into the next line; Best-Incremental-Learning line 446)
            item_end = self.items[-1].end if self.items else None
            srcmap = (first[0], min(last[1], item_end or last[1])) if first else None
        if srcmap is None:
            return
        if self.items:
            self._item_paragraph(kids, srcmap)
        else:
            self._top_paragraph(kids, srcmap)

    def _too_long(self, srcmap: tuple[int, int]) -> str | None:
        """The paragraph's text when it is too long to be one entry, else None."""
        start, end = srcmap
        if end - start <= MAX_ENTRY_CHARS:  # bytes >= characters
            return None
        content = "\n".join(line.strip() for line in self.src.slice(start, end).split("\n"))
        return content if len(content) > MAX_ENTRY_CHARS else None

    def _item_paragraph(self, kids: list[Node], srcmap: tuple[int, int]) -> None:
        item = self.items[-1]
        line, end_line = self._lines(*srcmap)
        if (content := self._too_long(srcmap)) is not None:
            item.seen_para = True
            self.skipped.append(Skipped(line, end_line, content[:200],
                                        f"too long for one entry ({len(content)} characters)"))
            return
        pieces = _pieces(kids, self.src)
        parent = self.items[-2].draft if len(self.items) > 1 else None
        if not item.seen_para and (units := _joined_papers(pieces)):
            item.seen_para = True  # several papers named in one item: one entry each
            drafts = [self._offer(_analyze(unit), line, end_line, item.kind, parent=parent) for unit in units]
            item.draft = next((d for d in drafts if d is not None), None)
            return
        a = _analyze(pieces)
        if item.seen_para:
            # A later paragraph of the same item: a note about it.
            owner = item.draft
            if owner is not None and a.links:
                owner.links.extend(link for link in a.links if link not in owner.links)
                owner.end_line = max(owner.end_line, end_line)
        else:
            item.seen_para = True
            note_target = self.last_draft if parent is None else None
            item.draft = self._offer(a, line, end_line, item.kind, parent=parent, note_target=note_target,
                                     may_wait=item.has_sublist and parent is None)

    def _top_paragraph(self, kids: list[Node], srcmap: tuple[int, int]) -> None:
        """A top-level paragraph is an entry only when it starts with a bold or linked title."""
        self.last_draft = None
        start, end = srcmap
        if not self.src.slice(start, min(end, start + 8)).lstrip().startswith(("**", "__", "[", "<")):
            return  # prose: an entry paragraph starts with its bold or linked title
        if self._too_long(srcmap) is not None:
            return
        a = _analyze(_pieces(kids, self.src))
        if not (a.title_bold or a.title_from_link) or len(a.text) > 2000:  # (zjunlp: 20 authors)
            return
        if not (a.venue or a.year or not ids_from_links(a.links).is_empty()):
            if a.title_bold and not a.links and len(a.title.split()) >= 3 and len(a.title) * 5 >= len(a.text) * 4:
                # A bold title alone, its links in the list after it (amusi CVPR2021 line 118:
                # "**GIRAFFE: ...**", then "- Paper(Oral): https://arxiv.org/abs/2011.12100"): the
                # list's notes give it their links; without an id, venue or year it is dropped.
                draft = self._add_paper(a, *self._lines(start, end), "paragraph")
                draft.provisional, draft.provisional_end = True, draft.end_line
            return
        if _classify(a, self.section) is None:  # anything else is prose: not reported as skipped
            self._add_paper(a, *self._lines(start, end), "paragraph")
        self.last_draft = None

    def _html_block(self, node: Node) -> None:
        """<details> blocks and HTML lists: parse what is inside, keeping line numbers."""
        if not node.srcmap:
            return
        first_line = self.src.line(node.srcmap[0])
        content = node.meta.get("content", "")
        if "<tr" in content.lower() and "</t" in content.lower():
            self._html_table(content, first_line)
            return
        inner = re.sub(r"</?(?:details|summary|div|p|center|section|span)\b[^>]*>", "", content, flags=re.I)
        if "<a " in inner.lower() or "<li" in inner.lower() or "<td" in inner.lower():
            # One HTML element per line: read each line's inline HTML as an item.
            for k, raw in enumerate(inner.split("\n")):
                if not re.search(r"<a\s", raw, re.I):
                    continue
                html_line = re.sub(r"</?(?:li|ul|ol|tr|td|th|table|tbody|thead)\b[^>]*>", " ", raw, flags=re.I)
                a = _analyze(_inline_pieces(html_line, self.src))
                self._offer(a, first_line + k, first_line + k, "bullet")
            return
        if inner.strip() and inner.strip() != content.strip():
            # Reference definitions are document-wide: the inner text sees them too.
            refs = self.src.ref_lines
            sub_text = _with_references(inner, refs)
            outer = self.src
            self.src = _Source(sub_text, line_offset=first_line - 1)
            try:
                self.run(_MD.tree(sub_text).children)
            finally:
                self.src = outer

    def _html_table(self, content: str, first_line: int) -> None:
        """An HTML table (`<tr>` rows of `<th>`/`<td>` cells over several lines, ASAudio line 86): the
        same reading as a Markdown table, each row's lines being its `<tr>` ... `</tr>`."""
        header: list[str] = []
        lines: list[tuple[int, int]] = []
        cells_of: list[list[list[Piece]]] = []
        for row in _HTML_ROW.finditer(content):
            line = first_line + content.count("\n", 0, row.start())
            end = row.end() if row.group(0).rstrip().lower().endswith(">") and "</tr" in row.group(0)[-8:].lower() \
                else row.start(1) + len(row.group(1).rstrip())  # a row left unclosed ends at its last text
            end_line = first_line + content.count("\n", 0, end)
            cells = [c.group(2) for c in _HTML_CELL.finditer(row.group(1))]
            if not cells:
                continue
            pieces = [_inline_pieces(" ".join(c.split()), self.src) for c in cells]
            if all(c.group(1).lower() == "h" for c in _HTML_CELL.finditer(row.group(1))):
                header = [" ".join(_display(p)[0].split()).lower() for p in pieces]
                continue
            lines.append((line, end_line))
            cells_of.append(pieces)
        if cells_of:
            self._table_rows(header, lines, cells_of)
            self.last_draft = None

    def _table(self, table: Node) -> None:
        """Rows of a table -> entries."""
        header: list[str] = []
        rows: list[tuple[tuple[int, int] | None, list[list[Node]]]] = []
        for part in table.children:  # thead, tbody
            for row in part.children:
                cells = [cell.children for cell in row.children]
                if part.name == "thead":
                    header = [" ".join(_display(_pieces(c, self.src))[0].split()).lower() for c in cells]
                else:
                    rows.append((row.srcmap, cells))
        cells_of = [[_pieces(c, self.src) for c in cells] for _, cells in rows]
        self._table_rows(header, [self._lines(*rmap) if rmap else (1, 1) for rmap, _ in rows], cells_of)

    def _table_rows(self, header: list[str], lines: list[tuple[int, int]], cells_of: list[list[list[Piece]]]) -> None:
        """The rows of a Markdown or HTML table (their lines, and the pieces of each cell) -> entries."""
        roles = _column_roles(header)
        title_col = roles.get("title")
        software = roles.get("software", False)
        if not software and roles.get("name_only") and title_col is not None:
            repo_rows = sum(1 for cells in cells_of if title_col < len(cells) and any(
                p.kind == "link" and _is_repo_link(p.url) for p in cells[title_col]))
            software = repo_rows * 2 > max(1, len(cells_of))
        for (line, end_line), pieces in zip(lines, cells_of):
            if not software and (units := _papers_per_cell(pieces)):
                for unit in units:  # several papers in a cell, one per <br>-separated unit
                    self._offer(_analyze(unit), line, end_line, "table")
                continue
            displays = [_display(p) for p in pieces]  # (text, link spans, bold spans) of each cell
            flat = [" ".join(d[0].split()) for d in displays]
            row_text = " | ".join(flat)
            if software:
                self.skipped.append(Skipped(line, end_line, row_text[:200], "software/framework table"))
                continue
            if [f.lower() for f in flat] == header or all(
                _PLACEHOLDER.match(normalize_title(d[0])) or not d[0].strip() for d in displays
            ):
                self.skipped.append(Skipped(line, end_line, row_text[:200], "placeholder row"))
                continue
            tc = title_col if title_col is not None and title_col < len(pieces) else _guess_title_column(pieces, roles)
            a = _analyze(pieces[tc]) if tc is not None else Analysis()
            a.paper_column = tc == title_col and not roles.get("name_only")
            a.text = row_text
            for k, cell_text in enumerate(flat):
                if k == tc:
                    continue
                if k == roles.get("year"):
                    a.year = parse_year(cell_text) or a.year
                elif k == roles.get("venue"):
                    venue, year = _venue_year(cell_text)
                    a.venue = venue or normalize_venue(cell_text, keep_unknown=True) or a.venue
                    a.year = a.year or year
                else:
                    extra, _ = _links(displays[k][0], displays[k][1])
                    a.links.extend(link for link in extra if link not in a.links)
            a.anchor_only = a.anchor_only and not a.links
            self._offer(a, line, end_line, "table")


_JOINER = re.compile(r"\s*(?:and|&|,|/|\+)\s*")


def _joined_papers(pieces: list[Piece]) -> list[list[Piece]]:
    """The units of an item that opens with several links joined by "and", "&", ",", "/" or "+",
    of which at least one is a paper link: one unit per paper link (the link, then the rest of the
    item), or [] for any other item. keon's awesome-nlp line 410 "[BPE](arxiv) and [Unigram LM](arxiv)
    - the two dominant subword schemes" names two papers; line 592 "[BGE](github) and
    [BGE-M3](arxiv) (2024) - ..." names one paper, BGE-M3, and the code of another (the group's
    other links stay with it, so no link of the item is lost)."""
    i = 0
    while i < len(pieces) and pieces[i].kind == "text" and not pieces[i].text.strip():
        i += 1
    group: list[Piece] = []
    while i < len(pieces) and pieces[i].kind == "link":
        group.append(pieces[i])
        i += 1
        if i + 1 < len(pieces) and pieces[i + 1].kind == "link" and _JOINER.fullmatch(pieces[i].text):
            i += 1
            continue
        break
    if len(group) < 2 or any(_is_generic(p.text) for p in group):
        return []
    papers = [p for p in group if _has_paper_link([Link(url=p.url, text=p.text)])]
    if not papers:
        return []
    others = [p for p in group if p not in papers]
    rest = pieces[i:]
    return [[p, *rest, *(others if k == 0 else [])] for k, p in enumerate(papers)]


def _papers_per_cell(cells: list[list[Piece]]) -> list[list[Piece]]:
    """The units of a row whose cells hold several papers each, separated by <br>
    ("**SEED**(ICLR 2024)[[paper]](u)<br/>**CAMA**(ICLR 2024)[[paper]](u)<br/>...",
    Best-Incremental-Learning lines 152-160), or [] for an ordinary row (one paper, whose title cell
    may still hold "Title<br>Authors"). A unit is a paper when one of its links carries a paper id
    or a paper's path (a PDF, /abs/, /doi/ ...), or is labelled "paper" or "pdf"."""
    units: list[list[Piece]] = []
    for cell in cells:
        unit: list[Piece] = []
        for piece in cell + [Piece("br", "\n")]:
            if piece.kind == "br":
                if any(p.kind == "link" for p in unit):
                    units.append(unit)
                unit = []
            else:
                unit.append(piece)
    papers = [u for u in units if not ids_from_links([Link(url=p.url, text=p.text) for p in u if p.kind == "link"]).is_empty()
              or any(p.kind == "link" and (_PAPER_FILE.search(p.url) or p.text.strip("[] ").lower() in ("paper", "pdf"))
                     for p in u)]
    per_cell_max = max((sum(1 for p in cell if p.kind == "br") for cell in cells), default=0)
    return papers if len(papers) >= 3 and per_cell_max >= 1 else []


_HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?:</tr\s*>|(?=<tr\b)|$)", re.I | re.S)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)(?:</t[dh]\s*>|(?=<t[dh]\b)|$)", re.I | re.S)


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


_TITLE_HEADERS = ("title", "paper", "papers", "paper title", "paper name", "article", "publication", "work", "name")
_VENUE_HEADERS = ("venue", "publisher", "conference", "conf", "conf.", "journal", "pub", "pub.", "published in",
                  "source", "where", "published", "proceedings", "booktitle")
_YEAR_HEADERS = ("year", "date", "time")
_SOFTWARE_HEADERS = ("framework", "frameworks", "project", "projects", "library", "libraries", "tool", "tools",
                     "repo", "repository", "software", "system", "systems", "model", "models", "dataset", "datasets")


_NOT_PAPER_COLUMN_WORDS = frozenset({"datasets", "dataset", "benchmarks", "benchmark", "tools", "libraries", "models"})


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
    # (a header of several words counts by its words: "Benchmarks & Datasets", zjunlp line 610)
    if "title" not in roles and clean and any(h in _SOFTWARE_HEADERS or set(h.split()) & _NOT_PAPER_COLUMN_WORDS
                                              for h in clean[:2]):
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



# Parsing safely -----------------------------------------------------------------------------------

# markdown-it.rs uses about 100 bytes of stack per level of block nesting and at most ~30 per
# character of inline nesting (measured: `> - ` x 20,000 or `*` x 160,000 overflow 8 MB and crash
# the process). Lines nested deeper than this are not list content and are left out; inline
# nesting is bounded by the longest run of non-blank lines, and the stack is sized from it.
MAX_LINE_NESTING = 256  # characters of container prefix (`>`, list markers, indentation)
_STACK_PER_CHAR = 64
_STACK_CAP = 2 << 30
_DEEP_LINE = re.compile(rf"[ \t>*+\-.)0-9]{{{MAX_LINE_NESTING},}}")
_CONTAINER_PREFIX = re.compile(r"(?:[ \t>]|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))*")
_T = TypeVar("_T")


def _drop_deep_lines(lines: list[str]) -> list[Skipped]:
    """Blank the lines whose container prefix is absurdly deep (in place); they are reported."""
    dropped: list[Skipped] = []
    for i, line in enumerate(lines):
        if len(line) > MAX_LINE_NESTING and _CONTAINER_PREFIX.match(line).end() > MAX_LINE_NESTING:
            dropped.append(Skipped(i + 1, i + 1, line[:200].strip(), "nested too deeply to parse"))
            lines[i] = ""
    return dropped


_EMPHASIS_MARK = re.compile(r"([*_~])")


def _escape_long_lines(lines: list[str]) -> None:
    """Emphasis marks of lines too long for any entry become literal (in place).

    markdown-it.rs takes quadratic time over many unclosed emphasis openers (`*a *a *a ...`:
    13 s for 40,000); such a line is skipped as too long anyway, and escaping keeps its lines.
    """
    for i, line in enumerate(lines):
        if len(line) > MAX_ENTRY_CHARS:
            lines[i] = _EMPHASIS_MARK.sub(r"\\\1", line)


# Large inputs are parsed in chunks split at safe top-level block boundaries, so memory stays
# bounded by the chunk (the tree of a whole 8 MB list would take ~500 MB), not the file.
CHUNK_LINES = 4000
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_LONG_OPEN = re.compile(r"^ {0,3}<(?:pre|script|style|textarea|!--)", re.I)
_HTML_LONG_CLOSE = re.compile(r"</(?:pre|script|style|textarea)>|-->", re.I)
_FENCE_OR_HTML_START = frozenset(" `~<")  # what a line that _FENCE or _HTML_LONG_OPEN matches starts with
_LIST_START = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


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
        if line[:1] not in _FENCE_OR_HTML_START:
            continue  # (neither pattern below can match: most lines are skipped on their first character)
        if m := _FENCE.match(line):
            fence = m.group(1)[:3]
        elif _HTML_LONG_OPEN.match(line) and not _HTML_LONG_CLOSE.search(line):
            in_html = True
    if start < n:
        yield start, n


def _parse_safely(text: str, work: Callable[[], _T]) -> _T:
    """Run `work` (which parses `text` and drops the tree) with a stack big enough for the text."""
    longest = max(map(len, text.split("\n\n")), default=0)  # inline nesting never crosses a blank line
    need = _STACK_PER_CHAR * longest + (1 << 20)
    if need <= 4 << 20:
        return work()  # the calling thread's stack (8 MB on Linux for the main thread) is plenty
    if need > _STACK_CAP:
        raise InputError(f"a block of {longest:,} characters without a blank line: too large to parse safely")
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    old = threading.stack_size(need + (8 << 20))
    try:
        thread = threading.Thread(target=target, name="paperenrich-parse")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def scan_text(text: str, source: str = "<text>") -> ScanResult:
    """The paper entries of a Markdown list (and the items skipped, with the reason)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be parsed
    dropped: list[Skipped] = []
    lines = text.split("\n")
    # (only a line of MAX_LINE_NESTING characters or more can be too deep or too long; a search of
    # the whole text for either, line start by line start, took longer than this)
    if any(len(line) > MAX_ENTRY_CHARS or _DEEP_LINE.match(line) for line in lines if len(line) >= MAX_LINE_NESTING):
        dropped = _drop_deep_lines(lines)
        _escape_long_lines(lines)
        text = "\n".join(lines)

    def scan() -> tuple[list[Entry], list[Skipped]]:
        # The tree's node objects and the entries hold no cycles, but their number sets off full
        # garbage collections that find nothing (a quarter of the scan time on the bench list).
        collecting = gc.isenabled()
        gc.disable()
        try:
            refs = _reference_definitions(lines)  # they hold for every chunk (lines: text's, split above)
            scanner = _Scanner(_Source(""))
            for start, end in _chunks(lines):
                chunk = "\n".join(lines[start:end])
                scanner.src = _Source(chunk, line_offset=start, ref_lines=refs)
                tree = _MD.tree(_with_references(chunk, refs))
                scanner.run(tree.children)
                del tree  # freed here, on the parse thread, before the next chunk
            drafts = scanner.confirmed_drafts()  # (adds the dropped provisional ones to skipped)
            return _mark_duplicates(drafts), sorted(scanner.skipped, key=lambda s: s.line)
        finally:
            if collecting:
                gc.enable()

    try:
        entries, skipped = _parse_safely(text, scan)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        # A panic inside markdown-it.rs reaches Python as pyo3's PanicException, a BaseException
        # that no `except Exception` stops: make it the documented one-line input error.
        if type(exc).__name__ != "PanicException":
            raise
        raise InputError(f"{source}: the Markdown parser failed on this input ({exc})") from None
    skipped = sorted(skipped + dropped, key=lambda s: s.line) if dropped else skipped
    return ScanResult(source=source, entries=tuple(entries), skipped=tuple(skipped))
