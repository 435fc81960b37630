"""Paper identifiers from URLs: ONE table of patterns, each with its canonical URL.

`extract_ids(url)` tries the patterns of `PATTERNS` that name the URL's host on the cleaned URL
(see urls.clean_url) and returns the ids it found (a URL of any other host carries none); `canonical_url(kind, value)` is the inverse, so that
`extract_ids(canonical_url(kind, v))` gives back `v` for every kind. Pure: no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable
from urllib.parse import unquote

from paperenrich.model import Ids, Link
from paperenrich.urls import clean_url

# arXiv identifiers: new style 2309.06180 (4 or 5 digits after the dot), old style hep-th/9901001.
ARXIV_NEW = r"\d{4}\.\d{4,5}"
ARXIV_OLD = r"[a-z][a-z-]*(?:\.[A-Za-z]{2})?/\d{7}"
ARXIV_ID = re.compile(rf"^(?:{ARXIV_NEW}|{ARXIV_OLD})$")
# A DOI: "10." + registrant + "/" + suffix (suffix stops at whitespace, '?', '#').
DOI_BODY = r"10\.\d{4,9}/[^\s?#]+"
# ACM's "10.5555" prefix marks content without a registered DOI: doi.org does not resolve it.
UNREGISTERED_DOI_PREFIXES = ("10.5555/",)
ARXIV_DOI_PREFIX = "10.48550/arxiv."


@dataclass(frozen=True)
class Pattern:
    kind: str  # a field of model.Ids
    name: str  # what the pattern recognises (for tests and docs)
    regex: re.Pattern[str]
    value: Callable[[re.Match[str]], str | None]  # match -> canonical id, or None to reject
    # Every host the regex accepts (lower case). A regex matches only "http(s)://HOST/...", so
    # extract_ids tries a URL only against the patterns of its host (see _PATTERNS_BY_HOST).
    hosts: tuple[str, ...] = ()


def _group(name: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(name)


def _arxiv(m: re.Match[str]) -> str | None:
    value = m.group("id")
    return value if ARXIV_ID.match(value) else None


def _doi(m: re.Match[str]) -> str | None:
    doi = unquote(m.group("doi")).rstrip(".,;)")
    doi = _PDF_END.sub("", doi).lower()
    if doi.startswith(UNREGISTERED_DOI_PREFIXES) or doi.startswith(ARXIV_DOI_PREFIX):
        return None
    return doi


_PDF_END = re.compile(r"\.pdf$", re.I)


def _neurips(m: re.Match[str]) -> str:
    return f"{m.group('year')}/hash/{m.group('hash').lower()}"


_HOST = r"^https?://(?:www\.)?"


def _with_www(*hosts: str) -> tuple[str, ...]:
    """The hosts an `_HOST`-prefixed alternative accepts: each name with and without "www."."""
    return tuple(h for host in hosts for h in (host, "www." + host))


_DOI_HOSTS = _with_www("doi.org", "dx.doi.org")
_PUBLISHER_HOSTS = (
    "link.springer.com", "onlinelibrary.wiley.com", "www.tandfonline.com", "tandfonline.com", "journals.sagepub.com",
    "journals.aps.org", "iopscience.iop.org", "pubs.acs.org", "www.science.org", "science.org", "academic.oup.com",
    "journals.plos.org", "pubsonline.informs.org", "epubs.siam.org", "ascelibrary.org", "www.annualreviews.org",
)

# The one table. Order matters only within a kind: the first pattern that yields a value wins.
PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "arxiv", "arxiv.org abs/pdf/html/format (export., www., browse. hosts; versions; .pdf)",
        re.compile(
            rf"^https?://(?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/+"
            rf"(?P<id>{ARXIV_NEW}|{ARXIV_OLD})(?:v\d+)?(?:\.pdf)?/?(?:[?#].*)?$",
            re.I,
        ),
        _arxiv,
        ("arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org"),
    ),
    Pattern(
        "arxiv", "arXiv DOI 10.48550/arXiv.ID",
        re.compile(rf"{_HOST}(?:dx\.)?doi\.org/10\.48550/arxiv\.(?P<id>{ARXIV_NEW})(?:v\d+)?/?$", re.I),
        _arxiv,
        _DOI_HOSTS,
    ),
    Pattern(
        "doi", "doi.org / dx.doi.org",
        re.compile(rf"{_HOST}(?:dx\.)?doi\.org/(?P<doi>{DOI_BODY})", re.I),
        _doi,
        _DOI_HOSTS,
    ),
    Pattern(
        "doi", "dl.acm.org/doi/{abs,pdf,full,epdf,fullHtml,book}/10....",
        re.compile(rf"{_HOST}dl\.acm\.org/doi/(?:(?:abs|pdf|full|epdf|fullHtml|book|proceedings)/)?(?P<doi>{DOI_BODY})", re.I),
        _doi,
        _with_www("dl.acm.org"),
    ),
    Pattern(
        "doi", "publisher URL embedding a DOI (Springer, Wiley, T&F, SAGE, APS, IOP, ...)",
        re.compile(
            rf"{_HOST}(?:link\.springer\.com|onlinelibrary\.wiley\.com|www\.tandfonline\.com|tandfonline\.com|"
            rf"journals\.sagepub\.com|journals\.aps\.org|iopscience\.iop\.org|pubs\.acs\.org|"
            rf"www\.science\.org|science\.org|academic\.oup\.com|journals\.plos\.org|"
            rf"pubsonline\.informs\.org|epubs\.siam\.org|ascelibrary\.org|www\.annualreviews\.org)"
            rf"/(?:[^?#]*?/)?(?P<doi>{DOI_BODY})",
            re.I,
        ),
        _doi,
        _with_www(*_PUBLISHER_HOSTS),
    ),
    Pattern(
        "doi", "nature.com/articles/ID (DOI 10.1038/ID)",
        re.compile(rf"{_HOST}nature\.com/articles/(?P<doi>[A-Za-z0-9.\-]+?)(?:\.pdf)?/?$", re.I),
        lambda m: f"10.1038/{m.group('doi').lower()}",
        _with_www("nature.com"),
    ),
    Pattern(
        "openreview", "openreview.net forum/pdf/attachment?id=",
        re.compile(r"^https?://(?:www\.)?openreview\.net/(?:forum|pdf|attachment)/?\?(?:.*&)?id=(?P<id>[A-Za-z0-9_\-]+)", re.I),
        _group("id"),
        _with_www("openreview.net"),
    ),
    Pattern(
        "pmlr", "proceedings.mlr.press/vNNN/name(.html|/name.pdf)",
        re.compile(r"^https?://(?:proceedings\.mlr\.press|jmlr\.org/proceedings/papers)/(?P<id>v\d+/[a-z][a-z0-9\-]*?\d{2}[a-z]{0,3})(?:[./].*)?$", re.I),
        lambda m: m.group("id").lower(),
        ("proceedings.mlr.press", "jmlr.org"),
    ),
    Pattern(
        "acl", "aclanthology.org/ID(.pdf) and aclweb.org/anthology/ID",
        re.compile(
            r"^https?://(?:www\.)?(?:aclanthology\.org|aclweb\.org/anthology)/"
            r"(?P<id>\d{4}\.[a-z0-9\-]+\.\d+|[A-Z]\d{2}-\d{4})(?:\.pdf)?/?$",
            re.I,
        ),
        lambda m: m.group("id") if "." in m.group("id") else m.group("id").upper(),
        _with_www("aclanthology.org", "aclweb.org"),
    ),
    Pattern(
        "neurips", "proceedings.neurips.cc / papers.nips.cc hash or file pages",
        re.compile(
            r"^https?://(?:proceedings\.neurips\.cc|papers\.nips\.cc)/paper(?:_files/paper)?/(?P<year>\d{4})/"
            r"(?:hash|file)/(?P<hash>[0-9a-f]{32})-",
            re.I,
        ),
        _neurips,
        ("proceedings.neurips.cc", "papers.nips.cc"),
    ),
    Pattern(
        "mlsys", "proceedings.mlsys.org hash or file pages",
        re.compile(
            r"^https?://proceedings\.mlsys\.org/paper(?:_files/paper)?/(?P<year>\d{4})/"
            r"(?:hash|file)/(?P<hash>[0-9a-f]{32})-",
            re.I,
        ),
        _neurips,
        ("proceedings.mlsys.org",),
    ),
    Pattern(
        "usenix", "usenix.org/conference/CONF/presentation/NAME",
        re.compile(r"^https?://(?:www\.)?usenix\.org/conference/(?P<id>[a-z0-9\-]+/presentation/[a-z0-9\-_]+)/?$", re.I),
        lambda m: m.group("id").lower(),
        _with_www("usenix.org"),
    ),
    Pattern(
        "ieee", "ieeexplore.ieee.org document/NNN, stamp.jsp?arnumber=NNN",
        re.compile(
            r"^https?://ieeexplore\.ieee\.org/(?:(?:abstract/|xpl/)?document/(?P<a>\d+)|"
            r"(?:stamp/stamp|xpls/abs_all|xpl/articleDetails|xpls/icp)\.jsp\?(?:.*&)?arnumber=(?P<b>\d+))",
            re.I,
        ),
        lambda m: str(int(m.group("a") or m.group("b"))),
        ("ieeexplore.ieee.org",),
    ),
    Pattern(
        "vldb", "vldb.org/pvldb/volNN/pNNN-name.pdf",
        re.compile(r"^https?://(?:www\.)?vldb\.org/pvldb/(?P<id>vol\d+/p\d+-[a-z0-9_\-]+?)(?:\.pdf)?$", re.I),
        lambda m: m.group("id").lower(),
        _with_www("vldb.org"),
    ),
)

KINDS = tuple(dict.fromkeys(p.kind for p in PATTERNS))

# host -> the patterns that can match its URLs, in table order (most hosts carry no id at all).
_PATTERNS_BY_HOST: dict[str | None, tuple[Pattern, ...]] = {
    host: tuple(p for p in PATTERNS if host in p.hosts) for p0 in PATTERNS for host in p0.hosts
}

# Canonical URL of each kind of id: the inverse of the patterns above.
_CANONICAL: dict[str, Callable[[str], str]] = {
    "arxiv": lambda v: f"https://arxiv.org/abs/{v}",
    "doi": lambda v: f"https://doi.org/{v}",
    "openreview": lambda v: f"https://openreview.net/forum?id={v}",
    "pmlr": lambda v: f"https://proceedings.mlr.press/{v}.html",
    "acl": lambda v: f"https://aclanthology.org/{v}",
    "neurips": lambda v: _hash_page("https://proceedings.neurips.cc/paper_files/paper", v, conference_from=2022),
    "mlsys": lambda v: _hash_page("https://proceedings.mlsys.org/paper_files/paper", v, conference_from=10_000),
    "usenix": lambda v: f"https://www.usenix.org/conference/{v}",
    "ieee": lambda v: f"https://ieeexplore.ieee.org/document/{v}",
    "vldb": lambda v: f"https://www.vldb.org/pvldb/{v}.pdf",
}


def _hash_page(base: str, value: str, conference_from: int) -> str:
    year, _, digest = value.partition("/hash/")
    suffix = "-Abstract-Conference.html" if year.isdigit() and int(year) >= conference_from else "-Abstract.html"
    return f"{base}/{year}/hash/{digest}{suffix}"


_NO_IDS = Ids()
_BLANK_IDS = dict(vars(_NO_IDS))  # every field, None, in field order


def _make_ids(found: dict[str, str]) -> Ids:
    """`Ids(**found)` for ids just read off a URL, built without the frozen dataclass's __init__
    (ten object.__setattr__ calls: most of the cost of reading one paper link): the instance's
    fields are set exactly as __init__ sets them, so it compares, hashes and prints the same."""
    ids = object.__new__(Ids)
    fields = ids.__dict__
    fields.update(_BLANK_IDS)
    fields.update(found)
    return ids


def ids_from_dict(found: dict[str, str]) -> Ids:
    """The Ids of a {kind: value} dict of ids read off URLs before (as `Ids.to_dict` gives them)."""
    return _make_ids(found) if found else _NO_IDS


def _host_key(url: str) -> str | None:
    """The lower-cased text between "://" and the next "/" of an http(s) URL; None without a "/"."""
    rest = url[url.index("://") + 3:]
    slash = rest.find("/")
    return rest[:slash].lower() if slash >= 0 else None


ids_host = _host_key  # (for callers that ask whether a URL can carry an id before parsing it)


def host_has_ids(host: str) -> bool:
    """Whether some id pattern names this host (as `ids_host` gives it)."""
    return host in _PATTERNS_BY_HOST


# Pure, and one scan asks about each link several times (classification, then duplicates at the
# end): the cache holds all the links of a long list (16,384 forgot the first ones of the 50,000-entry
# bench list before its end, so each was read twice; ~150 bytes an entry). Ids is frozen.
@lru_cache(maxsize=1 << 17)
def extract_ids(url: str) -> Ids:
    """The identifiers one URL carries (an empty Ids when none)."""
    raw = url.strip()
    if raw[:8].lower().startswith(("http://", "https://")) and "\t" not in raw and "\n" not in raw and "\r" not in raw:
        # clean_url keeps such a URL's host (only lower-cased), so a host no pattern names
        # cannot carry an id: skip the cleaning and the table.
        patterns = _PATTERNS_BY_HOST.get(_host_key(raw))
        if patterns is None:
            return _NO_IDS
        # Without a query, a fragment, a '%' or a space (most paper links), cleaning would only
        # lower-case the scheme and host: no pattern reads their case (all ignore it) and every id
        # comes from the path, so the raw URL gives the same ids (tests/test_ids.py holds it).
        plain = "?" not in raw and "%" not in raw and "#" not in raw and " " not in raw
        url = raw if plain else clean_url(raw)
    else:
        url = clean_url(url)
        if not url.lower().startswith(("http://", "https://")):
            return _NO_IDS
        patterns = _PATTERNS_BY_HOST.get(_host_key(url), ())
    return _match_ids(url, patterns)


def _match_ids(url: str, patterns: tuple[Pattern, ...]) -> Ids:
    """The ids the patterns (of the URL's host) find in the URL."""
    found: dict[str, str] = {}
    for pattern in patterns:
        if pattern.kind in found:
            continue
        m = pattern.regex.search(url)
        if m:
            value = pattern.value(m)
            if value:
                found[pattern.kind] = value
    return _make_ids(found) if found else _NO_IDS


def ids_from_links(links: Iterable[Link | str]) -> Ids:
    """The identifiers of all links of an entry; the first link carrying a kind wins."""
    first: Ids | None = None  # most entries have one link with ids: its Ids is the answer
    found: dict[str, str] | None = None
    for link in links:
        ids = extract_ids(link.url if isinstance(link, Link) else link)
        if ids is _NO_IDS:
            continue
        if first is None:
            first = ids
            continue
        if found is None:
            found = first.to_dict()
        for kind, value in ids.to_dict().items():
            found.setdefault(kind, value)
    if found is not None:
        return _make_ids(found)
    return first if first is not None else _NO_IDS


def canonical_url(kind: str, value: str) -> str:
    """The canonical URL of an id (ValueError for an unknown kind)."""
    try:
        return _CANONICAL[kind](value)
    except KeyError:
        raise ValueError(f"unknown id kind {kind!r}") from None
