"""Is this record the listed paper? Scoring and choosing among candidates (pure).

A missing paper is a gap; a wrong paper is a defect. So:
- a title match needs near-identical titles (`titles.title_similarity`, which already refuses titles that
  differ by a meaning word such as "not" or a number), then the year and venue written in the list
  raise or lower the confidence;
- a record reached through an id the list links is trusted unless its title is clearly another paper;
- when two different papers both pass, the entry stays unresolved ("ambiguous") with the candidates,
  unless the list's year/venue clearly prefers one.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from paperenrich.merge import publisher_doi
from paperenrich.model import Candidate, Entry
from paperenrich.sources.records import venue_of
from paperenrich.title_match import is_generic_rest, is_weak_title, match_similarity, nickname_dropped, rest_after_nickname
from paperenrich.titles import normalize_title
from paperenrich.venues import normalize_venue, parse_venue_year

TITLE_MIN = 0.93  # title similarity a title match needs before any other evidence
ACCEPT = 0.90  # final confidence a title match needs
ID_TITLE_MIN = 0.5  # below this, the record at a linked id is another paper
CLEAR_LEAD = 0.025  # how far the best of two passing papers must lead to be chosen
CANDIDATE_MIN = 0.75  # similarity worth showing as a candidate of an unresolved entry


@dataclass(frozen=True)
class Facts:
    """What verification compares, taken from either source's record."""

    source: str  # "arxiv" | "s2"
    titles: tuple[str, ...]  # the record's title(s): S2's, or arXiv's (a preprint title may differ)
    years: tuple[int, ...] = ()  # S2 year and/or arXiv submission year
    venue: str | None = None  # full venue name
    authors: tuple[str, ...] = ()
    arxiv: str | None = None
    doi: str | None = None  # publisher DOI, lower-case
    s2_id: str | None = None
    record: Any = field(default=None, compare=False, repr=False)

    def identity(self) -> frozenset[str]:
        """Ids that name this paper; two records sharing one are the same paper."""
        return frozenset(f"{k}:{v}" for k, v in (("arxiv", self.arxiv), ("doi", self.doi), ("s2", self.s2_id)) if v)


def from_arxiv(record: dict[str, Any]) -> Facts:
    year = int(record["published"][:4]) if record.get("published") else None
    return Facts(
        source="arxiv",
        titles=(record.get("title") or "",),
        years=(year,) if year else (),
        venue=record.get("journal_ref"),
        authors=tuple(record.get("authors") or ()),
        arxiv=record.get("arxiv"),
        doi=publisher_doi(record.get("doi")),
        record=record,
    )


def from_s2(record: dict[str, Any]) -> Facts:
    ext = record.get("externalIds") or {}
    return Facts(
        source="s2",
        titles=(record.get("title") or "",),
        years=(record["year"],) if record.get("year") else (),
        venue=venue_of(record),
        authors=tuple(a.get("name", "") for a in record.get("authors") or () if isinstance(a, dict)),
        arxiv=ext.get("ArXiv"),
        doi=publisher_doi(ext.get("DOI")),
        s2_id=record.get("paperId"),
        record=record,
    )


_SUBJECT_CLASS = re.compile(r"\.[A-Z]{2}/")
_USENIX = re.compile(r"^(?P<conf>[a-z]+)(?P<yy>\d{2})/")


def with_link_hints(entry: Entry) -> Entry:
    """The entry with a venue and year read from its links when the text gives none: a USENIX page
    (`osdi22/presentation/yu`), NeurIPS proceedings (`2020/hash/...`) or an ACL Anthology id say both."""
    if entry.venue and entry.year:
        return entry
    venue = year = None
    ids = entry.ids
    if ids.usenix and (m := _USENIX.match(ids.usenix)):
        venue, year = parse_venue_year(f"{m['conf']}'{m['yy']}")
    elif ids.neurips and ids.neurips[:4].isdigit():
        venue, year = "NeurIPS", int(ids.neurips[:4])
    elif ids.acl:
        venue, year = parse_venue_year(ids.acl)
    if not (venue or year):
        return entry
    return dataclasses.replace(entry, venue=entry.venue or venue, year=entry.year or year)


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    score: float
    reasons: tuple[str, ...]


def _title_score(entry: Entry, facts: Facts) -> float:
    return max((match_similarity(entry.title, t) for t in facts.titles if t), default=0.0)


def _context(entry: Entry, facts_list: Iterable[Facts]) -> tuple[float, list[str]]:
    """Confidence change from the list's year and venue against the record(s)."""
    facts_list = list(facts_list)
    delta, reasons = 0.0, []
    years = {y for f in facts_list for y in f.years}
    if entry.year and years:
        gap = min(abs(entry.year - y) for y in years)
        if gap == 0:
            delta += 0.05
            reasons.append(f"year {entry.year} agrees")
        elif gap == 1:
            reasons.append(f"year {entry.year} within one year of {sorted(years)}")
        else:
            delta -= 0.2
            reasons.append(f"year {entry.year} differs from {sorted(years)}")
    listed = normalize_venue(entry.venue) if entry.venue else None
    if listed and listed != "arXiv":
        shorts = {normalize_venue(f.venue) for f in facts_list if f.venue} - {None}
        if listed in shorts:
            delta += 0.03
            reasons.append(f"venue {listed} agrees")
        elif shorts - {"arXiv"}:
            delta -= 0.05
            reasons.append(f"venue {listed} differs from {sorted(shorts)}")
    return delta, reasons


