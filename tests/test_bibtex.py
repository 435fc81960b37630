"""BibTeX export over hand-built resolutions: types, keys, escaping, protection, parse checks."""

from __future__ import annotations

import logging

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest

from paperenrich.export.bibtex import BibOptions, build_records, escape_latex, protect_title, to_bibtex
from paperenrich.model import Entry, Ids, Link, Paper, PublishedVersion, Resolution


def entry(line: int, title: str, **kw) -> Entry:
    return Entry(line=line, end_line=line, section=("S",), title=title, **kw)


PAGED = Paper(
    title="Efficient Memory Management for Large Language Model Serving with PagedAttention",
    authors=("Woosuk Kwon", "Zhuohan Li", "Siyuan Zhuang"),
    year=2023,
    venue="Symposium on Operating Systems Principles",
    venue_short="SOSP",
    doi="10.1145/3600006.3613165",
    arxiv="2309.06180",
    publication_types=("JournalArticle", "Conference"),
)
GPIPE = Paper(
    title="GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism",
    authors=("Yanping Huang", "Youlong Cheng"),
    year=2018,
    venue="arXiv.org",
    arxiv="1811.06965",
)
JMLR = Paper(
    title="Switch Transformers: Scaling to Trillion Parameter Models with Simple & Efficient Sparsity",
    authors=("William Fedus", "Barret Zoph", "Noam Shazeer"),
    year=2021,
    venue="Journal of Machine Learning Research",
    publication_types=("JournalArticle",),
)
# Same first author, year and first title word as PAGED: the key collides.
KWON_OTHER = Paper(title="Efficient Things", authors=("Jane Kwon",), year=2023, venue="OSDI", s2_id="s2kwon")


def parse_both(text: str) -> tuple[list, list]:
    """Parse with bibtexparser v2 and pybtex (strict: warnings raise); return both entry lists."""
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.error for b in library.failed_blocks]
    pybtex.errors.set_strict_mode(True)
    data = pybtex.database.parse_string(text, "bibtex")
    return library.entries, list(data.entries.values())


def test_entry_types_and_fields():
    text = to_bibtex([Resolution(entry(1, "a"), PAGED), Resolution(entry(2, "b"), GPIPE), Resolution(entry(3, "c"), JMLR)])
    entries, pyb = parse_both(text)
    by_key = {e.key: e for e in entries}
    assert set(by_key) == {"kwon2023efficient", "huang2018gpipe", "fedus2021switch"}
    paged = by_key["kwon2023efficient"]
    assert paged.entry_type == "inproceedings"
    assert paged["booktitle"] == "Symposium on Operating Systems Principles"
    assert paged["author"] == "Woosuk Kwon and Zhuohan Li and Siyuan Zhuang"
    assert paged["doi"] == "10.1145/3600006.3613165"
    gpipe = by_key["huang2018gpipe"]
    assert gpipe.entry_type == "misc"
    assert gpipe["eprint"] == "1811.06965" and gpipe["archivePrefix"] == "arXiv"
    assert "booktitle" not in gpipe.fields_dict and "journal" not in gpipe.fields_dict
    switch = by_key["fedus2021switch"]
    assert switch.entry_type == "article" and switch["journal"] == "Journal of Machine Learning Research"
    assert switch["title"].endswith(r"Simple \& Efficient Sparsity")
    assert [str(p) for p in pyb[0].persons["author"]][0] == "Kwon, Woosuk"


def test_preprint_with_published_version_cites_the_published_venue():
    paper = Paper(title="Orca", authors=("Gyeong-In Yu",), year=2022, venue="arXiv",
                  arxiv="2201.00001", published_version=PublishedVersion("OSDI", 2022, "10.1145/x"))
    (record,) = build_records([Resolution(entry(1, "Orca"), paper)])
    fields = dict(record.fields)
    assert record.entry_type == "inproceedings" and fields["booktitle"] == "OSDI" and fields["doi"] == "10.1145/x"


def test_capitalisation_protection():
    assert protect_title("GPipe: Efficient Training") == "{GPipe}: Efficient Training"
    assert protect_title("LLaMA: Open and Efficient") == "{LLaMA}: Open and Efficient"
    assert protect_title("vLLM on GPUs with DeepSpeed-MoE and T5") == "{vLLM} on {GPUs} with {DeepSpeed-MoE} and {T5}"
    # Title-case words, even hyphenated ones, stay for the style to handle.
    assert protect_title("Transformer-Based Serving Systems") == "Transformer-Based Serving Systems"


def test_latex_escaping_and_ascii_option():
    assert escape_latex("50% of $x_1$ & #2 {a} ~^\\") == (
        r"50\% of \$x\_1\$ \& \#2 \textbraceleft{}a\textbraceright{} \textasciitilde{}\textasciicircum{}\textbackslash{}"
    )
    paper = Paper(title="Über naïve Parallelism", authors=("Łukasz Kaiser", "Müller Jörg"), year=2020, venue="ICML")
    utf8 = to_bibtex([Resolution(entry(1, "x"), paper)], BibOptions(utf8=True))
    assert "Łukasz Kaiser" in utf8 and "Über" in utf8
    ascii_text = to_bibtex([Resolution(entry(1, "x"), paper)])  # LaTeX-safe ASCII is the default
    assert ascii_text.isascii()
    assert to_bibtex([Resolution(entry(1, "x"), paper)], BibOptions(ascii=True)) == ascii_text
    assert r"{\L}ukasz" in ascii_text and r'{\"U}ber' in ascii_text
    parse_both(ascii_text)
    # Keys are ASCII whatever the names: "Łukasz Kaiser" -> "kaiser", "Über" -> "uber".
    assert build_records([Resolution(entry(1, "x"), paper)])[0].key == "kaiser2020uber"


