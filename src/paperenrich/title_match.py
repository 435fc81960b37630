"""How close a listed title is to a record's title, for matching (pure).

`titles.title_similarity` compares two normalised strings. Matching needs a little more on top:
- the same title written two ways must compare equal: `&` / `and`, hyphenation ("Pre-Training",
  "Pretraining"), tag words a list or a database adds ("(to appear)", "(extended version)"), and a
  venue annotation stuck to the end of a record's title ("...Compression（ASPLOS'23)");
- two titles that differ by one *substituted* content word are two papers, however long they are
  ("... for large-scale distributed ..." is not "... for small-scale distributed ...");
- a "Name: rest" title whose rest is short or common ("YOLOv3: An Incremental Improvement") must
  not match a record titled just "An Incremental Improvement";
- a weak listed title (a badge label, "paper", a bare name that is the record's own nickname or
  prefix) says nothing about which paper a linked id is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from paperenrich.titles import normalize_title, title_similarity

# Tag words a list or a database writes next to a title; they are not part of it.
_TAGS = re.compile(
    r"[\(\[（【]\s*(?:to appear|accepted|in press|forthcoming|preprint|under review|camera[- ]ready|"
    r"extended (?:version|abstract)|full version|short paper|long paper|oral|spotlight|poster|best paper(?: award)?)"
    r"[^\)\]）】]{0,20}[\)\]）】]",
    re.IGNORECASE,
)
# A venue annotation at the very end: "(ASPLOS'23)", "（OSDI 2022)", "[NeurIPS'20]".
_TRAILING_VENUE = re.compile(r"\s*[\(\[（【]\s*[A-Za-z][\w\-&. ]{0,30}?\s*['’]?\s*(?:19|20)?\d{2}\s*[\)\]）】]\s*\.?\s*$")
_AMPERSAND = re.compile(r"\s*&\s*")
_HYPHEN_JOIN = re.compile(r"(?<=\w)[-‐‑–](?=\w)")
_PLURAL = re.compile(r"(?<=[a-z]{3})s\b")  # "Models" / "Model": one word in a title
_NICKNAME = re.compile(r"^\s*(?P<nick>[^:]{1,30}):\s+(?P<rest>.+)$")

# Words a title may gain or lose without becoming another paper's title.
STOPWORDS = frozenset("a an the of for and in on with to via by from at as is are its into using".split())
# Rests that many papers share: after "Name:", they identify nothing alone.
GENERIC_RESTS = frozenset(normalize_title(t) for t in (
    "An Introduction", "A Survey", "A Review", "An Overview", "A Tutorial", "A Primer", "A Case Study",
    "An Incremental Improvement", "A Position Paper", "Extended Abstract", "A Retrospective",
    "A New Approach", "A Benchmark", "A Dataset", "Technical Report", "A Perspective", "Lessons Learned",
))
GENERIC_REST_WORDS = 4  # a rest of fewer words than this is too short to identify a paper alone
# What lists write where a title should be: a badge or link label.
LABELS = frozenset(normalize_title(t) for t in (
    "paper", "pdf", "link", "arxiv", "code", "star", "stars", "github", "project", "project page", "website",
    "homepage", "abs", "html", "slides", "video", "blog", "here", "link to paper", "preprint", "openreview",
))
SUBSTITUTION_SIMILAR = 0.8  # two differing words this alike are one word spelt two ways


@lru_cache(maxsize=65536)
def variants(title: str) -> tuple[str, ...]:
    """The ways of reading one title for comparison: as written, and without tags, venue
    annotations, `&`, hyphens and plural s (each variant keeps a "Name:" prefix, so nickname rules
    still apply)."""
    base = _TAGS.sub(" ", title or "")
    base = _TRAILING_VENUE.sub("", base).strip()
    base = _AMPERSAND.sub(" and ", base)
    joined = _HYPHEN_JOIN.sub("", base)
    singular = _PLURAL.sub("", joined)
    return tuple(dict.fromkeys(t for t in (title or "", base, joined, singular) if t.strip()))


_HYPHENATED = re.compile(r"\w+(?:[-‐‑–]\w+)+")


def distinctive_words(title: str) -> list[str]:
    """The words any record whose title could pass as this one's must hold too: the title's
    normalised words without tags and a trailing venue annotation, stopwords (`&`/`and` among them),
    one-letter words, and the parts of hyphenated compounds (written joined or apart elsewhere:
    "Pre-Training" / "Pretraining")."""
    base = _TRAILING_VENUE.sub("", _TAGS.sub(" ", title or ""))
    compound = {w for match in _HYPHENATED.findall(base) for w in normalize_title(match).split()}
    words = [w for w in normalize_title(base).split() if w not in STOPWORDS and len(w) > 1 and w not in compound]
    return list(dict.fromkeys(words))


def _substituted(a: str, b: str) -> bool:
    """Whether a content word of one title stands where another content word stands in the other:
    both sides have a word the other lacks, and no such pair is one word spelt two ways."""
    ta, tb = normalize_title(a).split(), normalize_title(b).split()
    only_a = [t for t in dict.fromkeys(ta) if t not in tb and t not in STOPWORDS]
    only_b = [t for t in dict.fromkeys(tb) if t not in ta and t not in STOPWORDS]
    if not only_a or not only_b:
        return False  # one title has extra words (or none differ): not a substitution
    # Words joined or split ("pre training" / "pretraining") are one word spelt two ways.
    if "".join(only_a) == "".join(only_b):
        return False
    for x in only_a:
        if not any(fuzz.ratio(x, y) / 100.0 >= SUBSTITUTION_SIMILAR for y in only_b):
            return True
    return False


def rest_after_nickname(title: str) -> tuple[str, str] | None:
    """("Name", "rest") of a "Name: rest" title, else None."""
    m = _NICKNAME.match(title or "")
    return (m["nick"].strip(), m["rest"].strip()) if m else None


def is_generic_rest(rest: str) -> bool:
    """A rest after "Name:" that many papers could have: a known generic phrase, or 3 words or fewer."""
    norm = normalize_title(rest)
    return norm in GENERIC_RESTS or len(norm.split()) < GENERIC_REST_WORDS


def nickname_dropped(listed: str, record: str) -> bool:
    """One title is "Name: rest" and the other is the rest alone (the name nowhere in it)."""
    for x, y in ((listed, record), (record, listed)):
        parts = rest_after_nickname(x)
        if parts and normalize_title(parts[0]) not in normalize_title(y) and match_similarity(parts[1], y) >= 0.9:
            return True
    return False


def match_similarity(listed: str, record: str) -> float:
    """0..1: the best similarity over the titles' variants; a substituted content word caps it at 0.5."""
    best = 0.0
    for a in variants(listed):
        for b in variants(record):
            sim = title_similarity(a, b)
            if 0.5 < sim < 1.0 and _substituted(a, b):  # (at 0.5 or below the cap changes nothing)
                sim = 0.5
            best = max(best, sim)
    return best


def is_weak_title(listed: str, record_titles: tuple[str, ...]) -> bool:
    """A listed title that cannot outvote a linked id: empty, a link or badge label, one or two
    words, or the record's own nickname or the start of its title ("Strata" for "Strata: ...")."""
    norm = normalize_title(listed)
    if not norm or norm in LABELS or len(norm.split()) <= 2:
        return True
    for title in record_titles:
        rec = normalize_title(title)
        parts = rest_after_nickname(title)
        if parts and normalize_title(parts[0]) == norm:
            return True
        if rec.startswith(norm + " ") and len(norm.split()) <= 3:
            return True
    return False
