"""What a service sends cannot inject into the user's list (fix's additions) or the BibTeX
(issue 12, item 5): names stay on their line and out of the marker block, link syntax stays text,
and a DOI must match the DOI grammar or is left out."""

from __future__ import annotations

import re

import pytest

from paperenrich.escape import doi_url, markdown_text, one_line, output_doi
from paperenrich.export.bibtex import to_bibtex
from paperenrich.export.markdown import MARK_CLOSE, MARK_OPEN, rewrite_markdown, strip_additions
from paperenrich.model import Entry, Paper, Resolution
from tests.test_bibtex import parse_both

EVIL_NAME = f"Eve\nMallory {MARK_CLOSE} [click](https://evil.example/) <img src=x onerror=alert(1)> | x"
LIST = "# List\n\n- PagedAttention (SOSP'23) [paper](https://arxiv.org/abs/2309.06180)\n- Other line\n"


def paper(**fields) -> Paper:
    base = dict(title="Efficient Memory Management for LLM Serving", authors=("Woosuk Kwon",), year=2023,
                citation_count=7, doi="10.1145/3600006.3613165", arxiv="2309.06180",
                s2_id="83b90f4a0ae4cc214eb3cc140ccfef9cd99fac05", canonical_url="https://arxiv.org/abs/2309.06180")
    return Paper(**{**base, **fields})


def fix(p: Paper, additions=("authors", "citations", "doi", "badge")) -> str:
    entry = Entry(line=3, end_line=3, section=(), title="PagedAttention")
    return rewrite_markdown(LIST, [Resolution(entry, p)], [], additions=additions).text


@pytest.mark.parametrize("doi", [
    "10.1234/x)](https://evil.example/z",  # closes our link and opens another
    "10.1234/x y", "10.1234/{x}", "10.1234/x\\y", "10.1234/%0a", 'x10.1234/"q"', "javascript:alert(1)", "10.12/short",
])
def test_a_doi_outside_the_grammar_is_refused(doi):
    assert output_doi(doi) is None
    text = fix(paper(doi=doi), additions=("doi",))
    assert "doi.org" not in text and "evil" not in text  # fix writes nothing from it


@pytest.mark.parametrize("doi", ["10.1145/3600006.3613165", "10.1002/(SICI)1097-4636(199709)36:3<355::AID-JBM10>3.0.CO;2-#",
                                 "10.18653/v1/2020.acl-main.463", "10.5555/3666122.3666555"])
def test_real_dois_pass_and_their_link_stays_one_destination(doi):
    assert output_doi(doi) == doi
    url = doi_url(doi)
    assert not set("()<># ") & set(url[len("https://doi.org/"):])


def test_a_hostile_author_name_stays_on_its_line_and_out_of_the_marker_block():
    text = fix(paper(authors=(EVIL_NAME, "Second Author")))
    assert text.count("\n") == LIST.count("\n")  # no line added or broken
    line = text.split("\n")[2]
    assert line.count(MARK_OPEN) == 1 and line.count(MARK_CLOSE) == 1 and line.endswith(MARK_CLOSE)
    block = line[line.index(MARK_OPEN) + len(MARK_OPEN): -len(MARK_CLOSE)]
    assert "Eve Mallory" in block and "Second Author" in block  # the name is kept, on one line
    assert "](https://evil.example/)" not in block and "<img" not in block and " | " not in block
    assert strip_additions(text) == fix(paper(), additions=())  # the block comes off whole
    again = rewrite_markdown(text, [Resolution(Entry(line=3, end_line=3, section=(), title="PagedAttention"),
                                               paper(authors=(EVIL_NAME, "Second Author")))], [],
                             additions=("authors", "citations", "doi", "badge")).text
    assert again == text  # idempotent


def test_badge_needs_an_s2_paper_id_and_counts_need_an_int():
    text = fix(paper(s2_id="x) [evil](https://evil.example", citation_count="9 [evil](https://e.example)"))  # type: ignore[arg-type]
    assert "evil" not in text and "semanticscholar" not in text and "cited by" not in text


def test_escaping_helpers():
    assert one_line("a\r\nb\u2028c\td\x00e") == "a b c de"
    assert markdown_text("x *y* [z](u) <b> & |") == r"x \*y\* \[z\]\(u\) &lt;b&gt; &amp; \|"


def test_bibtex_values_cannot_open_an_entry_or_carry_a_bad_doi():
    hostile = paper(authors=("Eve\n@misc{evil, title={x}}", "Bob Builder"), title="A title\n@misc{injected,",
                    doi="10.1234/{x}")
    text = to_bibtex([Resolution(Entry(line=3, end_line=3, section=(), title="PagedAttention"), hostile)])
    lines = text.splitlines()
    assert [line for line in lines if line.lstrip().startswith("@")] == [lines[0]]  # one entry opens
    assert "10.1234" not in text
    entries, pybtex_entries = parse_both(text)
    assert len(entries) == 1 and len(pybtex_entries) == 1
    assert len(pybtex_entries[0].persons["author"]) == 2


def test_what_github_renders_from_a_hostile_name_is_text_only():
    cmarkgfm = pytest.importorskip("cmarkgfm")
    names = (EVIL_NAME, "Mallory https://evil.example/x www.evil.example eve@evil.example", "**bold** `code` ![i](x.png)")
    line = fix(paper(authors=names), additions=("authors",)).split("\n")[2]
    html = cmarkgfm.github_flavored_markdown_to_html(line)
    assert re.findall(r"<(a|img|strong|code|em)\b", html) == ["a"]
    assert re.findall(r'href="([^"]*)"', html) == ["https://arxiv.org/abs/2309.06180"]  # the entry's own link only
    assert "Eve Mallory" in html
