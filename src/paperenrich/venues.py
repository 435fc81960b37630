"""Venue names: short normalised names from what lists and metadata write (pure).

`normalize_venue("Advances in Neural Information Processing Systems")` -> "NeurIPS";
`parse_venue_year("SOSP'23")` -> ("SOSP", 2023). One table, `VENUES`: short name -> patterns
matched against a lower-cased, punctuation-light form of the input. The resolver uses the same
table to derive `venue_short` from full venue names.
"""

from __future__ import annotations

import re
from functools import lru_cache

# short name -> regexes (searched in the folded text: lower case, single spaces).
# Long names come before the short forms they contain ("usenix annual technical conference").
VENUES: dict[str, tuple[str, ...]] = {
    "arXiv": (r"^arxiv\b", r"^corr\b", r"^arxiv\.org", r"\bcomputing research repository\b"),
    "NeurIPS": (r"\bneur(?:a|i)?ips\b", r"^nips\b", r"neural information processing systems"),
    "ICML": (r"^icml\b", r"international conference on machine learning"),
    "ICLR": (r"^iclr\b", r"international conference on learning representations"),
    "OSDI": (r"^osdi\b", r"operating systems design and implementation"),
    "SOSP": (r"^sosp\b", r"symposium on operating systems principles"),
    "NSDI": (r"^nsdi\b", r"networked systems design and implementation"),
    "ATC": (r"^(?:usenix )?atc\b", r"annual technical conference"),
    "EuroSys": (r"^eurosys\b", r"european conference on computer systems"),
    "ASPLOS": (r"^asplos\b", r"architectural support for programming languages and operating systems"),
    "MLSys": (r"^mlsys\b", r"machine learning and systems", r"^sysml\b"),
    "SC": (r"^sc\b", r"high performance computing networking storage and analysis", r"^supercomputing\b"),
    "PPoPP": (r"^ppopp\b", r"principles and practice of parallel programming"),
    "SoCC": (r"^socc\b", r"symposium on cloud computing"),
    "VLDB": (r"^p?vldb\b", r"very large data bases", r"proc vldb endow"),
    "SIGMOD": (r"^sigmod\b", r"management of data"),
    "SIGCOMM": (r"^sigcomm\b", r"special interest group on data communication",
                r"applications technologies architectures and protocols for computer communication"),
    "ISCA": (r"^isca\b", r"international symposium on computer architecture"),
    "MICRO": (r"^micro\b", r"international symposium on microarchitecture"),
    "HPCA": (r"^hpca\b", r"high performance computer architecture"),
    "FAST": (r"^fast\b", r"file and storage technologies"),
    "KDD": (r"^(?:sig)?kdd\b", r"knowledge discovery and data mining"),
    "ACL": (r"^acl\b", r"annual meeting of the association for computational linguistics"),
    "EMNLP": (r"^emnlp\b", r"empirical methods in natural language processing"),
    "NAACL": (r"^naacl\b", r"north american chapter of the association for computational linguistics"),
    "COLM": (r"^colm\b", r"conference on language modeling"),
    "CVPR": (r"^cvpr\b", r"computer vision and pattern recognition"),
    "ICCV": (r"^iccv\b", r"international conference on computer vision"),
    "ECCV": (r"^eccv\b", r"european conference on computer vision"),
    "AAAI": (r"^aaai\b", r"aaai conference on artificial intelligence"),
    "IJCAI": (r"^ijcai\b", r"international joint conference on artificial intelligence"),
    "AISTATS": (r"^aistats\b", r"artificial intelligence and statistics"),
    "JMLR": (r"^jmlr\b", r"journal of machine learning research", r"^j\.? mach\.? learn\.? res\b"),
    "TMLR": (r"^tmlr\b", r"transactions on machine learning research"),
    "TPDS": (r"^(?:ieee )?tpds\b", r"transactions on parallel and distributed systems"),
    "TACO": (r"^(?:acm )?taco\b", r"transactions on architecture and code optimization"),
    "TKDE": (r"^(?:ieee )?tkde\b", r"transactions on knowledge and data engineering"),
    "CSUR": (r"^(?:acm )?csur\b", r"computing surveys"),
    "IEEE Micro": (r"^ieee micro\b",),
    "ICDE": (r"^icde\b", r"international conference on data engineering"),
    "CIDR": (r"^cidr\b", r"conference on innovative data systems research"),
    "HPDC": (r"^hpdc\b", r"high performance parallel and distributed computing"),
    "ICPP": (r"^icpp\b", r"international conference on parallel processing"),
    "IPDPS": (r"^ipdps\b", r"international parallel and distributed processing symposium"),
    "ICS": (r"^ics\b", r"international conference on supercomputing"),
    "CLUSTER": (r"^cluster\b", r"international conference on cluster computing"),
    "CCGrid": (r"^ccgrid\b", r"cluster cloud and internet computing"),
    "Middleware": (r"^middleware\b",),
    "MobiCom": (r"^mobicom\b", r"mobile computing and networking"),
    "MobiSys": (r"^mobisys\b", r"mobile systems applications and services"),
    "SenSys": (r"^sensys\b", r"embedded networked sensor systems"),
    "INFOCOM": (r"^(?:ieee )?infocom\b",),
    "HotNets": (r"^hotnets\b", r"hot topics in networks"),
    "HotOS": (r"^hotos\b", r"hot topics in operating systems"),
    "HotCloud": (r"^hotcloud\b",),
    "HotStorage": (r"^hotstorage\b",),
    "HotInfra": (r"^hotinfra\b",),
    "DAC": (r"^dac\b", r"design automation conference"),
    "ICSE": (r"^icse\b", r"international conference on software engineering"),
    "FSE": (r"^(?:esec/)?fse\b", r"foundations of software engineering"),
    "S&P": (r"^(?:ieee )?s&p\b", r"symposium on security and privacy", r"^oakland\b"),
    "USENIX Security": (r"^usenix security\b",),
    "CCS": (r"^(?:acm )?ccs\b", r"computer and communications security"),
    "WWW": (r"^www\b", r"^the web conference\b"),
    "SIGIR": (r"^sigir\b", r"research and development in information retrieval"),
    "RecSys": (r"^recsys\b", r"conference on recommender systems"),
    "SIGMETRICS": (r"^sigmetrics\b",),
    "RTAS": (r"^rtas\b", r"real-time and embedded technology"),
    "RTSS": (r"^rtss\b", r"real-time systems symposium"),
    "PACT": (r"^pact\b", r"parallel architectures and compilation techniques"),
    "ICDCS": (r"^icdcs\b", r"distributed computing systems"),
    "HiPC": (r"^hipc\b",),
    "APNet": (r"^apnet\b",),
    "HOTI": (r"^hoti\b", r"hot interconnects"),
    "CPAL": (r"^cpal\b",),
    "SAC": (r"^sac\b",),
    "AAMAS": (r"^aamas\b",),
    "IMWUT": (r"^imwut\b",),
    "FGCS": (r"^fgcs\b", r"future generation computer systems"),
    "CoNEXT": (r"^conext\b",),
    "OpenAI": (),
    # Journals and conferences of the corpus lists beyond systems and ML (tags such as "[TOSEM]",
    # "[TIFS]" in hzysvilla's smart-contract list, "IEEE TNNLS-22" in transferlearning, "BMVC 2021",
    # "SIGGRAPH 2022" in awesome-NeRF, "*ICRA, Oct 2024*" in GT-RIPL).
    **{name: (rf"^(?:ieee |acm )?{name.lower()}\b",) for name in (
        "TIFS", "TSE", "TOSEM", "TDSC", "TOPLAS", "TON", "TC", "EMSE", "TPAMI", "TIP", "TNNLS", "TMM", "TCSVT",
        "IJCV", "TOG", "TVCG", "TASLP", "TACL", "TKDD", "TOIS", "TWEB", "TOCS", "TOS", "TSC", "TCC", "TMC",
        "CAV", "ICPC", "POPL", "PLDI", "OOPSLA", "ISSTA", "ASE", "MSR", "SANER", "ICSME", "CHI", "UIST",
        "CSCW", "NDSS", "AsiaCCS", "ACSAC", "RAID", "ESORICS", "EuroS&P", "ICRA", "IROS", "RSS", "CoRL",
        "RA-L", "BMVC", "SIGGRAPH", "WACV", "ACCV", "3DV", "COLING", "EACL", "INTERSPEECH", "ICASSP",
        "ECAI", "UAI", "COLT", "STOC", "FOCS", "SODA", "ICDM", "CIKM", "WSDM", "MM", "FAccT", "MICCAI", "HotCloud")
        if name != "HotCloud"},
}

