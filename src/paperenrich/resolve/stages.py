"""The stages an entry walks, and the pure transitions between them.

    ids -> s2_title -> ax_title -> s2_match -> complete -> done   (see the package docstring)

`needs(w)` says which lookups an entry waits on in its stage; `advance(w, lookups)` moves it on as
far as the known answers allow. Nothing here sends a request or touches the cache: the answers come
in through `Lookups`, so every transition can be tested with answers made by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable

from paperenrich.model import Entry, Match
from paperenrich.overrides import Overrides
from paperenrich.resolve.lookups import NS_ARXIV, NS_AX_TITLE, NS_S2, NS_S2_MATCH, NS_S2_TITLE, Lookups
from paperenrich.sources import arxiv as ax
from paperenrich.sources import s2
from paperenrich.titles import normalize_title
from paperenrich.verify import Choice, Facts, choose, from_arxiv, from_s2, verify_id


class Stage(StrEnum):
    IDS = "ids"
    S2_TITLE = "s2_title"
    AX_TITLE = "ax_title"
    S2_MATCH = "s2_match"
    COMPLETE = "complete"
    DONE = "done"


TITLE_STAGES = (Stage.S2_TITLE, Stage.AX_TITLE, Stage.S2_MATCH)


# A short nickname before a colon ("GPT3: Language Models are ...") is left out of search phrases:
# a phrase must appear contiguously in the paper's title, and the nickname often does not.
_NICKNAME = re.compile(r"^\s*[^:]{1,30}:\s+(?P<rest>.{12,})$")


def search_title(title: str) -> str:
    """The phrase to search for: the title without a short "Nickname:" prefix, unless the rest alone
    is generic ("YOLOv3: An Incremental Improvement"), when it would find the wrong papers."""
    from paperenrich.title_match import is_generic_rest

    m = _NICKNAME.match(title)
    return m["rest"] if m and not is_generic_rest(m["rest"]) else title


@dataclass
class Work:
    """One entry on its way through the stages."""

    entry: Entry
    arxiv_id: str | None  # from the list (or a pin)
    s2_key: str | None  # the best S2 batch id form the list gives (or a pin)
    title_key: str  # normalised search title: the key of its title lookups
    query_title: str
    pinned: bool = False
    rejected: frozenset[str] = frozenset()
    stage: str = Stage.IDS
    arxiv_rec: dict | None = None
    s2_rec: dict | None = None
    match: Match | None = None
    choice: Choice | None = None
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _s2_key(entry: Entry, arxiv_id: str | None) -> str | None:
    """The one id form S2's batch endpoint is asked for: ARXIV, then DOI, then ACL.

    Other ids (OpenReview, PMLR, USENIX, NeurIPS, IEEE, VLDB pages) have no S2 id form: S2's `URL:`
    form only knows arxiv.org, aclweb.org, acm.org and biorxiv.org, all covered above. Such entries
    go straight to the title lookups instead of spending batch slots on certain misses.
    """
    ids = entry.ids
    if arxiv_id:
        return s2.id_key("ARXIV", arxiv_id)
    if ids.doi:
        return s2.id_key("DOI", ids.doi)
    if ids.acl:
        return s2.id_key("ACL", ids.acl)
    return None


def plan_work(entries: Iterable[Entry], overrides: Overrides) -> list[Work]:
    works = []
    for entry in entries:
        pin = overrides.pin_for(entry)
        arxiv_id = ax.canonical_id(entry.ids.arxiv) if entry.ids.arxiv else None
        s2_key = None
        if pin:
            kind, value = pin
            arxiv_id = value if kind == "arxiv" else None
            s2_key = {"arxiv": s2.id_key("ARXIV", value), "doi": s2.id_key("DOI", value), "s2": value}[kind]
        else:
            s2_key = _s2_key(entry, arxiv_id)
        query = search_title(entry.title)
        works.append(
            Work(entry, arxiv_id, s2_key, normalize_title(query), query, pinned=bool(pin), rejected=overrides.rejected_for(entry))
        )
    return works


def needs(w: Work, bulk_supported: bool = True) -> list[tuple[str, str]]:
    """The lookups the entry waits on in its current stage."""
    if w.stage == Stage.IDS:
        out = []
        if w.arxiv_id:
            out.append((NS_ARXIV, w.arxiv_id))
        if w.s2_key:
            out.append((NS_S2, w.s2_key))
        return out
    if not w.title_key and w.stage in TITLE_STAGES:
        return []  # a title with no words: nothing to search for
    if w.stage == Stage.S2_TITLE:
        return [(NS_S2_TITLE, w.title_key)] if bulk_supported else []
    if w.stage == Stage.AX_TITLE:
        return [(NS_AX_TITLE, w.title_key)]
    if w.stage == Stage.S2_MATCH:
        return [(NS_S2_MATCH, w.title_key)]
    if w.stage == Stage.COMPLETE:
        return partner_needs(w)
    return []


def partner_needs(w: Work) -> list[tuple[str, str]]:
    out = []
    if w.arxiv_rec is None and w.s2_rec is not None:
        arxiv_id = (w.s2_rec.get("externalIds") or {}).get("ArXiv")
        if arxiv_id and ax.is_valid_id(arxiv_id):
            out.append((NS_ARXIV, arxiv_id))
    if w.s2_rec is None and w.arxiv_rec is not None:
        out.append((NS_S2, s2.id_key("ARXIV", w.arxiv_rec["arxiv"])))
    return out


def advance(w: Work, lookups: Lookups, bulk_supported: bool = True) -> None:
    """Move the entry on as far as the known answers allow (a pure function of the answers)."""
    while w.stage != Stage.DONE:
        waits_on = needs(w, bulk_supported)
        if any(not lookups.has(ns, key) for ns, key in waits_on):
            return
        for ns, key in waits_on:
            if (ns, key) in lookups.errors:
                message = lookups.errors[(ns, key)]
                if message not in w.errors:
                    w.errors.append(message)
        AFTER[Stage(w.stage)](w, lookups)


def after_ids(w: Work, lookups: Lookups) -> None:
    arxiv_rec = lookups.get(NS_ARXIV, w.arxiv_id) if w.arxiv_id else None
    s2_rec = lookups.get(NS_S2, w.s2_key) if w.s2_key else None
    accepted: list[tuple[str, dict, Any]] = []
    for source, rec, facts_of, how in (
        ("arxiv", arxiv_rec, from_arxiv, f"arXiv id {w.arxiv_id}"),
        ("s2", s2_rec, from_s2, f"S2 id {w.s2_key}"),
    ):
        if rec is None:
            continue
        facts = facts_of(rec)
        if facts.identity() & w.rejected:
            w.notes.append(f"{how}: rejected by the overrides file")
            continue
        if w.pinned:
            accepted.append((source, rec, None))
            continue
        verdict = verify_id(w.entry, facts, how)
        if verdict.accepted:
            accepted.append((source, rec, verdict))
        else:
            w.notes.extend(verdict.reasons)
    if not accepted:
        if w.pinned:
            w.notes.append("the id pinned by the overrides file was not found")
        w.stage = Stage.DONE if w.pinned else Stage.S2_TITLE
        return
    for source, rec, _ in accepted:
        if source == "arxiv":
            w.arxiv_rec = rec
        else:
            w.s2_rec = rec
    sources = "+".join(s for s, _, _ in accepted)
    if w.pinned:
        w.match = Match("override", sources, 1.0, ("pinned by the overrides file",))
    else:
        reasons = tuple(dict.fromkeys(r for _, _, v in accepted for r in v.reasons))
        w.match = Match("id", sources, 1.0, reasons)
    w.stage = Stage.COMPLETE


def title_facts(w: Work, lookups: Lookups) -> list[Facts]:
    facts: list[Facts] = []
    for ns, convert in ((NS_S2_TITLE, from_s2), (NS_AX_TITLE, from_arxiv), (NS_S2_MATCH, from_s2)):
        value = lookups.get(ns, w.title_key)
        if value is not None and not isinstance(value, list):
            value = [value]
        facts.extend(convert(rec) for rec in value or ())
    return facts


def try_title(w: Work, lookups: Lookups, next_stage: str) -> None:
    choice = choose(w.entry, title_facts(w, lookups), w.rejected)
    w.choice = choice
    if choice.paper is None:
        w.stage = Stage.DONE if (choice.ambiguous or next_stage == Stage.DONE) else next_stage
        return
    sources = sorted({f.source for f in choice.paper})
    for f in choice.paper:
        if f.source == "arxiv" and w.arxiv_rec is None:
            w.arxiv_rec = f.record
        if f.source == "s2" and w.s2_rec is None:
            w.s2_rec = f.record
    w.match = Match("title", "+".join(sources), min(1.0, choice.verdict.score), choice.verdict.reasons)
    w.stage = Stage.COMPLETE


def after_s2_title(w: Work, lookups: Lookups) -> None:
    try_title(w, lookups, Stage.AX_TITLE)


def after_ax_title(w: Work, lookups: Lookups) -> None:
    try_title(w, lookups, Stage.S2_MATCH)


def after_s2_match(w: Work, lookups: Lookups) -> None:
    try_title(w, lookups, Stage.DONE)


def after_complete(w: Work, lookups: Lookups) -> None:
    for ns, key in partner_needs(w):
        rec = lookups.get(ns, key)
        if rec is None:
            continue
        if ns == NS_ARXIV:
            w.arxiv_rec = rec
        else:
            w.s2_rec = rec
    if w.match and "+" not in w.match.source and w.arxiv_rec and w.s2_rec:
        w.match = Match(w.match.method, "arxiv+s2", w.match.score, w.match.reasons)
    w.stage = Stage.DONE


AFTER = {Stage.IDS: after_ids, Stage.S2_TITLE: after_s2_title, Stage.AX_TITLE: after_ax_title,
         Stage.S2_MATCH: after_s2_match, Stage.COMPLETE: after_complete}
