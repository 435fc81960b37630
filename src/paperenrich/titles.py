"""Title normalisation and similarity (pure).

`normalize_title` folds the ways one title is written in lists and in metadata: Unicode forms and
ligatures (NFKC), accents, Greek letters vs their LaTeX names, LaTeX and Markdown markup, case,
punctuation and hyphens. `title_similarity` scores two titles 0..1 with rapidfuzz, and is
deliberately token-sensitive: a title that differs by a word that changes its meaning ("not",
"without", a number) scores low even when the strings are nearly equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_LATEX_CMD = re.compile(r"\\([A-Za-z]+)")
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORE = re.compile(r"_+")
# Every byte but [a-z0-9] -> a space, as a 256-byte table: bytes.translate of ASCII text is one
# lookup per character, three times faster than str.translate with a mapping and far cheaper than a
# regex substitution; the spaces are joined by the split that follows.
_ASCII_NON_ALNUM_TO_SPACE = bytes(c if (ord("a") <= c <= ord("z") or ord("0") <= c <= ord("9")) else ord(" ")
                                  for c in range(256))

# Words whose presence or absence changes what a title claims (or which paper it is).
MEANING_WORDS = frozenset(
    {"not", "no", "non", "without", "never", "nor", "cannot", "isn", "aren", "don", "doesn",
     "beyond", "against", "versus", "vs", "un", "anti", "less", "more", "only"}
)
# A title may carry a short nickname prefix in a list ("GPT3: Language Models are ...").
_NICKNAME = re.compile(r"^\s*([^:]{1,30}):\s+(.{12,})$")


def _greek_name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("GREEK") and "LETTER" in name:
        return " " + name.rsplit(" ", 1)[-1].lower() + " "
    return ch


@lru_cache(maxsize=65536)
def normalize_title(s: str) -> str:
    """A comparison key: lower-case words separated by single spaces, no markup or punctuation."""
    if not s:
        return ""
    # ASCII text (most titles) is already in NFKC/NFKD form, has no Greek letters or accents,
    # and casefolds like lower(): the Unicode steps are skipped for it.
    ascii_only = s.isascii()
    if not ascii_only:
        s = unicodedata.normalize("NFKC", s)
    if "[" in s:
        s = _MD_LINK.sub(r"\1", s)
    if "<" in s:
        s = _HTML_TAG.sub(" ", s)
    if "\\" in s:
        s = _LATEX_CMD.sub(r" \1 ", s)  # \Sigma -> sigma, \textbf{X} -> textbf X (harmless)
    if "text" in s or "emph" in s:
        s = s.replace("textbf", " ").replace("emph", " ").replace("textit", " ")
    if ascii_only:  # ASCII word characters are [a-z0-9_], and "_" is a separator too
        return " ".join(s.encode("ascii").lower().translate(_ASCII_NON_ALNUM_TO_SPACE).decode("ascii").split())
    s = "".join(_greek_name(c) if "\u0370" <= c <= "\u03ff" else c for c in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.casefold()
    s = _NON_WORD.sub(" ", s)
    s = _UNDERSCORE.sub(" ", s)
    return " ".join(s.split())


def _token_score(a: list[str], b: list[str]) -> float:
    """Shared words over the longer title's word count (multiset)."""
    if not a or not b:
        return 0.0
    remaining = list(b)
    common = 0
    for tok in a:
        if tok in remaining:
            remaining.remove(tok)
            common += 1
    return common / max(len(a), len(b))


def _meaning_changed(a: list[str], b: list[str]) -> bool:
    diff = set(a) ^ set(b)
    return any(t in MEANING_WORDS or t.isdigit() for t in diff)


def _similarity_normalized(na: str, nb: str) -> float:
    if not na or not nb:
        return 0.0
    if na == nb:
        return 1.0
    ta, tb = na.split(), nb.split()
    chars = fuzz.ratio(na, nb) / 100.0
    words = _token_score(ta, tb)
    score = (chars + words) / 2
    if _meaning_changed(ta, tb):
        score = min(score, 0.5)
    return score


def title_similarity(a: str, b: str) -> float:
    """0..1; 1.0 for titles equal after normalisation. About 0.9 and above: very likely the same paper.

    A short "Nickname:" prefix on one side (as lists write "GPT3: Language Models are Few-Shot
    Learners") is tolerated at a small cost.
    """
    na, nb = normalize_title(a), normalize_title(b)
    best = _similarity_normalized(na, nb)
    if best < 1.0:
        for x, y in ((a, b), (b, a)):
            m = _NICKNAME.match(x or "")
            if m:
                best = max(best, _similarity_normalized(normalize_title(m.group(2)), nb if x is a else na) - 0.03)
    return max(0.0, min(1.0, best))
