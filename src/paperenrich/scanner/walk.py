"""The walk over the syntax tree: headings give sections, list items / table rows / paragraphs give
entry units, notes give their links to the paper they follow.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Sequence

from markdown_it_pyrs import Node

from paperenrich.ids import ids_from_links
from paperenrich.model import Link, Skipped
from paperenrich.scanner.analyze import (
    _DATE_YEAR,
    Analysis,
    _analyze,
    _links,
    _venue_year,
)
from paperenrich.scanner.classify import (
    _PLACEHOLDER,
    _classify,
    _heading_year,
    _is_repo_link,
)
from paperenrich.scanner.parse import _MD, MAX_ENTRY_CHARS
from paperenrich.scanner.pieces import (
    _INLINE_NODES,
    Piece,
    _display,
    _inline_pieces,
    _pieces,
    _Source,
)
from paperenrich.scanner.refs import _with_references
from paperenrich.scanner.units import (
    _column_roles,
    _guess_title_column,
    _joined_papers,
    _papers_per_cell,
)
from paperenrich.titles import normalize_title
from paperenrich.venues import normalize_venue, parse_year

# "Key: value" under a bold title ("- 作者单位: 香港大学, ...", "- Homepage: ...", amusi lines 852, 859)
_LABEL_LINE = re.compile(r"^\s*[^\s:：][^:：]{0,23}[:：]\s*\S")


# Reasons an undated item is not a paper, that a venue or year in its sub-items would overturn.
_UNDATED_REASONS = ("no link, venue or year", "not a paper section", "link to a web site")


class _Draft:
    """An entry being built (notes may still add links). (Plain classes: see `pieces.Piece`.)"""

    __slots__ = ("line", "end_line", "section", "analysis", "kind", "links", "provisional", "provisional_end",
                 "wait_reason", "papers_under")

    def __init__(self, line: int, end_line: int, section: tuple[str, ...], analysis: Analysis, kind: str,
                 links: list[Link]) -> None:
        self.line, self.end_line, self.section = line, end_line, section
        self.analysis, self.kind, self.links = analysis, kind, links
        self.provisional = False  # a bold title alone: a paper only if notes follow it
        self.provisional_end = 0
        self.wait_reason = ""  # a provisional list item: why it is not a paper unless dated by its notes
        self.papers_under: list[_Draft] = []  # its sub-items that are papers


class _Item:
    """An open list item."""

    __slots__ = ("kind", "draft", "seen_para", "has_sublist", "end")

    def __init__(self, kind: str, has_sublist: bool = False, end: int = 0) -> None:
        self.kind = kind
        self.draft: _Draft | None = None
        self.seen_para = False
        self.has_sublist = has_sublist  # its notes (authors, venue, year) are still to come
        self.end = end  # byte offset where the item ends


class _Scanner:
    def __init__(self, src: _Source) -> None:
        self.src = src
        self.headings: list[tuple[int, str]] = []
        self.section: tuple[str, ...] = ()  # the heading path (the texts of self.headings)
        self.drafts: list[_Draft] = []
        self.skipped: list[Skipped] = []
        self.last_draft: _Draft | None = None  # the paper a following note belongs to
        self.items: list[_Item] = []  # open list items, outermost first
        self.list_kinds: list[str] = []

    def confirmed_drafts(self) -> list[_Draft]:
        """The drafts that are papers: a provisional one needs notes after it ("- Paper: ...",
        "- Code: ..."), an id, a venue or a year by now."""
        kept = []
        # (only a provisional draft adopts: most are not, and skip the test)
        adopted = {id(d.papers_under[0]) for d in self.drafts if d.provisional and self._adopts(d)}
        for d in self.drafts:
            if id(d) in adopted:
                continue  # it became its category item's entry
            if d.provisional and self._adopts(d):
                self._take_paper(d, d.papers_under[0])
            dated = d.analysis.venue or d.analysis.year or not ids_from_links(d.links).is_empty()
            if d.provisional and d.wait_reason and not dated:
                self.skipped.append(Skipped(d.line, d.end_line, d.analysis.text[:200], d.wait_reason))
            elif d.provisional and not d.wait_reason and d.end_line == d.provisional_end and not dated:
                self.skipped.append(Skipped(d.line, d.end_line, d.analysis.text[:200], "bold line without a paper link"))
            else:
                kept.append(d)
        return kept

    @staticmethod
    def _adopts(d: _Draft) -> bool:
        """A linkless name item with exactly one paper among its sub-items is that paper
        (transferlearning line 794: "- 迁移成分分析方法(Transfer component analysis, TCA)", then
        "[Domain adaptation via tranfer component analysis](url)", "发表在IEEE Trans. ...", "[我的解读](url)");
        with several ("- Survey on applications - 应用导向的综述：", lines 71-75) it is a category."""
        return d.provisional and len(d.papers_under) == 1 and d.wait_reason.startswith("no link, venue or year")

    @staticmethod
    def _take_paper(d: _Draft, paper: _Draft) -> None:
        venue, year = d.analysis.venue, d.analysis.year  # from its notes ("发表在CVPR-12上")
        d.analysis = paper.analysis
        d.analysis.venue, d.analysis.year = paper.analysis.venue or venue, paper.analysis.year or year
        d.links = paper.links + [link for link in d.links if link not in paper.links]
        d.end_line = max(d.end_line, paper.end_line)
        d.provisional = False

    # -- helpers
    def _lines(self, start: int, end: int) -> tuple[int, int]:
        """1-based first and last line of the byte range [start, end)."""
        starts = self.src.line_starts
        first = bisect_right(starts, start)
        last_byte = max(start, end - 1)
        # (most ranges end on their first line, before the next line starts: one search, not two)
        last = first if first == len(starts) or last_byte < starts[first] else bisect_right(starts, last_byte)
        return first + self.src.line_offset, last + self.src.line_offset

    def _add_paper(self, a: Analysis, line: int, end_line: int, kind: str) -> _Draft:
        draft = _Draft(line, end_line, self.section, a, kind, list(a.links))
        self.drafts.append(draft)
        self.last_draft = draft
        return draft

    def _offer(self, a: Analysis, line: int, end_line: int, kind: str, parent: _Draft | None = None,
               note_target: _Draft | None = None, may_wait: bool = False) -> _Draft | None:
        """Record a candidate as a paper, or as skipped (giving a note's links to its paper).

        An undated item with sub-items (`may_wait`) is a provisional paper: its sub-items may still
        give it a venue or year ("- Title." / "  [[pdf]](url)" / "  - Authors. *ICCV*, 2021.", THUYimingLi).
        """
        if a.year is None and self.section:
            a.year = _heading_year(self.section[-1])
        reason = _classify(a, self.section)
        if reason is None:
            draft = self._add_paper(a, line, end_line, kind)
            if parent is not None and parent.provisional and not parent.analysis.links:
                parent.papers_under.append(draft)
            return draft
        if may_wait and reason.startswith(_UNDATED_REASONS):
            draft = self._add_paper(a, line, end_line, kind)
            draft.provisional, draft.wait_reason = True, reason
            return draft
        target = parent or note_target
        is_note = reason.startswith("note") or (parent is not None and not (a.venue or a.year)) or (
            note_target is not None and note_target.provisional and bool(_LABEL_LINE.match(a.text)))
        if is_note and target is not None:
            if parent is not None or reason == "note: an author line":  # its paper's venue and year
                target.analysis.venue = target.analysis.venue or a.venue
                year = a.year or (int(m.group(1)) if (m := _DATE_YEAR.search(a.text)) else None)
                target.analysis.year = target.analysis.year or year
            if a.links:
                _add_new_links(target.links, a.links)
                reason = f"{reason}; links added to the entry on line {target.line}"
            # The note is part of its paper's lines (it follows it directly).
            target.end_line = max(target.end_line, end_line)
            if parent is not None and not reason.startswith("note"):
                reason = f"note under the entry on line {parent.line} ({reason})"
        elif parent is None:
            self.last_draft = None  # anything else ends the run of notes after a paper
        self.skipped.append(Skipped(line, end_line, a.text[:200], reason))
        return None

    # -- tree walk
    def run(self, blocks: Sequence[Node]) -> None:
        """Visit block nodes in document order. An explicit stack: nesting depth is not bounded."""
        stack: list = list(reversed(blocks))
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):  # ("inline", nodes) of a tight list item, or an end marker
                if node[0] == "inline":
                    self._paragraph(node[1])
                elif node[0] == "end_item":
                    self.items.pop()
                else:
                    self.list_kinds.pop()
                continue
            name = node.name
            if name == "list_item":  # (the commonest block first)
                kids = node.children  # (each read of a node's children or name builds new objects)
                names = [k.name for k in kids]
                srcmap = node.srcmap
                self.items.append(_Item(self.list_kinds[-1] if self.list_kinds else "bullet", has_sublist=(
                    "bullet_list" in names or "ordered_list" in names), end=srcmap[1] if srcmap else 0))
                if names and _INLINE_NODES.issuperset(names):
                    # Its text alone (most items): read now, as the stack would next, and closed.
                    self._paragraph(kids)
                    self.items.pop()
                    continue
                stack.append(("end_item",))
                stack += reversed(self._item_blocks(kids, names))
            elif name == "heading" or name == "lheading":
                level = int(node.meta.get("level", 1))
                text, _, _ = _display(_pieces(node.children, self.src))
                while self.headings and self.headings[-1][0] >= level:
                    self.headings.pop()
                self.headings.append((level, " ".join(text.split())))
                self.section = tuple(text for _, text in self.headings)
                self.last_draft = None
            elif name == "paragraph":
                self._paragraph(node.children, node.srcmap)
            elif name == "bullet_list" or name == "ordered_list":
                self.list_kinds.append("numbered" if name == "ordered_list" else "bullet")
                stack.append(("end_list",))
                stack += reversed(node.children)
            elif name == "table":
                self._table(node)
                self.last_draft = None
            elif name == "html_block":
                if not self.items:
                    self._html_block(node)
            elif name == "blockquote":
                stack += reversed(node.children)

    @staticmethod
    def _item_blocks(kids: Sequence[Node], names: list[str]) -> list:
        """A list item's children (and their names); in a tight list its text is not wrapped in a
        paragraph: wrap it."""
        out: list = []
        run: list[Node] = []
        for kid, name in zip(kids, names):
            if name in _INLINE_NODES:
                run.append(kid)
                continue
            if run:
                out.append(("inline", run))
                run = []
            out.append(kid)
        if run:
            out.append(("inline", run))
        return out

    def _paragraph(self, kids: Sequence[Node], srcmap: tuple[int, int] | None = None) -> None:
        if srcmap is None:  # a tight item's text: from its first to its last inline node
            # (the first and the last node that has a map; the ones between are not read)
            first = last = None
            for k in kids:
                if m := k.srcmap:
                    first = m
                    break
            for k in reversed(kids) if first else ():  # (none has a map when the first has none)
                if m := k.srcmap:
                    last = m
                    break
            # (never past the item: after a tab markdown-it.rs maps inline nodes a few bytes too far,
            # into the next line; Best-Incremental-Learning line 446)
            item_end = self.items[-1].end if self.items else None
            srcmap = (first[0], min(last[1], item_end or last[1])) if first and last else None
        if srcmap is None:
            return
        if self.items:
            self._item_paragraph(kids, srcmap)
        else:
            self._top_paragraph(kids, srcmap)

    def _too_long(self, srcmap: tuple[int, int]) -> str | None:
        """The paragraph's text when it is too long to be one entry, else None."""
        start, end = srcmap
        if end - start <= MAX_ENTRY_CHARS:  # bytes >= characters
            return None
        content = "\n".join(line.strip() for line in self.src.slice(start, end).split("\n"))
        return content if len(content) > MAX_ENTRY_CHARS else None

    def _item_paragraph(self, kids: Sequence[Node], srcmap: tuple[int, int]) -> None:
        item = self.items[-1]
        line, end_line = self._lines(*srcmap)
        if (content := self._too_long(srcmap)) is not None:
            item.seen_para = True
            self.skipped.append(Skipped(line, end_line, content[:200],
                                        f"too long for one entry ({len(content)} characters)"))
            return
        pieces = _pieces(kids, self.src)
        parent = self.items[-2].draft if len(self.items) > 1 else None
        if not item.seen_para and (units := _joined_papers(pieces)):
            item.seen_para = True  # several papers named in one item: one entry each
            drafts = [self._offer(_analyze(unit), line, end_line, item.kind, parent=parent) for unit in units]
            item.draft = next((d for d in drafts if d is not None), None)
            return
        a = _analyze(pieces)
        if item.seen_para:
            # A later paragraph of the same item: a note about it.
            owner = item.draft
            if owner is not None and a.links:
                _add_new_links(owner.links, a.links)
                owner.end_line = max(owner.end_line, end_line)
        else:
            item.seen_para = True
            note_target = self.last_draft if parent is None else None
            item.draft = self._offer(a, line, end_line, item.kind, parent=parent, note_target=note_target,
                                     may_wait=item.has_sublist and parent is None)

    def _top_paragraph(self, kids: Sequence[Node], srcmap: tuple[int, int]) -> None:
        """A top-level paragraph is an entry only when it starts with a bold or linked title."""
        self.last_draft = None
        start, end = srcmap
        if not self.src.slice(start, min(end, start + 8)).lstrip().startswith(("**", "__", "[", "<")):
            return  # prose: an entry paragraph starts with its bold or linked title
        if self._too_long(srcmap) is not None:
            return
        a = _analyze(_pieces(kids, self.src))
        if not (a.title_bold or a.title_from_link) or len(a.text) > 2000:  # (zjunlp: 20 authors)
            return
        if not (a.venue or a.year or not ids_from_links(a.links).is_empty()):
            if a.title_bold and not a.links and len(a.title.split()) >= 3 and len(a.title) * 5 >= len(a.text) * 4:
                # A bold title alone, its links in the list after it (amusi CVPR2021 line 118:
                # "**GIRAFFE: ...**", then "- Paper(Oral): https://arxiv.org/abs/2011.12100"): the
                # list's notes give it their links; without an id, venue or year it is dropped.
                draft = self._add_paper(a, *self._lines(start, end), "paragraph")
                draft.provisional, draft.provisional_end = True, draft.end_line
            return
        if _classify(a, self.section) is None:  # anything else is prose: not reported as skipped
            self._add_paper(a, *self._lines(start, end), "paragraph")
        self.last_draft = None

    def _html_block(self, node: Node) -> None:
        """<details> blocks and HTML lists: parse what is inside, keeping line numbers."""
        if not node.srcmap:
            return
        first_line = self.src.line(node.srcmap[0])
        content = node.meta.get("content", "")
        if "<tr" in content.lower() and "</t" in content.lower():
            self._html_table(content, first_line)
            return
        inner = re.sub(r"</?(?:details|summary|div|p|center|section|span)\b[^>]*>", "", content, flags=re.I)
        if "<a " in inner.lower() or "<li" in inner.lower() or "<td" in inner.lower():
            # One HTML element per line: read each line's inline HTML as an item.
            for k, raw in enumerate(inner.split("\n")):
                if not re.search(r"<a\s", raw, re.I):
                    continue
                html_line = re.sub(r"</?(?:li|ul|ol|tr|td|th|table|tbody|thead)\b[^>]*>", " ", raw, flags=re.I)
                a = _analyze(_inline_pieces(html_line, self.src))
                self._offer(a, first_line + k, first_line + k, "bullet")
            return
        if inner.strip() and inner.strip() != content.strip():
            # Reference definitions are document-wide: the inner text sees them too.
            refs = self.src.ref_lines
            sub_text = _with_references(inner, refs)
            outer = self.src
            self.src = _Source(sub_text, line_offset=first_line - 1)
            try:
                self.run(_MD.tree(sub_text).children)
            finally:
                self.src = outer

    def _html_table(self, content: str, first_line: int) -> None:
        """An HTML table (`<tr>` rows of `<th>`/`<td>` cells over several lines, ASAudio line 86): the
        same reading as a Markdown table, each row's lines being its `<tr>` ... `</tr>`."""
        header: list[str] = []
        lines: list[tuple[int, int]] = []
        cells_of: list[list[list[Piece]]] = []
        for row in _HTML_ROW.finditer(content):
            line = first_line + content.count("\n", 0, row.start())
            end = row.end() if row.group(0).rstrip().lower().endswith(">") and "</tr" in row.group(0)[-8:].lower() \
                else row.start(1) + len(row.group(1).rstrip())  # a row left unclosed ends at its last text
            end_line = first_line + content.count("\n", 0, end)
            cells = [c.group(2) for c in _HTML_CELL.finditer(row.group(1))]
            if not cells:
                continue
            pieces = [_inline_pieces(" ".join(c.split()), self.src) for c in cells]
            if all(c.group(1).lower() == "h" for c in _HTML_CELL.finditer(row.group(1))):
                header = [" ".join(_display(p)[0].split()).lower() for p in pieces]
                continue
            lines.append((line, end_line))
            cells_of.append(pieces)
        if cells_of:
            self._table_rows(header, lines, cells_of)
            self.last_draft = None

    def _table(self, table: Node) -> None:
        """Rows of a table -> entries."""
        header: list[str] = []
        rows: list[tuple[tuple[int, int] | None, list[Sequence[Node]]]] = []
        for part in table.children:  # thead, tbody
            for row in part.children:
                cells = [cell.children for cell in row.children]
                if part.name == "thead":
                    header = [" ".join(_display(_pieces(c, self.src))[0].split()).lower() for c in cells]
                else:
                    rows.append((row.srcmap, cells))
        cells_of = [[_pieces(c, self.src) for c in cells] for _, cells in rows]
        self._table_rows(header, [self._lines(*rmap) if rmap else (1, 1) for rmap, _ in rows], cells_of)

    def _table_rows(self, header: list[str], lines: list[tuple[int, int]], cells_of: list[list[list[Piece]]]) -> None:
        """The rows of a Markdown or HTML table (their lines, and the pieces of each cell) -> entries."""
        roles = _column_roles(header)
        title_col = roles.get("title")
        software = roles.get("software", False)
        if not software and roles.get("name_only") and title_col is not None:
            repo_rows = sum(1 for cells in cells_of if title_col < len(cells) and any(
                p.kind == "link" and _is_repo_link(p.url) for p in cells[title_col]))
            software = repo_rows * 2 > max(1, len(cells_of))
        for (line, end_line), pieces in zip(lines, cells_of):
            if not software and (units := _papers_per_cell(pieces)):
                for unit in units:  # several papers in a cell, one per <br>-separated unit
                    self._offer(_analyze(unit), line, end_line, "table")
                continue
            displays = [_display(p) for p in pieces]  # (text, link spans, bold spans) of each cell
            flat = [" ".join(d[0].split()) for d in displays]
            row_text = " | ".join(flat)
            if software:
                self.skipped.append(Skipped(line, end_line, row_text[:200], "software/framework table"))
                continue
            if [f.lower() for f in flat] == header or all(
                _PLACEHOLDER.match(normalize_title(d[0])) or not d[0].strip() for d in displays
            ):
                self.skipped.append(Skipped(line, end_line, row_text[:200], "placeholder row"))
                continue
            tc = title_col if title_col is not None and title_col < len(pieces) else _guess_title_column(pieces, roles)
            a = _analyze(pieces[tc]) if tc is not None else Analysis()
            a.paper_column = tc == title_col and not roles.get("name_only")
            a.text = row_text
            for k, cell_text in enumerate(flat):
                if k == tc:
                    continue
                if k == roles.get("year"):
                    a.year = parse_year(cell_text) or a.year
                elif k == roles.get("venue"):
                    venue, year = _venue_year(cell_text)
                    a.venue = venue or normalize_venue(cell_text, keep_unknown=True) or a.venue
                    a.year = a.year or year
                else:
                    extra, _ = _links(displays[k][0], displays[k][1])
                    _add_new_links(a.links, extra)
            a.anchor_only = a.anchor_only and not a.links
            self._offer(a, line, end_line, "table")


def _add_new_links(links: list[Link], more: list[Link]) -> None:
    """Append each of `more` that `links` does not hold yet (a repeat within `more` too).

    A loop, not `links.extend(l for l in more if l not in links)`: compiled by mypyc, that generator
    is run to a list before the extend, so a link repeated within `more` got in twice."""
    for link in more:
        if link not in links:
            links.append(link)


_HTML_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?:</tr\s*>|(?=<tr\b)|$)", re.I | re.S)
_HTML_CELL = re.compile(r"<t([dh])\b[^>]*>(.*?)(?:</t[dh]\s*>|(?=<t[dh]\b)|$)", re.I | re.S)
