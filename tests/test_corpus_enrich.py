"""Enrich two real corpus lists against the world that holds their labelled papers: no wrong match.

The truth comes from the hand labels (tests/data/corpus_labels/) through the world's fixture
built from them (tests/emulator/data/corpus_papers.json, `seen_in` = list file and label line).
lonng__db-papers.md has three near-duplicate traps and an absent paper among its labels,
wzhe06__Reco-papers.md two absent papers. The full per-list figures: bench/bench_corpus_enrich.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperenrich import api
from tests.emulator.corpus import DATA_DIR

LABELS = Path(__file__).parent / "data" / "corpus_labels"
LISTS = Path(__file__).resolve().parents[1].parent / "shared" / "lists"


def labelled_truth(corpus) -> dict[str, str | None]:
    fixture = json.loads((DATA_DIR / "corpus_papers.json").read_text(encoding="utf-8"))
    by_key = {r.key: r for r in corpus}
    truth: dict[str, str | None] = {}
    for paper in fixture["papers"]:
        truth.update((seen, by_key[paper["key"]].s2_id) for seen in paper["seen_in"])
    for item in fixture["unknown"]:
        truth.update((seen, None) for seen in item["seen_in"])
    for item in fixture["elsewhere"]:
        truth[item["seen_in"]] = None if item["absent"] else by_key[item["key"]].s2_id
    return truth


@pytest.mark.parametrize("name", ["lonng__db-papers", "wzhe06__Reco-papers"])
def test_labelled_entries_get_their_own_paper_or_none(scholar_world, scholar_settings, name):
    if not (LISTS / f"{name}.md").exists():
        pytest.skip("the shared corpus lists are not beside the repository")
    label = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    truth = labelled_truth(scholar_world.corpus)
    resolutions = list(api.enrich(LISTS / label["file"], scholar_settings))
    wrong, right, absent = [], 0, 0
    for item in label["entries"]:
        expected = truth[f"{label['file']}:{item['line']}"]
        absent += expected is None
        papers = [r.paper for r in resolutions if r.entry.line <= item["line"] <= r.entry.end_line and r.paper]
        if papers and papers[0].s2_id == expected:
            right += 1
        elif papers:
            wrong.append((item["line"], item["title"], papers[0].title))
    assert wrong == []
    assert absent >= 1 and right > 0  # the check saw both kinds: papers to find and papers to refuse
