"""The corpus bench's scoring tells apart the labels of one line (tests/emulator/corpus_truth.py)."""

from __future__ import annotations

import json
from pathlib import Path

from paperenrich.model import Entry, Ids, Resolution
from tests.emulator.corpus_truth import labelled_entry, labelled_truth

LABELS = Path(__file__).parent / "data" / "corpus_labels"


def test_two_labels_on_one_line_have_their_own_papers(scholar_world):
    label = json.loads((LABELS / "keon__awesome-nlp.json").read_text(encoding="utf-8"))
    truth = labelled_truth(scholar_world.corpus, [label])
    # keon__awesome-nlp.md:410 "[BPE](.../1508.07909) and [Unigram LM](.../1804.10959)": each label
    # is the paper its own link names (keyed by line, the two were one).
    for title, arxiv in (("BPE", "1508.07909"), ("Unigram LM", "1804.10959"), ("RoPE", "2104.09864"), ("YaRN", "2309.00071")):
        line = next(item["line"] for item in label["entries"] if item["title"] == title)
        assert truth[(label["file"], line, title)] == scholar_world.corpus.get_arxiv(arxiv).s2_id, title


def _resolution(title: str, arxiv: str | None, line: int = 410) -> Resolution:
    return Resolution(Entry(line=line, end_line=line, section=(), title=title, ids=Ids(arxiv=arxiv)), None, "not found")


def test_an_entry_stands_for_one_label_of_its_line():
    bpe = {"line": 410, "title": "BPE", "link": "https://arxiv.org/abs/1508.07909"}
    unigram = {"line": 410, "title": "Unigram LM", "link": "https://arxiv.org/abs/1804.10959"}
    both = [bpe, unigram]
    # One entry for the two papers, titled by the second link, with the first link's id: it is the
    # Unigram LM label's (by title), and BPE has no entry of its own.
    mixed = _resolution("Unigram LM", "1508.07909")
    assert labelled_entry(unigram, both, [mixed]) is mixed
    assert labelled_entry(bpe, both, [mixed]) is None
    # Two entries: each label gets its own, by title or by the id its link names.
    first, second = _resolution("Byte Pair Encoding", "1508.07909"), _resolution("Unigram LM", "1804.10959")
    assert labelled_entry(bpe, both, [first, second]) is first
    assert labelled_entry(unigram, both, [first, second]) is second
    # A label alone on its line takes whatever entry covers it (the scanned title may differ).
    alone = {"line": 500, "title": "Some Paper", "link": None}
    other = _resolution("Some Paper (2019)", None, line=500)
    assert labelled_entry(alone, [alone], [mixed, other]) is other
