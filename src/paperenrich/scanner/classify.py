"""Is an analysed unit a paper? If not, why (table of contents, placeholder, software, course,
video, acronym, note, not-a-paper section).
"""

from __future__ import annotations

import re
from functools import lru_cache

from paperenrich.ids import ids_from_links
from paperenrich.model import Link
from paperenrich.scanner.analyze import (
    _LABEL_PUNCTUATION,
    _RESOURCE_WORDS,
    Analysis,
    _looks_like_authors,
    _venue_year,
)
from paperenrich.titles import normalize_title
from paperenrich.urls import host_of
from paperenrich.venues import normalize_venue

# A candidate whose text starts like this is a note about the paper before it.
_NOTE_START = re.compile(
    r"^(?:arxiv|openreview|pdf|paper|code|slides?|video|talk|poster|links?|project page|website|homepage|"
    r"blog|extended version|journal version|conference version|full version|camera[- ]ready|related to|"
    r"see also|also in|also see|notes?|supplementary|appendix|github|demo)(?![\w-])",  # not "Link-Backdoor: ..."
    re.I,
)
_NOTE_WORD_END = re.compile(r"\s*(?:[:：(\[]|https?://|$)")
_ACRONYM = re.compile(r"^[A-Za-z0-9&/+.\-]{2,15}\s*(?::|=|—|–|\s-)\s+\S")
_PLACEHOLDER = re.compile(r"^(?:title|paper|papers|name|paper title|paper name|todo|tbd|xxx|\.\.\.|-+)\s*\d*$")
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
# (An "/article" path is a paper's when an identifier follows: nature.com/articles/s42256-019-0049-9,
# ojs.aaai.org/index.php/AAAI/article/view/16789; not a post's slug, wired.co.uk/article/police-violence-
# prediction-ndas, deepmind.com/blog/article/traffic-prediction-..., eugeneyan lines 657, 461.)
_PAPER_FILE = re.compile(r"\.pdf(?:$|[?#])|/pdf/|/abs/|/doi/|(?<!/)/paper|/publication|/articles?\b[^#\s]*?\d{2}|/proceedings"
                         r"|/anthology/|jstor\.org/stable/|citation\.cfm|/viewdoc/|scholar\.google\.[a-z.]+/scholar\?", re.I)


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


# A heading whose items are papers: its last word says so ("## Papers", "## Survey", "# Surveys &
# Monographs"); not "Paper Writing Tools", "Other Paper Lists", "Call for Papers", nor "Articles"
# (blog posts, in most lists).
_PAPERS_HEADING = re.compile(r"\b(?:papers|surveys?|monographs)\W*$", re.I)
_CALL_FOR_PAPERS = re.compile(r"\bcall\s+for\b", re.I)


@lru_cache(maxsize=1024)
def _paper_section(heading: str) -> bool:
    """A heading that names its items as papers, surveys or monographs."""
    return bool(_PAPERS_HEADING.search(heading)) and not _CALL_FOR_PAPERS.search(heading)


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
    words = _WORD.findall(title)
    return bool(words) and bool(_RESOURCE_WORDS.fullmatch(words[0]) or _RESOURCE_WORDS.fullmatch(words[-1]))


_WORD = re.compile(r"\w+")


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
# An ISBN-13 as a path segment is a book's too (mitpress.mit.edu/9780262045308/ideas-that-created-the-future/,
# mostafatouny line 368).
_BOOK_LINK = re.compile(r"^https?://[^/?#]+/(?:[^?#]*/)?(?:books?(?:[/?#]|$)|97[89]\d{10}(?:[/?#.]|$))", re.I)
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
    # (the cached venue test first: a known venue decides it for most entries)
    if not http or (a.venue and normalize_venue(a.venue)) or _more_than_three_words(a.title):
        return False
    return not _has_paper_link(http)


def _more_than_three_words(title: str) -> bool:
    """More than three words that are not versions (it stops at the fourth: most titles have it)."""
    count = 0
    for word in title.split():
        if not _VERSION.fullmatch(word):
            count += 1
            if count > 3:
                return True
    return False


@lru_cache(maxsize=1024)  # every entry of a section asks the same
def _news_section(heading: str) -> bool:
    return bool(_NEWS_SECTION.match(heading))


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
    if title[:8].lower().startswith(("http://", "https://", "www.")):
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
    if section and _news_section(section[-1]):
        return "news"  # "## 🔔 News": "2024-09-26 Our paper ... is accepted" (zjunlp 24-36, THUYimingLi 13)
    if title[:1] in "cCsS\u017f" and _CHAPTER.match(title):  # (its words' first letters, "ſ" matching "s")
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
        if not paper_link and not labelled_paper and not (a.paper_column and len(title.split()) >= 4) and not (
                a.title_from_link and _more_than_three_words(title) and _paper_section(section[-1] if section else "")):
            # (under a heading that names papers or surveys, a linked title is one even on a web page:
            # "# Surveys & Monographs" > "[Goldreich. Providing Sound Foundations for Cryptography: On the Work
            # of ...](.../~oded/sst.html)", mostafatouny line 371; its books are told by their links above)
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
    # (the conditions are pure: the cached venue test, which most entries settle, comes first)
    if dated and not (a.venue and normalize_venue(a.venue)) and (
            (a.title_tags and _RESOURCE_WORDS.search(a.title_tags)) or _resource_word_at_end(title)) and ids_from_links(
            http).is_empty():
        # Dated by an organisation and a year, named as slides, a handbook...: wzhe06 lines 59
        # "[[Recsys Intro] Recommender Systems Handbook (FRicci 2011)](pdf)", 60 "[[Recsys Intro slides] ...",
        # 81 "... at Airbnb Slides (Airbnb 2018)", 82 "[[Baidu slides] DNN in Baidu Ads (Baidu 2017)]".
        return "course, video or other resource"
    if dated and _release_not_paper(a, http):
        return "a release (model, dataset, software) linked to its code or site, not a paper"
    if len(normalize_title(title)) < 2:
        return "no title"
    return None