# Words that stand where a venue would, but are not one.
NOT_VENUES = frozenset({"preprint", "under review", "paper", "survey", "tech report", "technical report",
                        "report", "thesis", "blog", "code", "link", "pdf", "slides", "video", "draft", "online",
                        # months: "(2021, May)" is a date (idkaaa's APA entries), not a venue
                        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
                        "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
                        "november", "dec", "december"})

# Kinds of publication written after the venue ("NeurIPS'22 Workshop", "KDD'20 Tutorial").
_KIND_WORDS = (("workshop", "Workshop"), ("tutorial", "Tutorial"), ("poster", "Poster"), ("demo", "Demo"))



def _fold_pattern(pattern: str) -> str:
    """A pattern written in plain words, folded as `_fold` folds the text it is searched in."""
    return re.sub(r"\b(?:the|in) ", "", pattern.replace("-", " "))


_COMPILED: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (short, re.compile(_fold_pattern(p))) for short, pats in VENUES.items() for p in pats
)
# Most strings asked about are not venues (titles, notes, free text): trying the patterns one by
# one took ~30 us for each. One match of the anchored ones ("^osdi\b", ...) joined and one search of
# the others joined tell whether any pattern can match; only then are they tried in table order
# (the first that matches names the venue), so the answer is the loop's.
_ANCHORED_ANY = re.compile("^(?:" + "|".join(f"(?:{p.pattern[1:]})" for _, p in _COMPILED
                                             if p.pattern.startswith("^")) + ")")