def _nickname(title: str) -> str | None:
    head, sep, _ = title.partition(":")
    return normalize_title(head) if sep and 0 < len(head.split()) <= 3 else None


# An author named beside a description: "(Sennrich et al.)", "(Belinkov)", "Sennrich et al.".
_AUTHOR_NOTE = re.compile(r"\(\s*(?P<paren>[A-Z][\w'’\-]+)(?:\s+et\s+al\.?)?\s*\)|(?P<bare>[A-Z][\w'’\-]+)\s+et\s+al\b")


def _named_author(title: str, facts: Facts) -> str | None:
    """A surname the listed title names that is the surname of one of the record's authors."""
    surnames = {normalize_title(name.split()[-1]) for name in facts.authors if name.split()}
    for m in _AUTHOR_NOTE.finditer(title or ""):
        name = m["paren"] or m["bare"]
        if normalize_title(name) in surnames:
            return name
    return None


def _title_links_elsewhere(entry: Entry, facts: Facts) -> str | None:
    """The arXiv id or DOI of another paper that a link whose text is the listed title points to."""
    from paperenrich.ids import extract_ids

    listed = normalize_title(entry.title)
    for link in entry.links:
        if not listed or normalize_title(link.text) != listed:
            continue
        ids = extract_ids(link.url)
        # (an old-style id's subject class, "math.GT/0309136", is not in the record's form)
        if ids.arxiv and facts.arxiv and _SUBJECT_CLASS.sub("/", ids.arxiv) != _SUBJECT_CLASS.sub("/", facts.arxiv):
            return f"arXiv {ids.arxiv}"
        if ids.doi and facts.doi and ids.doi.lower() != facts.doi:
            return f"doi {ids.doi}"
    return None


def verify_id(entry: Entry, facts: Facts, how: str) -> Verdict:
    """A record reached through an id the list gives (`how`, e.g. "arXiv id 2309.06180").

    The id is the list author's own pointer, so it is trusted unless the title says another paper.
    A paper retitled between versions keeps its nickname ("DeltaZip: ..."): that is enough.
    """
    sim = _title_score(entry, facts)
    reasons = [how, f"title similarity {sim:.2f}"]
    if sim < ID_TITLE_MIN and is_weak_title(entry.title, facts.titles):
        other = _title_links_elsewhere(entry, facts)
        if other:
            # "[BPE](arxiv 1508.07909) and [Unigram LM](arxiv 1804.10959)" as one entry: its title
            # names the other link's paper, so it speaks against this id instead of saying nothing.
            return Verdict(False, sim, (f"{how} is another paper: the listed title {entry.title!r} "
                                        f"is the text of a link to {other}",))
        # A badge label ("Star"), "paper", or a bare name that is the record's own nickname says
        # nothing against the id the list author linked.
        reasons.append(f"the listed title {entry.title!r} is a label or a name: the linked id decides")
    elif sim < ID_TITLE_MIN and normalize_title(entry.title):
        nick = _nickname(entry.title)
        author = _named_author(entry.title, facts)
        if author:
            # "[Byte-Pair Encoding (Sennrich et al.)](arxiv)": a description, and the paper's author.
            reasons.append(f"the listed title names the record's author {author!r}")
        elif not nick or nick not in {_nickname(t) for t in facts.titles}:
            return Verdict(False, sim, (f"{how} is another paper: {facts.titles[0]!r}",))
        else:
            reasons.append(f"retitled: the nickname {nick!r} agrees")
    _, context = _context(entry, [facts])
    return Verdict(True, 1.0, tuple(reasons + context))


def _generic_rest_only(entry: Entry, facts_list: list[Facts]) -> str | None:
    """The generic rest, when the titles agree only on it: "YOLOv3: An Incremental Improvement"
    against a record titled "An Incremental Improvement" (or the other way round)."""
    for f in facts_list:
        for title in f.titles:
            if title and nickname_dropped(entry.title, title):
                rest = (rest_after_nickname(entry.title) or rest_after_nickname(title) or ("", ""))[1]
                if is_generic_rest(rest):
                    return rest
    return None


def _year_and_venue_agree(entry: Entry, facts_list: list[Facts]) -> bool:
    years = {y for f in facts_list for y in f.years}
    if not entry.year or entry.year not in years:
        return False
    listed = normalize_venue(entry.venue) if entry.venue else None
    if not listed or listed == "arXiv":
        return True
    return listed in {normalize_venue(f.venue) for f in facts_list if f.venue}