def test_key_collisions_get_letter_suffixes_in_list_order():
    res = [Resolution(entry(1, "a"), PAGED), Resolution(entry(2, "b"), KWON_OTHER),
           Resolution(entry(3, "c"), Paper(title="Efficient Again", authors=("Kim Kwon",), year=2023, doi="10.9/z"))]
    keys = [r.key for r in build_records(res)]
    assert keys == ["kwon2023efficient", "kwon2023efficienta", "kwon2023efficientb"]


def test_duplicates_are_merged_into_one_entry():
    res = [Resolution(entry(1, "PagedAttention"), PAGED), Resolution(entry(9, "vLLM"), PAGED)]
    records = build_records(res)
    assert len(records) == 1 and records[0].lines == (1, 9)


def test_key_pattern_is_configurable_and_checked():
    res = [Resolution(entry(1, "a"), PAGED)]
    assert build_records(res, BibOptions(key_pattern="{author}_{venue}{year}"))[0].key == "kwonsosp2023"
    assert build_records(res, BibOptions(key_pattern="{author}{year}{title2}"))[0].key == "kwon2023efficientmemory"
    with pytest.raises(ValueError, match="bad key pattern"):
        build_records(res, BibOptions(key_pattern="{surname}"))


def test_unresolved_entries_as_misc_with_note_or_left_out():
    unresolved = Resolution(
        entry(7, "Plumber: Diagnosing Bottlenecks in ML Data Pipelines", venue="MLSys", year=2022,
              links=(Link("https://example.org/plumber.pdf"),), ids=Ids(arxiv="2111.04131")),
        None, reason="not found",
    )
    text = to_bibtex([unresolved])
    (parsed,), _ = parse_both(text)
    assert parsed.entry_type == "misc" and parsed.key == "anon2022plumber"
    assert "not resolved" in parsed["note"].lower() and "line 7" in parsed["note"]
    assert parsed["url"] == "https://example.org/plumber.pdf" and parsed["eprint"] == "2111.04131"
    assert to_bibtex([unresolved], BibOptions(include_unresolved=False)) == ""


def test_keys_identical_across_runs():
    res = [Resolution(entry(i, "x"), p) for i, p in enumerate([PAGED, GPIPE, JMLR, KWON_OTHER], 1)]
    assert to_bibtex(res) == to_bibtex(list(res))


def test_pybtex_strict_mode_would_catch_a_duplicate_key():
    # Guards the check above: the parse helper really fails on a defect.
    text = to_bibtex([Resolution(entry(1, "a"), PAGED)])
    with pytest.raises(Exception):
        parse_both(text + "\n" + text)


@pytest.fixture(autouse=True)
def _quiet_bibtexparser():
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    yield
    pybtex.errors.set_strict_mode(False)


def test_arxiv_only_preprint_gets_primary_class_when_the_category_is_known():
    known = Paper(**{**GPIPE.__dict__, "primary_category": "cs.LG"})
    unknown_first = Paper(title="Sparse Things", authors=("Ada Byron",), year=2020, venue="arXiv", arxiv="2001.00002")
    entries, pyb = parse_both(to_bibtex([Resolution(entry(1, "a"), known), Resolution(entry(2, "b"), unknown_first)]))
    gpipe, sparse = entries
    assert gpipe.entry_type == "misc" and gpipe["primaryClass"] == "cs.LG"
    assert gpipe["eprint"] == "1811.06965" and gpipe["archivePrefix"] == "arXiv"
    assert pyb[0].fields["primaryClass"] == "cs.LG"
    assert "primaryClass" not in sparse.fields_dict  # no category known: no empty field


def test_each_entry_names_the_lists_it_came_from():
    # The same paper in two lists is one entry; its comment names both places. A source with a line
    # break or an "@" cannot open an entry of its own (BibTeX skips text outside entries, up to an "@").
    resolutions = [Resolution(entry(3, "a"), PAGED), Resolution(entry(7, "b"), GPIPE), Resolution(entry(12, "c"), PAGED)]
    text = to_bibtex(resolutions, sources=["lists/a.md", "lists/a.md", "evil\n@misc{x,\n.md"])
    assert text.startswith("% from lists/a.md:3, evil (at)misc{x, .md:12\n@inproceedings{kwon2023efficient,")
    assert "% from lists/a.md:7\n@misc{huang2018gpipe," in text
    entries, pyb = parse_both(text)
    assert [e.key for e in entries] == ["kwon2023efficient", "huang2018gpipe"] and len(pyb) == 2
    # Without sources (one list, library use) the output is the entries alone.
    assert not to_bibtex(resolutions).startswith("%")