_UNANCHORED_ANY = re.compile("|".join(f"(?:{p.pattern})" for _, p in _COMPILED if not p.pattern.startswith("^")))


def _longest_literal(pattern: re.Pattern[str]) -> str:
    """The longest run of plain characters in the pattern's top-level sequence: every match holds it
    ("" when there is none, e.g. a pattern that is one alternation: it then never rules a text out)."""
    assert not pattern.flags & re.IGNORECASE  # (a literal then names one case of its characters)
    best = run = ""
    for op, value in re._parser.parse(pattern.pattern).data:  # type: ignore[attr-defined]
        run = run + chr(value) if op is re._constants.LITERAL else ""  # type: ignore[attr-defined]
        best = max(best, run, key=len)
    return best


# The unanchored patterns are venues' full names ("operating systems design and implementation"):
# a text holding none of their literal runs cannot match their joined search, which tried every one
# of them at every position (most texts asked about are titles: 20 us of each).
_UNANCHORED_LITERALS = tuple(dict.fromkeys(_longest_literal(p) for _, p in _COMPILED if not p.pattern.startswith("^")))
_APOS = "'\u2019\u2018`\u00b4"
_YEAR4 = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR2 = re.compile(rf"[{_APOS}](\d{{2}})(?!\d)")
_ARXIV_ID = re.compile(r"(?<!\d)(\d{2})(\d{2})\.\d{4,5}(?!\d)")


_FOLD_PUNCTUATION = re.compile(r"[^\w&/. ]+")
_FOLD_FILLER = re.compile(r"\b(?:the|proceedings of|proc\.?|in|\d+(?:st|nd|rd|th))\b")
_YEAR2_WORD = re.compile(rf"[{_APOS}]\d{{2}}\b")


