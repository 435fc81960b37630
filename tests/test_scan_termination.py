"""scan and check's link collection finish on any text, in time linear in its size.

The bounds here are loose no-hang bounds (a hang or a quadratic path takes minutes, these take
milliseconds); the timed figures are in bench/bench_adversarial.py.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from paperenrich.linkcheck.collect import iter_links
from paperenrich.scanner import scan_text

CORPUS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "lists").glob("*__*.md"))

# The five corpus lists that never finished (issue 9): an empty link ("[](url)", a badge without
# alt text) in front of a title made the "links before the title" loop stand still.
HUNG = ["keon__awesome-nlp.md", "thunlp__TAADpapers.md", "yueliu1999__Awesome-Jailbreak-on-LLMs.md",
        "zjunlp__KnowledgeEditingPapers.md", "Vision-Intelligence-and-Robots-Group__Best-Incremental-Learning.md"]


@pytest.mark.skipif(not CORPUS, reason="../shared/lists not present")
@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", HUNG)
def test_lists_that_hung_finish(name):
    path = next(p for p in CORPUS if p.name == name)
    result = scan_text(path.read_text(encoding="utf-8"), name)
    assert len(result.entries) > 50  # every one of them holds well over 50 paper entries


@pytest.mark.timeout(20)
def test_empty_link_before_the_title():
    # The `_html_block` form of the same loop: an <a> with only an image (no text) before the title.
    text = ("<p>\n<a href=\"https://github.com/x/y\"><img src=\"star.svg\"></a> "
            "<a href=\"https://arxiv.org/abs/2101.00001\">A Paper Title Here</a> (ICML 2021)\n</p>\n")
    [entry] = scan_text(text).entries
    assert entry.title == "A Paper Title Here"
    assert (entry.venue, entry.year) == ("ICML", 2021)
    [entry] = scan_text("- [](https://github.com/x/y) [Another Paper Title](https://arxiv.org/abs/2101.00002) NeurIPS 2021\n").entries
    assert entry.title == "Another Paper Title"


@pytest.mark.timeout(60)
def test_unclosed_parentheses_are_linear():
    # Issue 12 item 7: "- x" + " (" x 3,700 + " (2023)" x 6 took 6.5 s; 26 such lines 147 s.
    line = "- x" + " (" * 3700 + " (2023)" * 6
    text = "\n".join([line] * 26) + "\n"
    assert len(text) > 190_000
    result = scan_text(text)
    assert result.entries == ()  # "x" alone, no link: not a paper


@pytest.mark.timeout(60)
def test_repeated_scheme_is_linear_in_check():
    # Issue 12 item 7: check's link collection on repeated "x://" (22 KB took 5.9 s via linkify).
    text = "x://" * 10_000
    assert list(iter_links(text)) == []
    text = "see x://a https://a.org/x://x://" * 1000
    assert all(url.startswith("https://a.org/") for url, _ in iter_links(text))


# Markdown made of the constructs real lists mix, and the broken forms of them.
FRAGMENTS = [
    "[", "]", "(", ")", "[]()", "[x]()", "[Title Words](https://arxiv.org/abs/2101.00001)", "![b](i.svg)",
    "[![b](i.svg)](https://github.com/a/b)", "[![](i.svg)]()", "<br>", "<br/>", "<a href='https://a.org'>",
    "</a>", "<a href=\"\">", "**", "*", "_", "__", "`", "~~", "|", " | ", "\n", "\n\n", "- ", "  - ", "1. ",
    "> ", "<details>", "</details>", "<summary>", "<table><tr><td>", "</td></tr></table>",
    "\n| a | b |\n|---|---|\n| ", "https://a.org/x", "x://", "www.", " (", " (2023)", "'23", "[OSDI'22] ",
    "Title words here", ": ", "\"", "{", "}", "# ", "   ", "\t", "中文", "[[paper](u)]", "\\", "<!--", "-->",
    "[x]: https://ref.org\n", "[x]", "[x][]", "&amp;", "<", ">", "```", "$", "Kumar, A., et al. ",
]


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=120), st.integers(min_value=1, max_value=40))
@pytest.mark.timeout(600)
def test_any_mix_terminates(parts, repeat):
    text = "".join(parts) * repeat
    result = scan_text(text)
    for entry in result.entries:
        assert 1 <= entry.line <= entry.end_line <= text.count("\n") + 1
    for url, line in iter_links(text):
        assert 1 <= line <= text.count("\n") + 1
