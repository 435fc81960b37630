"""The scanner's fast paths give what the general path gives (issue 9: pure speed changes).

Each fast path skips work when a cheap test shows it cannot change the answer; these properties
check the cheap test against the work it stands for, on generated text and on every line of the
corpus lists and seeds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperenrich import venues
from paperenrich.model import Entry
from paperenrich.scanner import analyze, classify

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LOCAL = Path(__file__).parent / "data" / "scan_formats.md"
# Characters the fast paths care about: brackets, quotes, digits, case-folding oddities ("ſ", the
# Kelvin sign), suffix words' letters, CJK, spaces of several kinds.
_ALPHABET = st.sampled_from(list("aeKkSsCcſ\u212a()[]{}\"“”'.,;:|-–—0123456789 \t\n（）_$*`#用İ") +
                            ["(ICML'21)", " 2021", "Conference", "Track", " et al", ", ", " and ", "paper", "v2",
                             "Chapter 3", "Section 2", "Smith. ", "Jones and Lee. ", ". 2017."])
_TEXT = st.lists(_ALPHABET, max_size=30).map("".join)


def _corpus_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted((SHARED / "lists").glob("*.md")) + sorted((SHARED / "seeds").glob("*")) + [LOCAL]:
        lines += path.read_text(encoding="utf-8", errors="replace").split("\n")
    return lines


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
def test_each_guard_holds_whenever_its_pattern_matches(text: str) -> None:
    for t in (text, text.strip(), text.rstrip()):
        if analyze._LEADING_SYMBOLS.match(t):
            assert not (t[0].isalnum() or t[0] in analyze._NOT_LEADING_SYMBOL)
        if analyze._LEADING_NUMBER.match(t):
            assert t[:1].isdigit()
        r = t.rstrip()
        if analyze._VENUE_SUFFIX_END.search(r[-10:]):
            assert r[-1:] in analyze._SUFFIX_LAST_LETTERS
        if analyze._VENUE_IN_TEXT.search(t) or analyze._DATE_YEAR.search(t):
            assert analyze._TWO_DIGITS.search(t)
        if analyze._QUOTED.search(t):
            assert '"' in t or "“" in t
        if analyze._ACL_YEAR_END.search(t[-12:]):
            assert "." in t[-12:]
        if classify._CHAPTER.match(t):
            assert t[:1] in "cCsS\u017f"
        if analyze._AUTHOR_PREFIX.match(t):
            assert "A" <= t[:1] <= "Z" and ("." in t or "," in t)


@settings(max_examples=1000, deadline=None)
@given(_TEXT)
def test_word_counting_that_stops_early_counts_the_same(text: str) -> None:
    every = len([w for w in text.split() if not classify._VERSION.fullmatch(w)]) > 3
    assert classify._more_than_three_words(text) == every


@pytest.mark.skipif(not (SHARED / "lists").is_dir(), reason="../shared/lists not present")
def test_guards_hold_on_every_corpus_line() -> None:
    lines = _corpus_lines()
    assert len(lines) > 10_000  # the corpus is there
    for line in lines:
        for t in (line, line.strip()):
            r = t.rstrip()
            assert not analyze._LEADING_SYMBOLS.match(t) or not (t[0].isalnum() or t[0] in analyze._NOT_LEADING_SYMBOL)
            assert not analyze._VENUE_SUFFIX_END.search(r[-10:]) or r[-1:] in analyze._SUFFIX_LAST_LETTERS
            assert not (analyze._VENUE_IN_TEXT.search(t) or analyze._DATE_YEAR.search(t)) or analyze._TWO_DIGITS.search(t)
            assert (len([w for w in t.split() if not classify._VERSION.fullmatch(w)]) > 3) == classify._more_than_three_words(t)
            assert not analyze._ACL_YEAR_END.search(t[-12:]) or "." in t[-12:]
            assert not classify._CHAPTER.match(t) or t[:1] in "cCsS\u017f"
            assert not analyze._AUTHOR_PREFIX.match(t) or ("A" <= t[:1] <= "Z" and ("." in t or "," in t))


def test_entry_fields_are_in_the_order_the_duplicates_stage_passes_them() -> None:
    # _mark_duplicates builds each Entry with positional arguments (keywords cost ~2 µs an entry)
    assert list(Entry.__dataclass_fields__) == [
        "line", "end_line", "section", "title", "venue", "year", "links", "ids", "duplicate_of", "kind"]


def test_the_word_pattern_is_the_one_resource_words_are_read_with() -> None:
    # (the first and last words: the same list re.findall(r"\w+", ...) gave)
    for title in ("Thompson Sampling Slides", "  ...Handbook of X!", "", "用贝 Video"):
        assert classify._WORD.findall(title) == re.findall(r"\w+", title)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_titles_fold_as_the_regex_folded_them(text: str) -> None:
    from paperenrich.titles import _ASCII_NON_ALNUM_TO_SPACE, normalize_title

    lowered = text.lower()
    folded = lowered.encode("ascii").translate(_ASCII_NON_ALNUM_TO_SPACE).decode("ascii")
    assert " ".join(folded.split()) == " ".join(
        re.sub(r"[^a-z0-9]+", " ", lowered).split())
    if not any(w in lowered for w in ("[", "<", "\\", "textbf", "emph", "textit")):  # (no markup to drop first)
        assert normalize_title(text) == " ".join(re.sub(r"[^a-z0-9]+", " ", lowered).split())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\n", max_size=40), st.integers(0, 9), st.lists(st.tuples(st.integers(0, 45), st.integers(0, 47)), max_size=10))
def test_line_ranges_need_one_search_when_they_end_on_their_first_line(text, offset, ranges) -> None:
    from paperenrich.scanner.pieces import _Source
    from paperenrich.scanner.walk import _Scanner

    scanner = _Scanner(_Source(text, line_offset=offset))
    for start, end in ranges:
        assert scanner._lines(start, end) == (scanner.src.line(start), scanner.src.line(max(start, end - 1)))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\n", max_size=40))
def test_the_longest_block_is_the_longest_part_between_blank_lines(text: str) -> None:
    from paperenrich.scanner.parse import _longest_block

    assert _longest_block(text) == max(map(len, text.split("\n\n")))


_VENUE_WORDS = sorted({w for literal in venues._UNANCHORED_LITERALS for w in literal.split()})


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_VENUE_WORDS + ["neurips", "neuips", "x", "1", " ", "proc", "vldb", "endow"]), max_size=12)
       .map(" ".join))
def test_a_text_without_the_venue_names_literals_matches_none_of_them(text: str) -> None:
    if not any(literal in text for literal in venues._UNANCHORED_LITERALS):
        assert venues._UNANCHORED_ANY.search(text) is None
    # and each pattern's literal is in every text it matches
    for _, pattern in venues._COMPILED:
        if not pattern.pattern.startswith("^") and (m := pattern.search(text)):
            assert venues._longest_literal(pattern) in m.group(0)
