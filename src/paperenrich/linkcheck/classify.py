"""Pure rules that turn what a server said into a status class. No I/O, unit-tested alone.

Classes: ok, redirected, broken, blocked, rate_limited, timeout, soft_404, invalid, skipped,
error. The rule that matters most: bot protection and rate limits are never `broken`.
"""

from __future__ import annotations

import re
from typing import Mapping

# Publishers that refuse automated clients (403/401/418/999 to anything that is not a browser).
KNOWN_BOT_BLOCKERS = frozenset({
    "dl.acm.org", "ieeexplore.ieee.org", "www.sciencedirect.com", "sciencedirect.com",
    "www.researchgate.net", "researchgate.net", "onlinelibrary.wiley.com", "academic.oup.com",
    "www.tandfonline.com", "journals.sagepub.com", "pubs.acs.org", "www.jstor.org",
    "scholar.google.com", "www.linkedin.com", "linkedin.com", "www.computer.org",
    "www.nature.com", "www.science.org", "link.springer.com", "www.cell.com",
})

BLOCKED_STATUS = frozenset({401, 403, 418, 999})  # 999: LinkedIn's answer to bots
BROKEN_STATUS = frozenset({404, 410})

_CHALLENGE_HEADERS = (
    ("cf-mitigated", "challenge"),
    ("x-amzn-waf-action", "challenge"),
    ("x-amzn-waf-action", "captcha"),
)
_CHALLENGE_BODY = re.compile(
    rb"<title>\s*(just a moment|attention required|access denied|human verification|"
    rb"are you a robot|security check|checking your browser|ddos-guard|please wait)",
    re.IGNORECASE,
)
_CHALLENGE_MARKERS = re.compile(rb"cf-browser-verification|cf_chl_opt|challenge-platform|_incapsula_|captcha-delivery|px-captcha",
                                re.IGNORECASE)
# A title or main heading that says the page is not there, as a phrase: "404 Not Found",
# "Page not found", "Error 404 - not found", "This page does not exist". A bare `404` token is not
# enough: "Paper page 404" and GitHub's "Issue #404 ..." are live pages.
_NOT_FOUND = rb"(?:(?:error\s*)?404\s*[-:|]?\s*)?(?:error\s*[-:|]?\s*)?not\s+found\b"  # "Not Found", "404 - Not Found"
_SOFT_404 = re.compile(
    rb"<(?:title|h1)[^>]*>\s*(?:oops!?\s*)?" + _NOT_FOUND + rb"|"
    rb"<(?:title|h1)[^>]*>[^<]{0,200}?(?:\b(?:page|file|article|paper|document|resource|item|site|url)s?\s+(?:was\s+)?not\s+found\b|"
    rb"\b404\s*[-:|]?\s*(?:error\s*[-:|]?\s*)?(?:page\s+)?not\s+found\b|\bno longer (?:exists|available)|"
    rb"does not exist|doesn.t exist|could not be found|cannot be found|page unavailable)",
    re.IGNORECASE,
)


def is_challenge(status: int, headers: Mapping[str, str], body: bytes) -> bool:
    """A bot-protection answer: challenge headers, or a challenge page (403/429/503/202)."""
    for name, value in _CHALLENGE_HEADERS:
        if value in headers.get(name, "").lower():
            return True
    if status in (202, 403, 429, 503) and (_CHALLENGE_BODY.search(body[:20000]) or _CHALLENGE_MARKERS.search(body[:20000])):
        return True
    return False


def is_soft_404(body: bytes) -> bool:
    """A page answered 200 but says in its title or main heading that it is not there."""
    return bool(_SOFT_404.search(body[:65536]))


def has_anchor(body: bytes, fragment: str) -> bool:
    """Does an HTML page define `#fragment` (id= or name=; GitHub's user-content- prefix too)?"""
    if not fragment:
        return True
    names = {re.escape(fragment.encode()), re.escape(b"user-content-" + fragment.encode())}
    pattern = rb"\b(id|name)\s*=\s*[\"']?(" + b"|".join(names) + rb")[\"'\s>]"
    return re.search(pattern, body, re.IGNORECASE) is not None


def classify_status(status: int, host: str, headers: Mapping[str, str], body: bytes,
                    accept: frozenset[int]) -> tuple[str, str | None]:
    """(status class, detail) for a final, non-redirect HTTP answer."""
    # An accepted code never hides a soft 404: accepting 200..=299 says which codes are fine,
    # not that every page answering them is there.
    if status == 200 and is_soft_404(body):
        return "soft_404", "the page answers 200 but says it was not found"
    if status in accept:
        return "ok", None if 200 <= status < 300 else f"HTTP {status} accepted by configuration"
    if is_challenge(status, headers, body):
        return "blocked", f"bot protection (HTTP {status} challenge); check it in a browser"
    if 200 <= status < 300:
        return "ok", None
    if status in BLOCKED_STATUS:
        why = "a publisher known to refuse bots" if host in KNOWN_BOT_BLOCKERS else "access refused to the checker"
        return "blocked", f"HTTP {status}: {why}; not necessarily broken"
    if host in KNOWN_BOT_BLOCKERS and status in (400, 405, 429, 500, 503):
        return "blocked", f"HTTP {status} from a publisher known to refuse bots"
    if status == 429:
        return "rate_limited", "HTTP 429 Too Many Requests after retries"
    if status in BROKEN_STATUS:
        return "broken", f"HTTP {status}"
    if status >= 500:
        return "error", f"HTTP {status} server error after retries"
    if 400 <= status < 500:
        return "broken", f"HTTP {status}"
    return "error", f"unexpected HTTP {status}"
