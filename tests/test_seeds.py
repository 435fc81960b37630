"""The five real lists of ../shared/seeds: every paper entry and nothing else.

Expected counts were derived independently of the parser, with grep on the files:
  000  grep -c '^- .*\\[link to paper\\](http'              -> 99  (the 3 links under
       "Other Useful Resources" have no "link to paper" label and are not papers)
  001  grep -c '^| .*\\[\\[paper\\]\\](http'                  -> 47  (table rows with a paper link)
  002  grep -c '^\\* '                                       -> 17 top-level bullets, minus the
       one under "## Acronyms" ("LLM: Large Language Model")  -> 16
  003  grep -c '^| 20[0-9][0-9] | .*\\](http.*(#'            -> 26  (paper rows carry a "(#ds)"
       style Framework link; the Frameworks table rows do not; "Title1" rows have no year)
  004  grep -cE "^- \\[[^]]*('[0-9]{2}|20[0-9]{2})[^]]*\\]"  -> 945 lines whose first bracket is a
       venue tag with a year, + grep -c '^- \\[Survey :mag:\\]' -> 18, + 1 "[*Under Review*]" -> 964
Titles, venues, years and ids below were read off the files by hand (line numbers are the files').
"""

from pathlib import Path

import pytest

from paperenrich.scanner import scan_text

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def _scan(prefix: str):
    path = next(SEEDS.glob(prefix + "_*.txt"))
    return scan_text(path.read_text(encoding="utf-8"), source=path.name)


def _at(result, line):
    matches = [e for e in result.entries if e.line == line]
    assert matches, f"no entry on line {line}"
    return matches[0]


pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds not present")


@pytest.mark.parametrize("prefix,count", [("000", 99), ("001", 47), ("002", 16), ("003", 26), ("004", 964)])
def test_entry_counts(prefix, count):
    assert len(_scan(prefix).entries) == count


def test_seed_000_bullets_with_venue_in_parentheses():
    r = _scan("000")
    e = _at(r, 7)
    assert e.title == "Switch Transformers: Scaling to Trillion Parameter Models with Simple and Efficient Sparsity"
    assert (e.venue, e.year) == ("JMLR", 2021)
    e = _at(r, 23)
    assert e.title == "PETALS: Collaborative Inference and Fine-tuning of Large Models"
    assert e.venue.startswith("NeurIPS") and e.year == 2022
    assert e.ids.openreview == "Ls_NTjgWXZV"
    e = _at(r, 48)  # casa_token dropped, DOI kept
    assert e.ids.doi == "10.1145/3458817.3476209"
    assert (e.venue, e.year) == ("SC", 2021)
    e = _at(r, 60)  # full-width opening parenthesis before the venue
    assert e.title == "Optimus-CC: Efficient Large NLP Model Training with 3D Parallelism Aware Communication Compression"
    assert (e.venue, e.year) == ("ASPLOS", 2023)
    e = _at(r, 114)  # "arxiv.org/abs//2307.02628" and no space before the link
    assert e.ids.arxiv == "2307.02628" and e.title.startswith("SkipDecode:")
    e = _at(r, 124)  # a parenthesis that belongs to the title stays
    assert e.title.endswith("Using Sorted Fine-Tuning (SoFT)") and e.venue == "arXiv"


def test_seed_000_duplicate_arxiv_id_under_two_titles():
    r = _scan("000")
    first, second = _at(r, 31), _at(r, 40)
    assert first.ids.arxiv == second.ids.arxiv == "2303.06865"
    assert first.duplicate_of is None
    assert second.duplicate_of == 31


def test_seed_000_resources_are_skipped():
    r = _scan("000")
    skipped_lines = {s.line for s in r.skipped}
    assert {140, 141, 142} <= skipped_lines
    assert all(e.line < 140 for e in r.entries)


def test_seed_001_title_link_tables():
    r = _scan("001")
    e = _at(r, 14)
    assert e.title == "Transformer: Attention Is All You Need"
    assert e.ids.arxiv == "1706.03762" and e.kind == "table"
    assert e.section == ("LLM Papers We Recommend to Read", "Basic Architectures of LLMs")
    e = _at(r, 39)
    assert e.ids.usenix == "atc21/presentation/ren-jie"


