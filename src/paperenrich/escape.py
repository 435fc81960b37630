"""Values from services made safe for the text formats we write into: Markdown and BibTeX.

A title, an author name or a DOI comes from a service and is untrusted: it may hold a newline (that
would end the list line), a marker of our own addition block, link syntax (a link to another site
in the user's list), or LaTeX/BibTeX syntax. Each output escapes or refuses such values here, in one
place; HTML escaping lives with the report (export/report.py, `_e`).

    one_line(text)        every run of whitespace (newlines, tabs, U+2028...) as one space, controls removed
    markdown_text(text)   one line of inert Markdown text: no link, emphasis, HTML, table cell break or marker
    output_doi(doi)       the DOI if it matches the DOI grammar we write out, else None (refused)
    doi_url(doi)          https://doi.org/ + the DOI, percent-encoded so it stays one link destination
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# The DOI syntax we write into outputs: "10.", a registrant code, "/", a suffix of the characters
# Crossref recommends (which covers nearly every registered DOI) plus the "<>#+" of SICI DOIs.
# Braces, backslashes, percent signs, quotes and spaces are refused: they mean markup, not a DOI.
DOI_GRAMMAR = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/[-._;()/:A-Za-z0-9<>#+]{1,300}$")

_MARKDOWN_PUNCT = re.compile(r"([\\`*_\[\]()!|~#])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# GitHub also turns bare text into links: "https://...", "www....", "a@b.c" (autolinks).
_AUTOLINK = re.compile(r"://|(?i:www)\.|@")


def one_line(text: str) -> str:
    """The text on one line: whitespace runs (line breaks included) as one space, controls dropped."""
    kept = "".join(" " if c.isspace() else c for c in str(text) if c.isspace() or unicodedata.category(c) != "Cc")
    return " ".join(kept.split())


def markdown_text(text: str) -> str:
    """Plain text as one line of Markdown that renders as that text and nothing else.

    `<`, `>` and `&` become entities (so no HTML and no `<!-- paperenrich -->` marker can be formed);
    link, emphasis, code and table syntax is backslash-escaped, and so is what GitHub would
    autolink.
    """
    line = one_line(text)
    line = "".join(_HTML.get(c, c) for c in line)
    line = _MARKDOWN_PUNCT.sub(r"\\\1", line)
    return _AUTOLINK.sub(_break_autolink, line)


def _break_autolink(match: re.Match[str]) -> str:
    found = match.group()
    if found == "://":
        return "\\://"
    if found == "@":
        return "\uff20"  # FULLWIDTH COMMERCIAL AT: an '@' cannot be escaped out of an e-mail autolink
    return found[:3] + "\\."  # www\.


def output_doi(doi: str | None) -> str | None:
    """The DOI when it matches DOI_GRAMMAR; None (write no DOI) otherwise."""
    if not doi:
        return None
    doi = doi.strip()
    return doi if DOI_GRAMMAR.match(doi) else None


def doi_url(doi: str) -> str:
    """The doi.org link of a DOI, with every character that could end or split a link
    destination (parentheses, brackets, '#', '<', '>') percent-encoded."""
    return "https://doi.org/" + quote(doi, safe="/-._;:+")
