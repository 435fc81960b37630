"""The replacement to propose for a link, if any (pure).

In order: the final URL of a permanent redirect (unless it is a login page or a site's home
page), then URL hygiene from `paperenrich.urls` (tracking and session parameters dropped, a
double-encoded query decoded), arXiv pdf -> abs, and http -> https for hosts known to serve it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from paperenrich.model import LinkStatus
from paperenrich.urls import arxiv_abs_url, clean_url, host_of, upgrade_https

PERMANENT_REDIRECTS = frozenset({301, 308})
_LOGIN = re.compile(r"/(login|signin|sign-in|sso|auth|cas/login|account)(/|$|\?)", re.IGNORECASE)


def is_home_page(url: str) -> bool:
    return urlsplit(url).path in ("", "/")


def fit_redirect_target(original: str, final: str) -> bool:
    """A redirect target worth writing into the list: not a login wall, not a site's front page."""
    if _LOGIN.search(urlsplit(final).path):
        return False
    return not (is_home_page(final) and not is_home_page(original))


def suggest(url: str, status: str, final_url: str | None = None, redirect_codes: tuple[int, ...] = ()) -> str | None:
    """A better URL for `url`, or None."""
    if status in (LinkStatus.BROKEN, LinkStatus.SOFT_404, LinkStatus.SKIPPED):
        return None  # nothing to replace it with (a broken link is for `fix` to replace from the paper)
    candidate = url
    if (status == LinkStatus.REDIRECTED and final_url and redirect_codes
            and all(code in PERMANENT_REDIRECTS for code in redirect_codes) and fit_redirect_target(url, final_url)):
        candidate = final_url
    candidate = clean_url(candidate)
    # (the substring test first: it is implied by the host test and spares most links a parse)
    if "arxiv.org" in candidate.lower() and "arxiv.org" in host_of(candidate) and "/pdf/" in urlsplit(candidate).path:
        candidate = arxiv_abs_url(candidate) or candidate
    candidate = upgrade_https(candidate)
    return candidate if candidate != url.strip() else None
