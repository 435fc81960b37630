"""An entry unit's pieces -> its fields: title candidates and the scorer that picks one, the
cleaned title, venue and year, and the links.
"""

from __future__ import annotations

import re
from functools import lru_cache

from paperenrich.model import Link
from paperenrich.scanner.pieces import Piece, Span, _display
from paperenrich.venues import normalize_venue, parse_venue_year, parse_year

# Venue tags ("OSDI'22", "NeurIPS 2023") and link labels ("[paper]") recur all over a list: the
# pure functions that read them are memoised.
_venue_year = lru_cache(maxsize=16384)(parse_venue_year)


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
_RESOURCE_WORDS = re.compile(
    r"\b(?:course|courses|textbook|book|books|handbook|lecture|lectures|tutorial|tutorials|video|videos|talk|talks|"
    r"blog|blogs|podcast|newsletter|slides|cheat ?sheet|awesome|playlist|channel|workshop materials|"
    r"encyclopa?edias?)\b",  # (a reference work: "Stanford Encyclopedia of Philosophy. ...", mostafatouny line 364)
    re.I,
)
_SURVEY_TAG = re.compile(r"^\s*survey\b", re.I)
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
# (a JSTOR article: mostafatouny line 365; an ACM citation page, transferlearning line 2733; a CiteSeerX
# download, idkaaa line 35; a Google Scholar search for the title, hzysvilla line 841)
_CITED_YEAR = re.compile(r"\.\s+\(?((?:19|20)\d{2})[a-z]?\)?\.\s*$")  # "... and Wei-Jing Zhu. 2002. [Title](u)"
_APOSTROPHE_SPACE = re.compile(r"([’'`])\s+(\d{2})\b")
_PAREN = re.compile(r"\(([^()]{2,80})\)")
# ("Title, MLSys 2023"; "Title, EMNLP 2023 Main Conference Paper", zjunlp line 109)
_TRAILING_VENUE = re.compile(r"\s*[,;–—]\s*([A-Za-z][\w&@/ .\-]{0,40}?\s*(?:[’'`]\d{2}|(?:19|20)\d{2}))"
                             r"(?:\s+(?:main|conference|paper|findings|long|short|oral|spotlight|poster|track))*\s*$", re.I)
_VENUE_SUFFIX_END = re.compile(r"(?:conference|paper|findings|long|short|oral|spotlight|poster|track)\s*$", re.I)
_SUFFIX_LAST_LETTERS = "ergstlkERGSTLK\u017f\u212a"  # (re.I: "ſ" matches "s", the Kelvin sign "k")


# Reading one candidate --------------------------------------------------------------------------


class Analysis:
    """What one entry unit says (a plain class: see `pieces.Piece`)."""

    __slots__ = ("title", "venue", "year", "links", "anchor_only", "title_from_link", "title_bold", "tagged",
                 "generic_links_only", "title_tags", "paper_column", "text")

    def __init__(self, text: str = "", links: list[Link] | None = None, anchor_only: bool = False) -> None:
        self.title = ""
        self.venue: str | None = None
        self.year: int | None = None
        self.links: list[Link] = links if links is not None else []
        self.anchor_only = anchor_only  # every link points inside the document (#...)
        self.title_from_link = False
        self.title_bold = False
        self.tagged = False  # a leading venue tag such as "[OSDI'22]" was read
        self.generic_links_only = False  # links exist but all are labels like "[paper]"
        self.title_tags = ""  # the curator's bracketed tags before the title ("[Baidu slides] DNN in Baidu Ads")
        self.paper_column = False  # the title is a table cell under a "Paper"/"Title" header
        self.text = text  # the whole display text


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
_NOT_LEADING_SYMBOL = "_\"“'([{"  # what \w (isalnum or "_") and the class above leave out
# "Aaronson. ", "Fortnow & Homer. ", "Blum, et.al. ", and two names before a comma: "Aharonov & Vazirani, "
# (mostafatouny lines 361, 370, 268, 362)
_AUTHOR_PREFIX = re.compile(r"(?:[A-Z][\w'’\-]+\s){0,1}[A-Z][\w'’\-]+(?:(?:\s(?:&|and)\s[A-Z][\w'’\-]+|,?\set\.?\s?al)?\."
                            r"|\s(?:&|and)\s[A-Z][\w'’\-]+,)\s+(?=[A-Z])")
_CJK_AFTER_LATIN = re.compile(r"(?<=[A-Za-z0-9)\]])\s*[\u3400-\u9fff]")
_LEADING_NUMBER = re.compile(r"^\d{1,3}[.)]\s+(?=[A-Z])")  # "**4. HOTR: End-to-End ...**" (amusi line 482)
_BRACKET_TAG = re.compile(r"^\[([^\[\]]{1,40})\]\s*(?=\S)")  # "[DCN] Deep & Cross Network ..." (wzhe06 line 18)
_BIBTEX_BRACES = re.compile(r"\{([^{}]*)\}")  # "{PRETZEL}: Opening the Black Box ..."


