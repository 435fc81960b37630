"""One block -> its entry units: a table's columns (which holds the title, the venue, the year),
and cells or items that name several papers, split into one unit per paper.
"""

from __future__ import annotations

import re

from paperenrich.ids import ids_from_links
from paperenrich.model import Link
from paperenrich.scanner.analyze import _is_generic
from paperenrich.scanner.classify import _PAPER_FILE, _has_paper_link
from paperenrich.scanner.pieces import Piece, _display

_JOINER = re.compile(r"\s*(?:and|&|,|/|\+)\s*")


def _joined_papers(pieces: list[Piece]) -> list[list[Piece]]:
    """The units of an item that opens with several links joined by "and", "&", ",", "/" or "+",
    of which at least one is a paper link: one unit per paper link (the link, then the rest of the
    item), or [] for any other item. keon's awesome-nlp line 410 "[BPE](arxiv) and [Unigram LM](arxiv)
    - the two dominant subword schemes" names two papers; line 592 "[BGE](github) and
    [BGE-M3](arxiv) (2024) - ..." names one paper, BGE-M3, and the code of another (the group's
    other links stay with it, so no link of the item is lost)."""
    i = 0
    while i < len(pieces) and pieces[i].kind == "text" and not pieces[i].text.strip():
        i += 1
    group: list[Piece] = []
    while i < len(pieces) and pieces[i].kind == "link":
        group.append(pieces[i])
        i += 1
        if i + 1 < len(pieces) and pieces[i + 1].kind == "link" and _JOINER.fullmatch(pieces[i].text):
            i += 1
            continue
        break
    if len(group) < 2 or any(_is_generic(p.text) for p in group):
        return []
    papers = [p for p in group if _has_paper_link([Link(url=p.url, text=p.text)])]
    if not papers:
        return []
    others = [p for p in group if p not in papers]
    rest = pieces[i:]
    return [[p, *rest, *(others if k == 0 else [])] for k, p in enumerate(papers)]


def _papers_per_cell(cells: list[list[Piece]]) -> list[list[Piece]]:
    """The units of a row whose cells hold several papers each, separated by <br>
    ("**SEED**(ICLR 2024)[[paper]](u)<br/>**CAMA**(ICLR 2024)[[paper]](u)<br/>...",
    Best-Incremental-Learning lines 152-160), or [] for an ordinary row (one paper, whose title cell
    may still hold "Title<br>Authors"). A unit is a paper when one of its links carries a paper id
    or a paper's path (a PDF, /abs/, /doi/ ...), or is labelled "paper" or "pdf"."""
    # (without a <br> in any cell, or with fewer than three units, the answer is []: it is known
    # before the units' links are read, which most rows need not)
    if not any(p.kind == "br" for cell in cells for p in cell):
        return []
    units: list[list[Piece]] = []
    for cell in cells:
        unit: list[Piece] = []
        for piece in cell + [Piece("br", "\n")]:
            if piece.kind == "br":
                if any(p.kind == "link" for p in unit):
                    units.append(unit)
                unit = []
            else:
                unit.append(piece)
    if len(units) < 3:
        return []
    papers = [u for u in units if not ids_from_links([Link(url=p.url, text=p.text) for p in u if p.kind == "link"]).is_empty()
              or any(p.kind == "link" and (_PAPER_FILE.search(p.url) or p.text.strip("[] ").lower() in ("paper", "pdf"))
                     for p in u)]
    per_cell_max = max((sum(1 for p in cell if p.kind == "br") for cell in cells), default=0)
    return papers if len(papers) >= 3 and per_cell_max >= 1 else []


_TITLE_HEADERS = ("title", "paper", "papers", "paper title", "paper name", "article", "publication", "work", "name")
_VENUE_HEADERS = ("venue", "publisher", "conference", "conf", "conf.", "journal", "pub", "pub.", "published in",
                  "source", "where", "published", "proceedings", "booktitle")
_YEAR_HEADERS = ("year", "date", "time")
_SOFTWARE_HEADERS = ("framework", "frameworks", "project", "projects", "library", "libraries", "tool", "tools",
                     "repo", "repository", "software", "system", "systems", "model", "models", "dataset", "datasets")


_NOT_PAPER_COLUMN_WORDS = frozenset({"datasets", "dataset", "benchmarks", "benchmark", "tools", "libraries", "models"})


def _column_roles(header: list[str]) -> dict:
    roles: dict = {}
    clean = [re.sub(r"[^\w. ]+", "", h).strip() for h in header]
    for k, h in enumerate(clean):
        if h in _YEAR_HEADERS and "year" not in roles:
            roles["year"] = k
        elif h in _VENUE_HEADERS and "venue" not in roles:
            roles["venue"] = k
    for wanted in _TITLE_HEADERS:
        if wanted in clean:
            roles["title"] = clean.index(wanted)
            roles["name_only"] = wanted == "name"
            break
    # (a header of several words counts by its words: "Benchmarks & Datasets", zjunlp line 610)
    if "title" not in roles and clean and any(h in _SOFTWARE_HEADERS or set(h.split()) & _NOT_PAPER_COLUMN_WORDS
                                              for h in clean[:2]):
        roles["software"] = True
    return roles


def _guess_title_column(pieces: list[list[Piece]], roles: dict) -> int | None:
    """Without a recognised header: the cell with the longest non-generic text."""
    best, best_len = None, 0
    for k, cell in enumerate(pieces):
        if k in (roles.get("year"), roles.get("venue")):
            continue
        text = _display(cell)[0].strip()
        if _is_generic(text):
            continue
        if len(text) > best_len:
            best, best_len = k, len(text)
    return best
