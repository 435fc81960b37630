"""Lint findings over hand-built resolutions and link results."""

from __future__ import annotations

from paperenrich.export.lint import format_findings, lint, venues_agree
from paperenrich.model import Entry, LinkResult, Paper, Place, PublishedVersion, Resolution


def entry(line: int, title: str, venue=None, year=None, duplicate_of=None) -> Entry:
    return Entry(line=line, end_line=line, section=(), title=title, venue=venue, year=year, duplicate_of=duplicate_of)


def kinds(findings):
    return [(f.kind, f.line) for f in findings]


def test_preprint_now_published():
    paper = Paper(title="Fast Serving", year=2023, venue="arXiv.org", arxiv="2305.05920",
                  published_version=PublishedVersion("NSDI", 2024, "10.5555/nsdi24"))
    (finding,) = lint([Resolution(entry(4, "Fast Serving", venue="arXiv", year=2023), paper)])
    assert finding.kind == "published" and finding.line == 4
    assert finding.message == "listed as arXiv'23, now published at NSDI 2024 (doi:10.5555/nsdi24)"


def test_preprint_still_a_preprint_is_quiet():
    paper = Paper(title="EdgeMoE", year=2023, venue="arXiv.org", arxiv="2308.14352")
    assert lint([Resolution(entry(1, "EdgeMoE", venue="arXiv", year=2023), paper)]) == []


def test_venue_and_year_disagreements():
    paper = Paper(title="Orca", year=2022, venue="USENIX Symposium on Operating Systems Design and Implementation",
                  venue_short="OSDI")
    agree = lint([Resolution(entry(1, "Orca", venue="OSDI", year=2022), paper)])
    assert agree == []
    wrong = lint([Resolution(entry(2, "Orca", venue="SOSP", year=2021), paper)])
    assert kinds(wrong) == [("venue", 2), ("year", 2)]
    assert wrong[0].message == "list says SOSP, metadata says OSDI"
    assert wrong[1].message == "list says 2021, metadata says 2022"


def test_venue_aliases():
    assert venues_agree("NeurIPS", ["Neural Information Processing Systems"])
    assert venues_agree("ATC", ["USENIX ATC"])
    assert venues_agree("VLDB", ["Proc. VLDB Endow.", "PVLDB"])
    assert not venues_agree("ICML", ["NeurIPS"])
    assert venues_agree("ICML", [None])  # nothing known: no finding


def test_duplicates_from_scanner_and_from_same_paper():
    paper = Paper(title="vLLM", arxiv="2309.06180")
    res = [Resolution(entry(3, "vLLM"), paper), Resolution(entry(8, "PagedAttention"), paper),
           Resolution(entry(12, "Again", duplicate_of=3), None, reason="not found")]
    found = lint(res)
    # Ordered by line, then in the documented order of kinds (duplicate before unresolved).
    assert kinds(found) == [("duplicate", 8), ("duplicate", 12), ("unresolved", 12)]
    assert found[0].message == "same paper as line 3"
    assert found[2].message == "not found"


def test_broken_links_at_every_place():
    results = [
        LinkResult("https://gone.example.org/x", "broken", 404, places=(Place("a.md", 5), Place("a.md", 9))),
        LinkResult("https://soft.example.org/y", "soft_404", 200, places=(Place("a.md", 7),), detail="page says not found"),
        LinkResult("https://fine.example.org/", "ok", 200, places=(Place("a.md", 6),)),
        LinkResult("https://slow.example.org/", "timeout", None, places=(Place("a.md", 6),)),
    ]
    found = lint([], results)
    # A soft 404 is its own kind, as in check (where it fails the run only when --fail-on names it).
    assert kinds(found) == [("broken", 5), ("soft_404", 7), ("broken", 9)]
    assert found[0].message == "broken link (HTTP 404)" and found[0].url == "https://gone.example.org/x"
    assert found[1].message == "soft 404 (page says not found)"


def test_console_format():
    found = lint([Resolution(entry(12, "Plumber"), None, reason="ambiguous")])
    assert format_findings(found, "list.md") == 'list.md:12: unresolved: ambiguous - "Plumber"'
