"""Reference definitions ("[label]: url"): they hold for the whole document, so each part of it
that is parsed alone (a chunk, a <details> block, an HTML line) is given the ones it uses.

(A module of its own: `_References` extends `list`, which the scanner's compiled build (mypyc, see
setup.py) cannot compile; this module stays plain Python.)
"""

from __future__ import annotations

import re

_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")


class _References(list):
    """The reference definition lines of a document, indexed by their normalised label."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(lines)
        self.by_label: dict[str, list[str]] = {}
        for line in lines:
            label = _label_key(line[line.index("[") + 1: line.index("]:")])
            self.by_label.setdefault(label, []).append(line)

    def used_by(self, text: str) -> list[str]:
        """The definitions a text can refer to: those whose label it holds in brackets."""
        if not self or "[" not in text:
            return []
        found: list[str] = []
        for label in dict.fromkeys(_label_key(m) for m in _BRACKETED.findall(text)):
            found += self.by_label.get(label, ())
        return found


_BRACKETED = re.compile(r"\[([^\[\]]{1,999})\]")


def _label_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _reference_definitions(lines: list[str]) -> _References:
    return _References([line for line in lines if "]:" in line and _REF_DEF.match(line)])  # (a definition has "]:")


def _with_references(text: str, ref_lines: list[str]) -> str:
    """A part of the document followed by the document's reference definitions that it uses, so
    its reference links resolve (after the text, definitions change nothing above them). Only the
    used ones: appending all of them to each of many small parts made the parse quadratic."""
    used = ref_lines.used_by(text) if isinstance(ref_lines, _References) else ref_lines
    return text + "\n\n" + "\n".join(used) if used else text