def _clean_title(raw: str, a: Analysis) -> str:
    if not raw.isascii():  # (split() below splits at "\n" too)
        raw = raw.replace("（", "(").replace("）", ")")
    t = " ".join(raw.split())
    # (each pattern needs its first character: a digit, or neither a word character nor an opener)
    if t[:1].isdigit():
        t = _LEADING_NUMBER.sub("", t)
    if t and not (t[0].isalnum() or t[0] in _NOT_LEADING_SYMBOL):
        t = _LEADING_SYMBOLS.sub("", t)
    while t[:1] == "[" and (m := _BRACKET_TAG.match(t)):
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
        if ("(" in t and t.count("(") > t.count(")")) or ("[" in t and t.count("[") > t.count("]")):
            t = _drop_unclosed_tail(t)
        # Each trailing pattern ends with a ")", a "]" or a digit: others are not searched.
        last = t.rstrip()[-1:]
        if last == ")" and (m := _TRAILING_PAREN.search(t)):
            content = m.group(1).strip()
            venue, year = _venue_year(content)
            low = content.lower()
            if venue or year or low.startswith(("preprint", "to appear", "under review", "tech report")):
                a.venue = a.venue or venue
                a.year = a.year or year
                t = t[: m.start()]
                last = t.rstrip()[-1:]
            elif content.startswith("`") and content.endswith("`"):
                t = t[: m.start()]  # a trailing code-name annotation like (`PAI`)
                last = t.rstrip()[-1:]
        if last == "]" and (m := _TRAILING_BRACKET.search(t)):
            venue, year = _venue_year(m.group(1))
            a.venue = a.venue or venue
            a.year = a.year or year
            t = t[: m.start()]
            last = t.rstrip()[-1:]
        # (the suffix words are at most 10 letters: searched in the last 10, not tried at every position)
        # (a suffix word ends the text on one of these letters, or on one that matches them ignoring case)
        if (last.isdigit() or (last in _SUFFIX_LAST_LETTERS and _VENUE_SUFFIX_END.search(t.rstrip()[-10:]))) and (
                m := _TRAILING_VENUE.search(t)):
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
    # a stray closer left by broken link syntax ("Title)(url)")
    if t.endswith(")") and t.count(")") > t.count("("):
        t = t[:-1].rstrip()
    if t.endswith("]") and t.count("]") > t.count("["):
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
    if not _TWO_DIGITS.search(rest):  # both patterns below need a year's two digits
        return
    for m in _VENUE_IN_TEXT.finditer(rest):
        venue = normalize_venue(m.group(1))  # known venues only: free text is noisy
        if venue:
            a.venue = a.venue or venue
            a.year = a.year or parse_year(m.group(2))
            return
    if a.year is None and len(a.title.split()) >= 3 and (date := _DATE_YEAR.search(rest)):
        a.year = int(date.group(1))  # "*Bioinformatics, January 2023.*" (yangkky), "*ICCV*, 2021." (THUYimingLi)


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


class _Candidate:
    """A span of an entry's display text that may be its title."""

    __slots__ = ("raw", "start", "end", "kind", "year_text")

    def __init__(self, raw: str, start: int, end: int, kind: str, year_text: str = "") -> None:
        self.raw, self.start, self.end = raw, start, end
        self.kind = kind  # link | bold | lead (text up to the first link) | quote | joined | cited
        self.year_text = year_text


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
            "." in joined[-12:] and _ACL_YEAR_END.search(joined[-12:]) and _ACL_AUTHORS.search(joined)):
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
    if default.kind == "lead" and bold_spans and (first_bold := next((s for s in bold_spans if s.start > start), None)) and not any(
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
    for m in _QUOTED.finditer(text, start) if ('"' in text or "“" in text) else ():  # (a quote needs one)
        inside = any(s.start <= m.start() and m.end() <= s.end for s in link_spans + bold_spans)
        if len(m.group(1).split()) >= 3 and not inside:  # quotes inside a linked title are the title's
            # ("[“Can I Not Be Suicidal on a Sunday?”: Understanding ...](u)", idkaaa line 84)
            cands.append(_Candidate(m.group(1), m.start(1), m.end(1), "quote"))
    if default.kind in ("link", "bold") and len(default.raw.split()) <= 8:
        # "[Perseus](url): Removing Energy Bloat ... | SOSP' 24" -> "Perseus: Removing Energy Bloat ..."
        if colon := _AFTER_NAME.match(text, default.end):
            stops = [s.start for s in link_spans if s.start >= colon.end()]
            if stop := _JOIN_STOP.search(text, colon.end()):
                stops.append(stop.start())
            end = min(stops, default=len(text))
            rest = text[colon.end():end].strip()
            if len(rest.split()) >= 2 and not _venue_only(rest.strip(" ,.;*_")):
                cands.append(_Candidate(f"{default.raw.strip()}: {rest}", default.start, end, "joined"))
    if default.kind == "lead" and _APA_AUTHOR_START.match(text, start) and (apa := _APA.match(text, start)) and not any(
            apa.start("title") <= s.start < apa.end("title") for s in link_spans):  # a linked title is whole
        cands.append(_Candidate(apa.group("title"), apa.start("title"), apa.end("title"), "cited", apa.group("year")))
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
    links, anchor_only = _links(text, link_spans)
    a = Analysis(text=" ".join(text.split()), links=links, anchor_only=anchor_only)

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
    # (the pattern opens on a capital and ends its names with a "." or a ",")
    if a.title_from_link and "A" <= a.title[:1] <= "Z" and ("." in a.title or "," in a.title) and (
            m := _AUTHOR_PREFIX.match(a.title)) and len(a.title[m.end():].split()) >= 3:
        a.title = a.title[m.end():]  # "[Aaronson. Why Should Philosophers Care ...](u)" (mostafatouny 361)
    if not (a.venue and a.year):  # (else _venue_from_rest has nothing to add)
        _venue_from_rest(text[end:], a)
    if chosen.start > start and not a.year:  # "Authors. 2017. [Title](url)": the year came first
        prefix = text[start:chosen.start]
        if m := _CITED_YEAR.search(prefix):
            a.year = int(m.group(1))
        _venue_from_rest(prefix, a)
    if a.links and not a.title and all(_is_generic(link.text) for link in a.links if link.text):
        a.generic_links_only = True
    return a
