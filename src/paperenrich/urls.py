"""URL hygiene shared by the parser, the resolver and the link checker (pure functions, no I/O).

- `clean_url` drops tracking and session parameters (utm_*, fbclid, gclid, casa_token, ...)
  and repairs double-encoded queries such as `forum?id%253D...`;
- `is_double_encoded` tells whether a URL carries that encoding defect;
- `arxiv_abs_url` turns an arXiv pdf/html/abs link into its canonical abstract page;
- `upgrade_https` moves `http://` links of hosts known to serve HTTPS to `https://`;
- `without_userinfo` drops a `user:password@` part (never sent: the link is checked without it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only track the visitor or carry a session; removing them never changes
# which document a link points at.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "casa_token", "_hsenc", "_hsmi", "ref_src", "spm", "share_source",
    }
)
TRACKING_PREFIXES = ("utm_",)

# Hosts that serve the same documents over HTTPS (an http:// link to them only costs a redirect).
HTTPS_HOSTS = frozenset(
    {
        "arxiv.org", "www.arxiv.org", "export.arxiv.org", "browse.arxiv.org",
        "doi.org", "dx.doi.org", "dl.acm.org", "ieeexplore.ieee.org",
        "openreview.net", "proceedings.mlr.press", "proceedings.neurips.cc", "papers.nips.cc",
        "proceedings.mlsys.org", "aclanthology.org", "www.aclweb.org", "aclweb.org",
        "www.usenix.org", "usenix.org", "www.vldb.org", "vldb.org",
        "jmlr.org", "www.jmlr.org", "github.com", "link.springer.com",
        "www.semanticscholar.org", "api.semanticscholar.org", "dblp.org",
    }
)

_DOUBLE_ENCODED = re.compile(r"%25[0-9A-Fa-f]{2}")
_ENCODED_EQUALS = re.compile(r"%3[Dd]")


def is_double_encoded(url: str) -> bool:
    """True when the query (or path) was percent-encoded twice, e.g. `forum?id%253DPgtn4l6eKjv`."""
    return bool(_DOUBLE_ENCODED.search(url))


def _repair_query(query: str) -> str:
    """Undo double (or triple) encoding of a query string; keep a properly encoded one as is."""
    for _ in range(3):
        if not _DOUBLE_ENCODED.search(query):
            break
        query = unquote(query)
    # `id%3DXYZ` with no literal '=' means the whole "key=value" was encoded once too often.
    if "=" not in query and _ENCODED_EQUALS.search(query):
        query = unquote(query)
    return query


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k in TRACKING_PARAMS or k.startswith(TRACKING_PREFIXES)


# An http(s) URL with a path and no query, fragment, '%', whitespace or brackets: cleaning only
# lower-cases its scheme and host (what urlsplit/urlunsplit would do), so it is done directly.
_PLAIN_URL = re.compile(r"(https?://[^/?#\s\[\]]+)(/[^?#%\s]*)", re.I)
# The same with a query ("forum?id=..."): with no '%' there is nothing to repair, and when no
# tracking parameter's name occurs anywhere in the query none of its keys is one, so cleaning again
# only lower-cases the scheme and host (tests/test_urls.py checks it against the general path).
_PLAIN_QUERY_URL = re.compile(r"(https?://[^/?#\s\[\]]+)(/[^?#%\s]*)\?([^#%\s]+)", re.I)
_TRACKING_NAME = re.compile("|".join(re.escape(name) for name in sorted((*TRACKING_PARAMS, *TRACKING_PREFIXES))), re.I)


@lru_cache(maxsize=16384)  # pure; lists repeat links
def clean_url(url: str) -> str:
    """The same link without tracking/session parameters and with a repaired query encoding.

    Anything that is not an absolute http(s) URL is returned stripped but otherwise untouched.
    """
    url = url.strip()
    if url.isascii():
        if m := _PLAIN_URL.fullmatch(url):
            return m.group(1).lower() + m.group(2)
        if (m := _PLAIN_QUERY_URL.fullmatch(url)) and not _TRACKING_NAME.search(m.group(3)):
            return m.group(1).lower() + m.group(2) + "?" + m.group(3)
    return _clean_url_parts(url)


def _clean_url_parts(url: str) -> str:
    """clean_url's general path: split the (stripped) URL, repair and filter its query, join it again."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    path = parts.path
    if _DOUBLE_ENCODED.search(path):
        path = unquote(path)
    query = _repair_query(parts.query)
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _is_tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept, safe="/:,@")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, parts.fragment))


def without_userinfo(url: str) -> tuple[str, bool]:
    """The URL without its `user:password@` part, and whether it had one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, False
    if "@" not in parts.netloc:
        return url, False
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2])), True


@lru_cache(maxsize=16384)  # pure; asked for every link of an entry by several checks
def host_of(url: str) -> str:
    """The lower-cased host of a URL ('' when there is none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def upgrade_https(url: str) -> str:
    """`http://` -> `https://` for hosts known to serve HTTPS; other URLs unchanged."""
    if url[:7].lower() == "http://" and host_of(url) in HTTPS_HOSTS:
        return "https://" + url[7:]
    return url


def arxiv_abs_url(url: str) -> str | None:
    """`https://arxiv.org/abs/ID` for an arXiv abs/pdf/html link (any host alias or version), else None."""
    from paperenrich.ids import canonical_url, extract_ids  # ids builds on this module

    arxiv = extract_ids(url).arxiv
    return canonical_url("arxiv", arxiv) if arxiv else None
