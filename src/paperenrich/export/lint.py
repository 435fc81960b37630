"""Lint findings: what a maintainer should look at in a list, from its resolutions and link checks.

Kinds (each a Finding with the list line it is about):
    published   listed as a preprint ("arXiv'23") but a published version exists
    venue       the venue written in the list disagrees with the metadata
    year        the year written in the list disagrees with the metadata
    duplicate   the same paper listed more than once
    unresolved  the entry could not be matched to a paper (with the reason)
    broken      a link that does not work (check's `broken`: 404, 410, DNS failure, refused...)
    soft_404    a link answering 200 with a "not found" page, or a deep link sent to the home page
    invalid     a malformed URL or a double-encoded query
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from paperenrich.export.papers import earlier_same_paper, is_preprint_venue, paper_keys
from paperenrich.model import Entry, LinkResult, Paper, Resolution
from paperenrich.venues import normalize_venue, parse_venue_year

KINDS = ("published", "venue", "year", "duplicate", "unresolved", "broken", "soft_404", "invalid")
_LINK_WORDS = {"broken": "broken link", "soft_404": "soft 404", "invalid": "invalid link"}

@dataclass(frozen=True)
class Finding:
    kind: str
    line: int
    message: str
    title: str = ""
    url: str | None = None
    source: str = ""  # the list it is about, when known (api.lint sets it; lint() sees one list's data)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "line": self.line, "message": self.message, "title": self.title, "url": self.url}


def _venue_short(venue: str | None) -> str | None:
    """The short name of a venue, without the kind of publication ("NeurIPS Workshop" -> "NeurIPS")."""
    short = normalize_venue(venue, keep_unknown=True)
    if short is None:
        return None
    return re.sub(r" (Workshop|Tutorial|Poster|Demo)$", "", short).lower()


def venues_agree(listed: str, known: Iterable[str | None]) -> bool:
    """True when the list's venue names one of the known venues, or when we cannot tell."""
    listed_short = _venue_short(listed)
    shorts = {s for v in known if (s := _venue_short(v))}
    if listed_short is None or not shorts:
        return True
    return listed_short in shorts


def _published_at(paper: Paper) -> tuple[str, int | None, str | None] | None:
    """(venue, year, doi) of the published version of a paper, or None if it is only a preprint."""
    pv = paper.published_version
    if pv and pv.venue and not is_preprint_venue(pv.venue):
        # The short name a list would write ("ICML", not "International Conference on Machine Learning").
        return parse_venue_year(pv.venue)[0] or pv.venue, pv.year, pv.doi
    venue = paper.venue_short or paper.venue
    if venue and not is_preprint_venue(venue):
        return venue, paper.year, paper.doi
    return None


def _label(entry: Entry) -> str:
    year = f"'{entry.year % 100:02d}" if entry.year else ""
    return f"{entry.venue or ''}{year}" or "a preprint"


def _paper_findings(entry: Entry, paper: Paper) -> list[Finding]:
    findings: list[Finding] = []
    published = _published_at(paper)
    if is_preprint_venue(entry.venue) and published:
        venue, year, doi = published
        where = f"{venue} {year}" if year else venue
        message = f"listed as {_label(entry)}, now published at {where}" + (f" (doi:{doi})" if doi else "")
        findings.append(Finding("published", entry.line, message, entry.title))
        return findings  # a preprint's year naturally differs from the published one
    if entry.venue and not is_preprint_venue(entry.venue) and published:
        known = [paper.venue_short, paper.venue, paper.published_version.venue if paper.published_version else None]
        if not venues_agree(entry.venue, known):
            findings.append(
                Finding("venue", entry.line, f"list says {entry.venue}, metadata says {published[0]}", entry.title)
            )
    years = {y for y in (paper.year, paper.published_version.year if paper.published_version else None) if y}
    if entry.year and years and entry.year not in years:
        shown = "/".join(str(y) for y in sorted(years))
        findings.append(Finding("year", entry.line, f"list says {entry.year}, metadata says {shown}", entry.title))
    return findings


def lint(resolutions: Sequence[Resolution], link_results: Iterable[LinkResult] = ()) -> list[Finding]:
    """Every finding for a list, ordered by line."""
    findings: list[Finding] = []
    ordered = sorted(resolutions, key=lambda r: r.entry.line)
    # Entries the list itself marks as repeats, and unresolved ones, take no part in matching papers.
    keys = [paper_keys(r.paper) if r.paper is not None and r.entry.duplicate_of is None else () for r in ordered]
    for res, same in zip(ordered, earlier_same_paper(keys)):
        entry = res.entry
        if res.paper is None:
            findings.append(Finding("unresolved", entry.line, res.reason or "not found", entry.title))
        else:
            findings.extend(_paper_findings(entry, res.paper))
        earlier = entry.duplicate_of
        if earlier is None and same is not None:
            earlier = ordered[same].entry.line
        if earlier is not None and earlier != entry.line:
            findings.append(Finding("duplicate", entry.line, f"same paper as line {earlier}", entry.title))
    for result in link_results:
        if not result.status.is_failure:
            continue
        kind = str(result.status)
        detail = result.detail or (f"HTTP {result.http_status}" if result.http_status else kind)
        hint = f"; use {result.suggestion}" if result.suggestion else ""
        message = f"{_LINK_WORDS[kind]} ({detail}){hint}"
        for place in result.places or ():
            findings.append(Finding(kind, place.line, message, url=result.url))
        if not result.places:
            findings.append(Finding(kind, 0, message, url=result.url))
    return sorted(findings, key=lambda f: (f.line, KINDS.index(f.kind)))


def format_findings(findings: Sequence[Finding], source: str) -> str:
    """One line per finding, "LIST.md:12: published: listed as arXiv'23, now published at SOSP 2023"."""
    lines = []
    for f in findings:
        subject = f" {f.url}" if f.url else (f" \"{f.title}\"" if f.title else "")
        lines.append(f"{source}:{f.line}: {f.kind}: {f.message} -{subject}" if subject else f"{source}:{f.line}: {f.kind}: {f.message}")
    return "\n".join(lines)
