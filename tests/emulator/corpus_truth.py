"""Which world paper each hand-labelled corpus entry is, and which scanned entry stands for it.

The fixture (data/corpus_papers.json) names the label lines each paper was seen on ("file:line").
A line may carry several labels ("[BPE](...) and [Unigram LM](...)", keon__awesome-nlp.md:410):
keyed by line alone, the last label's paper would stand for all of them. So each label is told
apart by its own link's arXiv id or DOI, else by its title, among the papers seen on its line.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from tests.emulator.corpus import DATA_DIR
from tests.emulator.textnorm import fold

Truth = dict[tuple[str, int, str], "str | None"]  # (list file, line, label title) -> S2 id (None: absent)


def _ids(link: str | None) -> tuple[str | None, str | None]:
    from paperenrich.ids import extract_ids

    ids = extract_ids(link) if link else None
    return (ids.arxiv, ids.doi.lower() if ids.doi else None) if ids else (None, None)


def labelled_truth(corpus, labels: Iterable[dict]) -> Truth:
    """(file, line, title) of every label -> the S2 id of its paper in the world (None: kept out)."""
    fixture = json.loads((DATA_DIR / "corpus_papers.json").read_text(encoding="utf-8"))
    by_key = {r.key: r for r in corpus}
    # Per "file:line", each paper seen there: (arXiv id, DOI, folded title, S2 id or None). A paper
    # kept out for a reason of its own (`elsewhere`, absent) has no ids or title left to compare.
    seen: dict[str, list[tuple[Any, Any, str, str | None]]] = {}

    def add(where: str, arxiv, doi, title: str, s2_id: str | None) -> None:
        seen.setdefault(where, []).append((arxiv, (doi or "").lower() or None, fold(title), s2_id))

    for paper in fixture["papers"]:
        rec = by_key[paper["key"]]
        for where in paper["seen_in"]:
            add(where, rec.arxiv, rec.doi, rec.title, rec.s2_id)
    for item in fixture["unknown"]:
        for where in item["seen_in"]:
            add(where, item.get("arxiv"), item.get("doi"), item["title"], None)
    for item in fixture["elsewhere"]:
        rec = by_key[item["key"]] if item["key"] and not item["absent"] else None
        add(item["seen_in"], rec and rec.arxiv, rec and rec.doi, rec.title if rec else "", rec and rec.s2_id)
    truth: Truth = {}
    for label in labels:
        for entry in label["entries"]:
            here = seen[f"{label['file']}:{entry['line']}"]
            arxiv, doi = _ids(entry.get("link"))
            title = fold(entry["title"])
            found = (next((c for c in here if arxiv and c[0] == arxiv), None)
                     or next((c for c in here if doi and c[1] == doi), None)
                     or next((c for c in here if c[2] == title), None)
                     or (here[0] if len(here) == 1 else None)
                     or next((c for c in here if not c[2]), None))  # the line's paper kept out
            if found is None:
                raise KeyError(f"no world paper for the label {label['file']}:{entry['line']} {entry['title']!r}")
            truth[(label["file"], entry["line"], entry["title"])] = found[3]
    return truth


def labelled_entry(item: dict, line_items: list[dict], resolutions: list) -> Any:
    """The scanned entry (its Resolution) that stands for one label, or None.

    `line_items`: every label on the item's line (the item included). Of the entries covering the
    line: the one with the label's title; else one with the label's arXiv id or DOI that no other
    label of the line claims by its title; any covering entry only when the label is alone on its
    line. An entry never stands for two labels that name different papers."""
    from paperenrich.titles import normalize_title

    def titled(label: dict) -> Any:
        return next((r for r in covering if normalize_title(r.entry.title) == normalize_title(label["title"])), None)

    covering = [r for r in resolutions if r.entry.line <= item["line"] <= r.entry.end_line]
    if (own := titled(item)) is not None:
        return own
    claimed = {id(r) for other in line_items if other is not item and (r := titled(other)) is not None}
    arxiv, doi = _ids(item.get("link"))
    by_id = next((r for r in covering if id(r) not in claimed and ((arxiv and r.entry.ids.arxiv == arxiv)
                  or (doi and (r.entry.ids.doi or "").lower() == doi))), None)
    if by_id is not None:
        return by_id
    if len(line_items) == 1:
        return next((r for r in covering if r.paper is not None), covering[0] if covering else None)
    return None
