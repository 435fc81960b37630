"""Text normalisation shared by the emulator's search indexes.

The real services search case- and accent-insensitively and ignore punctuation; we do
the same so a phrase such as ti:"Attention Is All You Need" finds "Attention is all you need."
LaTeX markup (`$k$`, `\\textit{x}`, BibTeX braces) and ligatures (U+FB01 "fi") are folded away.
"""

from __future__ import annotations

import re
import unicodedata

_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII-ish words separated by single spaces ("" for empty input)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # ligatures: "ﬁ" -> "fi"
        text = unicodedata.normalize("NFKD", text)  # "é" -> "e" + combining accent
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if "\\" in text:
        text = _LATEX_COMMAND.sub(" ", text)
    return _NON_WORD.sub(" ", text.lower()).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()


def clean_title(title: str) -> str:
    """A DBLP BibTeX title as the APIs display it: braces gone, no trailing period."""
    title = title.replace("{", "").replace("}", "").strip()
    return title[:-1] if title.endswith(".") and not title.endswith("..") else title


def clean_author(name: str) -> str:
    """Drop DBLP's disambiguation suffix: "Wei Wang 0001" -> "Wei Wang"."""
    if not name[-1:].isdigit():
        return name
    parts = name.split()
    return " ".join(parts[:-1]) if len(parts) > 1 and parts[-1].isdigit() else name