def test_seed_002_nested_notes_and_venue_links():
    r = _scan("002")
    e = _at(r, 5)
    assert e.title == "Oobleck: Resilient Distributed Training of Large Models Using Pipeline Templates"
    assert (e.venue, e.year) == ("SOSP", 2023)
    assert e.ids.doi == "10.1145/3600006.3613152" and e.ids.arxiv == "2309.08125"
    assert e.end_line == 6  # the affiliation sub-bullet belongs to it
    e = _at(r, 9)  # venue written as a link: ([NSDI 2023](../../reading-notes/...))
    assert e.title == "Bamboo: Making Preemptible Instances Resilient for Affordable Training of Large DNNs"
    assert (e.venue, e.year) == ("NSDI", 2023)
    e = _at(r, 27)
    assert (e.venue, e.year) == ("arXiv", 2023) and e.ids.arxiv == "2305.05920"
    e = _at(r, 35)
    assert e.ids.mlsys == "2023/hash/523f87e9d08e6071a3bbd150e6da40fb"
    reasons = {s.line: s.reason for s in r.skipped}
    assert "acronym" in reasons[60]
    assert 6 in reasons and 37 in reasons  # "UMich SymbioticLab & AWS & PKU", "**Outstanding Paper Award**"


def test_seed_003_year_and_publisher_columns():
    r = _scan("003")
    e = _at(r, 20)
    assert e.title == "DySR: Adaptive Super-Resolution via Algorithm and System Co-design"
    assert (e.venue, e.year) == ("ICLR", 2023)
    assert e.ids.openreview == "Pgtn4l6eKjv"  # from the double-encoded forum?id%253D link
    e = _at(r, 31)
    assert e.venue == "NeurIPS" and e.year == 2022  # "NeuraIPS" in the file
    e = _at(r, 19)
    assert e.venue is None and e.year == 2023  # empty Publisher cell
    e = _at(r, 38)
    assert e.title == "ZeRO-Offload: Democratizing Billion-Scale Model Training"  # trailing "." dropped
    # the Framework column's in-page links are not entry links
    assert all(not link.url.startswith("#") for entry in r.entries for link in entry.links)
    reasons = {s.line: s.reason for s in r.skipped}
    assert "placeholder" in reasons[60]  # "| Year | Pub | Title1 | Framework |"
    assert "software" in reasons[74]  # the Frameworks table
    assert "table-of-contents" in reasons[6]
    assert _at(r, 51).duplicate_of == 29


def test_seed_004_venue_prefixed_lines():
    r = _scan("004")
    e = _at(r, 75)
    assert e.title == "The Streaming Batch Model for Efficient and Fault-Tolerant Heterogeneous Execution"
    assert (e.venue, e.year) == ("arXiv", 2025) and e.ids.arxiv == "2501.12407"
    e = _at(r, 81)  # title-only line
    assert e.title == "Plumber: Diagnosing and Removing Performance Bottlenecks in Machine Learning Data Pipelines"
    assert (e.venue, e.year) == ("MLSys", 2022) and e.links == ()
    e = _at(r, 115)  # link text broken across two lines
    assert e.title == "InTune: Reinforcement Learning-based Data Pipeline Optimization for Deep Recommendation Models"
    assert e.end_line == 116
    e = _at(r, 154)  # trailing "(`PAI`)" annotation dropped
    assert e.title == "MLaaS in the wild: workload analysis and scheduling in large-scale heterogeneous GPU clusters"
    e = _at(r, 173)  # "[Survey :mag:] [ACM CSUR'23] [Title](url)"
    assert e.title == "Deep Learning Workload Scheduling in GPU Datacenters: A Survey"
    assert (e.venue, e.year) == ("CSUR", 2023)
    e = _at(r, 128)  # "[also in [2.1](#...)]" dropped
    assert e.title == "SiloD: A Co-design of Caching and Scheduling for Deep Learning Clusters"
    assert (e.venue, e.year) == ("EuroSys", 2023)
    assert _at(r, 180).duplicate_of == 128  # the same title again in section 2.2
    assert _at(r, 188).duplicate_of == 154


def test_seed_004_note_bullets_give_their_links_to_the_paper_above():
    r = _scan("004")
    e = _at(r, 97)  # followed by "- [arxiv version](https://arxiv.org/abs/2210.14826)"
    assert e.title == "tf.data service: A Case for Disaggregating ML Input Data Processing"
    assert e.ids.arxiv == "2210.14826"
    assert any(link.url == "https://arxiv.org/abs/2210.14826" for link in e.links)
    e = _at(r, 355)  # "[ICLR'24] CO2: ..." then "- [arxiv](...) [openreview](...)"
    assert e.ids.arxiv == "2401.16265" and e.ids.openreview == "ZO5cn4IfaN"
    e = _at(r, 346)  # notes "extended version of Galvatron" and "arxiv version (2023): [link](...)"
    assert e.ids.arxiv == "2307.02031"
    skipped = {s.line for s in r.skipped}
    assert {98, 250, 347, 348, 356, 432, 474, 572, 590, 1067} <= skipped
    assert all(e.line not in skipped for e in r.entries)


def test_seed_004_table_of_contents_and_references_are_not_papers():
    r = _scan("004")
    lines = {e.line for e in r.entries}
    assert not lines & set(range(33, 70))  # the table of contents
    assert not lines & set(range(1130, 1138))  # "References": bare repository URLs