def verify_title(entry: Entry, facts_list: list[Facts]) -> Verdict:
    """One paper (possibly as both an arXiv and an S2 record) found by title."""
    sim = max(_title_score(entry, f) for f in facts_list)
    if sim < TITLE_MIN:
        return Verdict(False, sim, (f"title similarity {sim:.2f}",))
    generic = _generic_rest_only(entry, facts_list)
    if generic and not _year_and_venue_agree(entry, facts_list):
        # Many papers are "Name: A Survey"; the rest alone identifies none of them.
        return Verdict(False, min(sim, TITLE_MIN - 0.01),
                       (f"title similarity {sim:.2f} on the generic {generic!r} alone; the nickname, year and venue do not agree",))
    delta, context = _context(entry, facts_list)
    score = sim + delta  # may exceed 1 so that agreeing evidence still ranks papers; shown capped
    return Verdict(score >= ACCEPT, score, (f"title similarity {sim:.2f}", *context))


def group_by_paper(facts: Iterable[Facts]) -> list[list[Facts]]:
    """Records grouped into papers: records sharing an arXiv id, DOI or S2 id are one paper."""
    groups: list[tuple[set[str], list[Facts]]] = []
    for f in facts:
        ident = set(f.identity())
        joined = [g for g in groups if g[0] & ident]
        if not joined:
            groups.append((ident, [f]))
            continue
        target = joined[0]
        target[0].update(ident)
        target[1].append(f)
        for other in joined[1:]:
            target[0].update(other[0])
            target[1].extend(other[1])
            groups.remove(other)
    return [members for _, members in groups]


@dataclass(frozen=True)
class Choice:
    """The outcome of matching an entry against title-search candidates."""

    paper: list[Facts] | None  # the chosen paper's records
    verdict: Verdict | None
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = ()


def _candidate(group: list[Facts], score: float) -> Candidate:
    first = group[0]
    return Candidate(
        title=first.titles[0],
        score=round(score, 4),
        source="+".join(sorted({f.source for f in group})),
        arxiv=next((f.arxiv for f in group if f.arxiv), None),
        doi=next((f.doi for f in group if f.doi), None),
        s2_id=next((f.s2_id for f in group if f.s2_id), None),
        year=next((y for f in group for y in f.years), None),
    )


def choose(entry: Entry, facts: Iterable[Facts], rejected: frozenset[str] = frozenset()) -> Choice:
    """The one paper among title-search results that is the entry, or why none is.

    `rejected` holds identity strings ("arxiv:…", "doi:…", "s2:…") the user ruled out.
    """
    entry = with_link_hints(entry)
    groups = [g for g in group_by_paper(facts) if not (set().union(*(f.identity() for f in g)) & rejected)]
    scored = sorted(((verify_title(entry, g), g) for g in groups), key=lambda vg: -vg[0].score)
    passing = [(v, g) for v, g in scored if v.accepted]
    shown = tuple(_candidate(g, v.score) for v, g in scored[:5] if v.score >= CANDIDATE_MIN)
    if not passing:
        return Choice(None, None, candidates=shown)
    best_verdict, best = passing[0]
    close = [(v, g) for v, g in passing if best_verdict.score - v.score < CLEAR_LEAD]
    if len(close) > 1:
        if not all(_same_paper(g, best) for _, g in close[1:]):
            return Choice(None, None, ambiguous=True, candidates=tuple(_candidate(g, v.score) for v, g in passing[:5]))
        # Several records of one paper (a database duplicate): the best documented one stands for it.
        best_verdict, best = max(close, key=lambda vg: _documentation(vg[1]))
        note = f"{len(close)} records of this paper (same title, year and venue); chose the best documented"
        best_verdict = Verdict(True, best_verdict.score, best_verdict.reasons + (note,))
    return Choice(best, best_verdict)


def _same_paper(a: list[Facts], b: list[Facts]) -> bool:
    """Two records that nothing in reach tells apart: identical normalised title (4+ words), a
    shared year, and no conflicting venue."""
    titles_a = {normalize_title(t) for f in a for t in f.titles}
    titles_b = {normalize_title(t) for f in b for t in f.titles}
    if not any(len(t.split()) >= 4 for t in titles_a & titles_b):
        return False
    years_a, years_b = {y for f in a for y in f.years}, {y for f in b for y in f.years}
    if years_a and years_b and not years_a & years_b:
        return False
    venues_a = {normalize_venue(f.venue) for f in a if f.venue} - {None, "arXiv"}
    venues_b = {normalize_venue(f.venue) for f in b if f.venue} - {None, "arXiv"}
    return not (venues_a and venues_b and not venues_a & venues_b)


def _documentation(group: list[Facts]) -> tuple:
    """Rank of a duplicate record: both services, an arXiv id, a DOI, then the most cited."""
    cites = max(((f.record or {}).get("citationCount") or 0 for f in group if f.source == "s2"), default=0)
    return (len({f.source for f in group}), any(f.arxiv for f in group), any(f.doi for f in group), cites)
