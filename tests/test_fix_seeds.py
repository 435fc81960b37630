"""The five seed lists, resolved against the arXiv/S2 emulators: fix twice (the second run is a
no-op and untouched lines are byte-identical), and their BibTeX parses cleanly in two parsers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest

from paperenrich.config import Settings
from paperenrich.export.bibtex import BibOptions, build_records, to_bibtex
from paperenrich.export.markdown import ADDITIONS, MARK_OPEN, rewrite_markdown
from paperenrich.export.pipeline import gather
from tests.conftest import TEST_S2_KEY

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason="the seed lists (../shared/seeds) are not present")


@pytest.fixture(scope="module")
def world_settings(scholar_world_session, tmp_path_factory):
    world = scholar_world_session
    return Settings(
        arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key=TEST_S2_KEY,
        arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled,
        cache_dir=tmp_path_factory.mktemp("cache"), http_timeout=5.0,
    )


@pytest.fixture(scope="module")
def states(world_settings):
    """Each seed read, scanned and resolved once for the whole module (links not checked: no internet)."""
    return {path.name: gather(path, world_settings, check_links=False) for path in SEEDS}


def entry_lines(state) -> set[int]:
    return {n for r in state.resolutions for n in range(r.entry.line, r.entry.end_line + 1)}


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_fix_twice_second_run_is_a_noop(seed, states, world_settings, tmp_path):
    state = states[seed]
    first = rewrite_markdown(state.text, state.resolutions, additions=ADDITIONS)
    before, after = state.text.split("\n"), first.text.split("\n")
    assert len(before) == len(after)
    changed = {i + 1 for i, (a, b) in enumerate(zip(before, after)) if a != b}
    # Every changed line is one the rewrite reported, and lies inside an entry; all others are identical.
    assert changed == {c.line for c in first.changes}
    assert changed <= entry_lines(state)
    assert changed, "the seed has links to canonicalise and papers to annotate"

    fixed = tmp_path / seed
    fixed.write_bytes(first.text.encode("utf-8"))
    again = gather(fixed, world_settings, check_links=False)
    # Our additions do not change what the entries are taken to be.
    assert [(r.entry.line, r.entry.title) for r in again.resolutions] == [
        (r.entry.line, r.entry.title) for r in state.resolutions
    ]
    second = rewrite_markdown(again.text, again.resolutions, additions=ADDITIONS)
    assert second.changes == ()
    assert second.text == first.text
    # Dropping the additions again gives the canonical-links-only list; a table cell is padded to
    # its column's width then, which may differ from a row that was out of line to begin with.
    links_only = rewrite_markdown(state.text, state.resolutions)
    squeeze = lambda text: re.sub(r" +", " ", text)  # noqa: E731
    assert squeeze(rewrite_markdown(first.text, again.resolutions).text) == squeeze(links_only.text)
    assert MARK_OPEN not in links_only.text and MARK_OPEN in first.text


def _line_with(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


def test_seed_specific_rewrites(states):
    """Expected rewrites read off the seed files themselves."""
    s000 = states["000_245277319a99d7ee.txt"]
    out = rewrite_markdown(s000.text, s000.resolutions).text
    n = _line_with(s000.text, "PagedAttention (SOSP'23)")
    assert "(https://arxiv.org/pdf/2309.06180.pdf)" in s000.text.split("\n")[n]
    assert out.split("\n")[n].endswith("[link to paper](https://arxiv.org/abs/2309.06180)")

    s002 = states["002_afdee21c2821ae4e.txt"]
    out = rewrite_markdown(s002.text, s002.resolutions).text
    n = _line_with(s002.text, "Oobleck")
    assert "\\[[arXiv](https://arxiv.org/abs/2309.08125)]" in out.split("\n")[n]
    # An escaped underscore the canonical form does not change stays exactly as written.
    n = _line_with(s002.text, "paper\\_files")
    assert out.split("\n")[n] == s002.text.split("\n")[n]

    s003 = states["003_d63eb784058c878c.txt"]
    out = rewrite_markdown(s003.text, s003.resolutions).text
    n = _line_with(s003.text, "DySR")
    old_row, new_row = s003.text.split("\n")[n], out.split("\n")[n]
    assert "(https://openreview.net/forum?id=Pgtn4l6eKjv)" in new_row
    pipes = lambda s: [m.start() for m in re.finditer(r"\|", s)]  # noqa: E731
    assert pipes(new_row) == pipes(old_row)  # the shorter URL's room went into the padding


def _parse_strict(text: str) -> list[str]:
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [getattr(b, "error", b) for b in library.failed_blocks]
    pybtex.errors.set_strict_mode(True)  # any pybtex warning raises
    try:
        data = pybtex.database.parse_string(text, "bibtex")
    finally:
        pybtex.errors.set_strict_mode(False)
    assert list(data.entries) == [e.key for e in library.entries]
    return [e.key for e in library.entries]


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_bibtex_of_seed_papers_parses_with_stable_unique_keys(seed, states, world_settings):
    state = states[seed]
    resolved_only = to_bibtex(state.resolutions, BibOptions(include_unresolved=False))
    keys = _parse_strict(resolved_only)
    assert len(keys) == len(set(keys))
    papers = {r.paper.arxiv or r.paper.doi or r.paper.s2_id for r in state.resolutions if r.paper}
    assert len(keys) == len(papers)  # duplicates merged, nothing lost
    assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    # A second run (answers from the cache) gives the very same text.
    again = gather(Path(state.source), world_settings, check_links=False)
    assert to_bibtex(again.resolutions, BibOptions(include_unresolved=False)) == resolved_only
    # With unresolved entries as @misc, still clean; ASCII mode too.
    with_unresolved = to_bibtex(state.resolutions)
    all_keys = _parse_strict(with_unresolved)
    assert len(all_keys) == len(set(all_keys)) >= len(keys)
    _parse_strict(to_bibtex(state.resolutions, BibOptions(ascii=True)))


def test_bibtex_entry_types_follow_the_metadata(states):
    state = states["000_245277319a99d7ee.txt"]
    records = {r.lines[0]: r for r in build_records(state.resolutions)}
    for res in state.resolutions:
        record = records.get(res.entry.line)
        if record is None or res.paper is None:
            continue
        fields = dict(record.fields)
        if record.entry_type == "misc":  # no venue: an arXiv preprint, or a report found only by S2
            if res.paper.arxiv:
                assert fields["eprint"] == res.paper.arxiv and fields["archivePrefix"] == "arXiv"
            else:
                assert fields["url"]
        elif record.entry_type == "inproceedings":
            assert fields["booktitle"]
        else:
            assert record.entry_type == "article" and fields["journal"]
