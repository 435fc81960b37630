"""Enrich two real corpus lists against the world that holds their labelled papers: no wrong match.

The truth comes from the hand labels (tests/data/corpus_labels/) through the world's fixture
built from them (tests/emulator/data/corpus_papers.json; tests/emulator/corpus_truth.py tells
the labels of one line apart).
lonng__db-papers.md has three near-duplicate traps and an absent paper among its labels,
wzhe06__Reco-papers.md two absent papers. The full per-list figures: bench/bench_corpus_enrich.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperenrich import api
from tests.emulator.corpus_truth import labelled_entry, labelled_truth

LABELS = Path(__file__).parent / "data" / "corpus_labels"
LISTS = Path(__file__).resolve().parents[1].parent / "shared" / "lists"


@pytest.mark.parametrize("name", ["lonng__db-papers", "wzhe06__Reco-papers"])
def test_labelled_entries_get_their_own_paper_or_none(scholar_world, scholar_settings, name):
    if not (LISTS / f"{name}.md").exists():
        pytest.skip("the shared corpus lists are not beside the repository")
    label = json.loads((LABELS / f"{name}.json").read_text(encoding="utf-8"))
    truth = labelled_truth(scholar_world.corpus, [label])
    resolutions = list(api.enrich(LISTS / label["file"], scholar_settings))
    by_line: dict[int, list[dict]] = {}
    for item in label["entries"]:
        by_line.setdefault(item["line"], []).append(item)
    wrong, right, absent = [], 0, 0
    for item in label["entries"]:
        expected = truth[(label["file"], item["line"], item["title"])]
        absent += expected is None
        got = labelled_entry(item, by_line[item["line"]], resolutions)
        if got and got.paper and got.paper.s2_id == expected:
            right += 1
        elif got and got.paper:
            wrong.append((item["line"], item["title"], got.paper.title))
    assert wrong == []
    assert absent >= 1 and right > 0  # the check saw both kinds: papers to find and papers to refuse