def _fold(s: str) -> str:
    # "Principles & Practice", "High-Performance": the same words as "principles and practice",
    # "high performance" ("S&P" keeps its ampersand).
    s = s.lower().replace("_", " ").replace("*", " ").replace(" & ", " and ").replace("-", " ")
    s = _FOLD_PUNCTUATION.sub(" ", s)
    s = _FOLD_FILLER.sub(" ", s)
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def normalize_venue(s: str | None, keep_unknown: bool = False) -> str | None:
    """The short name of a venue ("OSDI", "NeurIPS", "arXiv") or None when it is not recognised.

    With keep_unknown=True an unrecognised short tag (one or two words, like "HotChips") is
    returned as written instead of None; long unknown names still give None.
    """
    if not s:
        return None
    folded = _fold(_YEAR4.sub(" ", s))
    folded = _YEAR2_WORD.sub(" ", folded).strip(" -.,")
    if not folded:
        return None
    if _ANCHORED_ANY.match(folded) or (any(literal in folded for literal in _UNANCHORED_LITERALS)
                                       and _UNANCHORED_ANY.search(folded)):
        for short, regex in _COMPILED:
            if regex.search(folded):
                return short
    if keep_unknown:
        raw = re.sub(rf"[{_APOS}]\d{{2}}\b|\(.*?\)|(?<!\d)(?:19|20)\d{{2}}(?!\d)", " ", s)
        raw = " ".join(raw.replace("*", " ").split()).strip(" ,.-")
        if raw and len(raw.split()) <= 2 and len(raw) <= 24 and re.match(r"^[A-Za-z][\w&/\-. ]*$", raw):
            return raw
    return None


_PARENTHESISED = re.compile(r"\(.*?\)")
_COMPACT_TAG = re.compile(r"([A-Za-z][A-Za-z&\-]{1,15})(\d{2})")


def _two_digit_year(yy: str) -> int:
    n = int(yy)
    return 2000 + n if n <= 50 else 1900 + n


def parse_year(s: str) -> int | None:
    """A 4-digit year from "2023", "SOSP'23", "arXiv 2305.05920" (from the id's yymm), or None."""
    if not s:
        return None
    m = _YEAR4.search(s)
    if m and not _ARXIV_ID.search(s):
        return int(m.group(1))
    m = _YEAR2.search(s)
    if m:
        return _two_digit_year(m.group(1))
    m = _ARXIV_ID.search(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return 2000 + int(m.group(1))
    if m := _YEAR4.search(s):
        return int(m.group(1))
    return None


def parse_venue_year(s: str | None) -> tuple[str | None, int | None]:
    """("SOSP", 2023) from "SOSP'23"; also "ICML 2023", "arXiv 2305.05920", "NeurIPS'22 Workshop WBRC",
    "PML4LRS @ ICLR'24" (a workshop at ICLR), "[NSDI'25 (to appear)]". (None, None) when neither is there.
    """
    if not s:
        return None, None
    text = s.strip().strip("[]()").strip()
    # A known venue run together with a two-digit year: "TIFS25", "CVPR21" (hzysvilla's tags).
    if (m := _COMPACT_TAG.fullmatch(text)) and (venue := normalize_venue(m.group(1))):
        return venue, _two_digit_year(m.group(2))
    year = parse_year(text)
    host = text
    workshop_at = False
    if "@" in text:  # "WORKSHOP @ CONF'YY": a workshop held at CONF
        host = text.rsplit("@", 1)[1]
        workshop_at = True
    host_no_paren = _PARENTHESISED.sub(" ", host)
    # An unknown tag counts as a venue only with a year next to it ("HotChips'23", not "Paper").
    keep = year is not None
    venue = normalize_venue(host_no_paren, keep_unknown=keep)
    if venue is None and "," in host_no_paren:  # "arxiv, 2022"
        venue = normalize_venue(host_no_paren.split(",")[0], keep_unknown=keep)
    if venue and venue.lower() in NOT_VENUES:
        venue = None
    if venue:
        lowered = text.lower()
        kind = "Workshop" if workshop_at else next((k for w, k in _KIND_WORDS if w in lowered), None)
        if kind and not venue.endswith(kind):
            venue = f"{venue} {kind}"
    return venue, year
