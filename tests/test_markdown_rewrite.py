"""The minimal-diff rewrite over hand-built entries, resolutions and link results."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperenrich.export.markdown import (
    MARK_CLOSE,
    MARK_OPEN,
    link_spans,
    rewrite_markdown,
    strip_additions,
    unified_diff,
)
from paperenrich.model import Entry, Link, LinkResult, Paper, Place, Resolution

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
ARXIV_PDF = re.compile(r"^https?://arxiv\.org/pdf/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?$")


def arxiv_abs(url: str) -> str:
    """A stand-in canonicaliser for these tests (the real rules live in paperenrich.urls)."""
    match = ARXIV_PDF.match(url)
    return f"https://arxiv.org/abs/{match.group(1)}" if match else url


def entry(line: int, title: str, end: int | None = None, kind: str = "bullet", urls=()) -> Entry:
    return Entry(line=line, end_line=end or line, section=(), title=title, kind=kind, links=tuple(Link(u) for u in urls))


def rewrite(text, resolutions, results=(), additions=()):
    return rewrite_markdown(text, resolutions, results, additions=additions, canonical=arxiv_abs)


PAPER = Paper(
    title="Efficient Memory Management for Large Language Model Serving with PagedAttention",
    authors=("Woosuk Kwon", "Zhuohan Li", "Siyuan Zhuang", "Ying Sheng"),
    citation_count=1234,
    doi="10.1145/3600006.3613165",
    arxiv="2309.06180",
    s2_id="83b90f4a0ae4cc214eb3cc140ccfef9cd99fac05",
    canonical_url="https://arxiv.org/abs/2309.06180",
)

BULLETS = (
    "# List\n"
    "\n"
    "- PagedAttention (SOSP'23) [link to paper](https://arxiv.org/pdf/2309.06180.pdf)\n"
    "- Not an entry: [pdf](https://arxiv.org/pdf/2309.06180.pdf)\n"
    "- FlexGen (ICML'23) [paper](https://arxiv.org/pdf/2303.06865v2)  \n"
    "  with a hard break above and [code](https://github.com/FMInference/FlexGen)\n"
    "\n"
    "Trailing prose, no newline at the end"
)


def test_only_entry_links_change_and_everything_else_is_byte_identical():
    resolutions = [Resolution(entry(3, "PagedAttention"), PAPER), Resolution(entry(5, "FlexGen", end=6), None)]
    result = rewrite(BULLETS, resolutions)
    old_lines, new_lines = BULLETS.split("\n"), result.text.split("\n")
    assert len(old_lines) == len(new_lines)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b]
    assert changed == [3, 5]
    assert new_lines[2] == "- PagedAttention (SOSP'23) [link to paper](https://arxiv.org/abs/2309.06180)"
    assert new_lines[4] == "- FlexGen (ICML'23) [paper](https://arxiv.org/abs/2303.06865)  "  # hard break kept
    assert {(c.line, c.kind) for c in result.changes} == {(3, "link"), (5, "link")}
    assert rewrite(result.text, resolutions).changes == ()


def test_additions_are_marked_and_replaced_not_appended():
    resolutions = [Resolution(entry(3, "PagedAttention"), PAPER)]
    first = rewrite(BULLETS, resolutions, additions=("authors", "citations", "doi")).text
    line = first.split("\n")[2]
    assert line.endswith(
        f" {MARK_OPEN}Woosuk Kwon, Zhuohan Li, Siyuan Zhuang et al. · cited by 1234 · "
        f"[DOI](https://doi.org/10.1145/3600006.3613165){MARK_CLOSE}"
    )
    assert rewrite(first, resolutions, additions=("authors", "citations", "doi")).text == first
    # New metadata replaces the old block in place.
    newer = Resolution(entry(3, "PagedAttention"), Paper(**{**PAPER.__dict__, "citation_count": 2000}))
    updated = rewrite(first, [newer], additions=("authors", "citations", "doi")).text
    assert updated.count(MARK_OPEN) == 1 and "cited by 2000" in updated and "cited by 1234" not in updated
    # Dropping the additions gives back the canonical-links-only text.
    assert rewrite(first, resolutions).text == rewrite(BULLETS, resolutions).text
    assert strip_additions(first) == rewrite(BULLETS, resolutions).text


def test_badge_links_to_semantic_scholar():
    text = rewrite(BULLETS, [Resolution(entry(3, "PagedAttention"), PAPER)], additions=("badge",)).text
    assert "](https://www.semanticscholar.org/paper/83b90f4a0ae4cc214eb3cc140ccfef9cd99fac05)" in text
    assert "img.shields.io" in text


def test_unknown_addition_is_refused():
    with pytest.raises(ValueError, match="unknown addition"):
        rewrite(BULLETS, [], additions=("abstract",))


def test_table_layout_is_kept():
    text = (SEEDS / "001_98da388d9626c821.txt").read_text(encoding="utf-8")
    lines = text.split("\n")
    row = next(i + 1 for i, l in enumerate(lines) if l.startswith("| LLaMA: Open"))
    original_row = lines[row - 1]
    e = entry(row, "LLaMA: Open and Efficient Foundation Language Models", kind="table", urls=["http://arxiv.org/abs/2302.13971"])
    llama = Paper(title=e.title, authors=("Hugo Touvron",), citation_count=5)
    upgrade = lambda u: u.replace("http://arxiv.org/", "https://arxiv.org/")  # noqa: E731
    result = rewrite_markdown(text, [Resolution(e, llama)], canonical=upgrade)
    new_row = result.text.split("\n")[row - 1]
    assert new_row.replace("https://", "http://", 1) != original_row
    # One more character in the link cell, taken from its padding: every pipe stays in its column.
    pipes = lambda s: [m.start() for m in re.finditer(r"\|", s)]  # noqa: E731
    assert pipes(new_row) == pipes(original_row)
    assert "https://arxiv.org/abs/2302.13971" in new_row
    # An addition too long for the cell: still the same number of cells, one space before the pipe.
    added = rewrite_markdown(text, [Resolution(e, llama)], additions=("authors",), canonical=upgrade).text
    added_row = added.split("\n")[row - 1]
    assert added_row.count("|") == original_row.count("|")
    assert f"{MARK_OPEN}Hugo Touvron{MARK_CLOSE} |" in added_row
    # Removing it again restores the column alignment exactly.
    removed = rewrite_markdown(added, [Resolution(e, llama)], canonical=upgrade).text
    assert removed == result.text
    other = [i for i, (a, b) in enumerate(zip(text.split("\n"), added.split("\n"))) if a != b]
    assert other == [row - 1]


def test_broken_link_replaced_by_suggestion_or_by_working_canonical_link():
    text = "- A [paper](https://old.example.org/a.pdf)\n- B [paper](https://gone.example.org/b)\n- C [paper](https://gone.example.org/c)\n"
    paper_b = Paper(title="B", arxiv="2101.00001", canonical_url="https://arxiv.org/abs/2101.00001")
    paper_c = Paper(title="C", arxiv="2101.00002", canonical_url="https://arxiv.org/abs/2101.00002")
    results = [
        LinkResult("https://old.example.org/a.pdf", "redirected", 301, "https://new.example.org/a.pdf",
                   ("https://new.example.org/a.pdf",), (Place("x.md", 1),), suggestion="https://new.example.org/a.pdf",
                   detail="permanent redirect"),
        LinkResult("https://gone.example.org/b", "broken", 404, places=(Place("x.md", 2),)),
        LinkResult("https://arxiv.org/abs/2101.00001", "ok", 200),
        LinkResult("https://gone.example.org/c", "broken", 404, places=(Place("x.md", 3),)),
        # C's canonical link was never checked: it is not known to work, so it is not used.
    ]
    res = [Resolution(entry(1, "A", urls=["https://old.example.org/a.pdf"]), None),
           Resolution(entry(2, "B", urls=["https://gone.example.org/b"]), paper_b),
           Resolution(entry(3, "C", urls=["https://gone.example.org/c"]), paper_c)]
    out = rewrite(text, res, results).text.split("\n")
    assert out[0] == "- A [paper](https://new.example.org/a.pdf)"
    assert out[1] == "- B [paper](https://arxiv.org/abs/2101.00001)"
    assert out[2] == "- C [paper](https://gone.example.org/c)"


def test_crlf_line_endings_and_escaped_urls_are_preserved():
    text = "- A [p](https://arxiv.org/pdf/2309.06180.pdf)\r\n- B [p](https://example.org/paper\\_files/x)\r\n"
    res = [Resolution(entry(1, "A"), None), Resolution(entry(2, "B"), None)]
    out = rewrite(text, res).text
    assert out == "- A [p](https://arxiv.org/abs/2309.06180)\r\n- B [p](https://example.org/paper\\_files/x)\r\n"


def test_link_spans_finds_inline_autolinks_and_bare_urls():
    line = "x [a](<https://a.org/x y>) [b](https://b.org/f(1)) <https://c.org> see https://d.org/p. [c](#anchor)"
    found = [line[s:e] for s, e in link_spans(line)]
    assert found == ["https://a.org/x y", "https://b.org/f(1)", "https://c.org", "https://d.org/p", "#anchor"]


def test_heading_entries_get_no_addition():
    text = "## [Orca](https://arxiv.org/pdf/2201.00001.pdf)\n"
    out = rewrite(text, [Resolution(entry(1, "Orca", kind="heading"), PAPER)], additions=("authors",)).text
    assert out == "## [Orca](https://arxiv.org/abs/2201.00001)\n"


def test_unified_diff():
    res = [Resolution(entry(3, "PagedAttention"), PAPER)]
    diff = unified_diff(BULLETS, rewrite(BULLETS, res).text, "list.md")
    assert diff.startswith("--- a/list.md\n+++ b/list.md\n")
    assert "-- PagedAttention (SOSP'23) [link to paper](https://arxiv.org/pdf/2309.06180.pdf)\n" in diff
    assert "+- PagedAttention (SOSP'23) [link to paper](https://arxiv.org/abs/2309.06180)\n" in diff
    assert unified_diff(BULLETS, BULLETS, "list.md") == ""


_TOKENS = list("ab |-*[]()<>:/.\\!# ") + [
    "https://arxiv.org/pdf/2309.06180.pdf", "[x](https://arxiv.org/pdf/1234.56789v3)", MARK_OPEN, MARK_CLOSE, "| --- |"]
_line = st.lists(st.sampled_from(_TOKENS), max_size=20).map("".join)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(_line, min_size=1, max_size=12), picks=st.sets(st.integers(1, 12)), kind=st.sampled_from(["bullet", "table"]),
       eol=st.sampled_from(["\n", "\r\n"]))
def test_property_untouched_lines_identical_and_second_run_noop(lines, picks, kind, eol):
    text = eol.join(lines)
    chosen = sorted(p for p in picks if p <= len(lines))
    res = [Resolution(entry(n, "t", kind=kind), PAPER) for n in chosen]
    once = rewrite(text, res, additions=("authors", "citations")).text
    twice = rewrite(once, res, additions=("authors", "citations")).text
    assert twice == once
    before, after = text.split(eol), once.split(eol)
    assert len(before) == len(after)
    for number, (a, b) in enumerate(zip(before, after), 1):
        if number not in chosen:
            assert a == b


def test_default_canonical_links_use_the_shared_url_rules():
    from paperenrich.export.markdown import canonical_link

    assert canonical_link("https://arxiv.org/pdf/2309.06180.pdf") == "https://arxiv.org/abs/2309.06180"
    assert canonical_link("https://browse.arxiv.org/abs/2309.08125") == "https://arxiv.org/abs/2309.08125"
    assert canonical_link("http://arxiv.org/abs/1706.03762") == "https://arxiv.org/abs/1706.03762"
    assert canonical_link("https://openreview.net/forum?id%253DPgtn4l6eKjv") == "https://openreview.net/forum?id=Pgtn4l6eKjv"
    assert canonical_link("https://example.org/p?utm_source=x&id=3") == "https://example.org/p?id=3"
    assert canonical_link("https://github.com/vllm-project/vllm") == "https://github.com/vllm-project/vllm"
    assert canonical_link("#anchor") == "#anchor"
