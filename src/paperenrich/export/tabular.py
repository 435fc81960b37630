"""Resolutions as JSON (the public contract), CSV (one row per entry) and a terminal table."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterable

from paperenrich.model import Resolution

CSV_COLUMNS = (
    "line", "title", "list_venue", "list_year", "status", "match_method", "match_source", "match_score",
    "paper_title", "authors", "year", "venue", "venue_short", "publication_date", "doi", "arxiv", "s2_id",
    "corpus_id", "dblp", "citation_count", "influential_citation_count", "canonical_url", "pdf_url",
    "published_venue", "published_year", "published_doi", "reason", "primary_category", "source",
)


def to_json(source: str, resolutions: Iterable[Resolution], summary: dict[str, Any] | None = None,
            lists: Iterable[tuple[str, Iterable[Resolution]]] | None = None) -> str:
    """`{"source", "sources", "entries": [entry + paper | reason + source], "summary"}`: see the README's
    JSON contract. `lists` ((source, resolutions) per list) gives several lists' entries, each with its list."""
    if lists is None:
        lists = [(source, resolutions)]
    lists = [(name, list(items)) for name, items in lists]
    entries = [{**r.to_dict(), "source": name} for name, items in lists for r in items]
    out: dict[str, Any] = {"source": source, "sources": [name for name, _ in lists], "entries": entries}
    if summary is not None:
        out["summary"] = summary
    return json.dumps(out, ensure_ascii=False, indent=2)


def _row(r: Resolution, source: str | None = None) -> dict[str, Any]:
    e, p = r.entry, r.paper
    row: dict[str, Any] = {"line": e.line, "title": e.title, "list_venue": e.venue, "list_year": e.year,
                           "status": "resolved" if p else "unresolved", "reason": r.reason, "source": source}
    if p is None:
        return row
    pv = p.published_version
    row.update(
        match_method=p.match.method if p.match else None, match_source=p.match.source if p.match else None,
        match_score=round(p.match.score, 4) if p.match else None, paper_title=p.title, authors="; ".join(p.authors),
        year=p.year, venue=p.venue, venue_short=p.venue_short, publication_date=p.publication_date, doi=p.doi,
        arxiv=p.arxiv, s2_id=p.s2_id, corpus_id=p.corpus_id, dblp=p.dblp, citation_count=p.citation_count,
        influential_citation_count=p.influential_citation_count, canonical_url=p.canonical_url, pdf_url=p.pdf_url,
        published_venue=pv.venue if pv else None, published_year=pv.year if pv else None,
        published_doi=pv.doi if pv else None, primary_category=p.primary_category,
    )
    return row


# A text cell opening with one of these is read as a formula by spreadsheets (CSV injection): a title or
# an author name from a list or a service must stay text, so such a cell is written behind a quote mark.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(resolutions: Iterable[Resolution], lists: Iterable[tuple[str, Iterable[Resolution]]] | None = None) -> str:
    """One row per entry; with `lists` ((source, resolutions) per list) each row names its list.
    Text cells that a spreadsheet would take for a formula are written inert (see _FORMULA_START)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for source, items in lists if lists is not None else [(None, resolutions)]:
        for r in items:
            writer.writerow({name: _inert(value) for name, value in _row(r, source).items()})
    return buf.getvalue()


def _table_rows(resolutions: Iterable[Resolution]) -> list[tuple[str, ...]]:
    """line, title, year, venue, doi / arXiv, cites, match (or why it is unresolved)."""
    rows = []
    for r in resolutions:
        p = r.paper
        if p is None:
            rows.append((str(r.entry.line), r.entry.title, "", "", "", "", r.reason or ""))
            continue
        ident = p.doi or (f"arXiv:{p.arxiv}" if p.arxiv else "")
        match = f"{p.match.method} ({p.match.source}, {p.match.score:.2f})" if p.match else ""
        rows.append((str(r.entry.line), p.title, str(p.year or ""), p.venue_short or p.venue or "", ident,
                     "" if p.citation_count is None else str(p.citation_count), match))
    return rows


TABLE_HEADER = ("LINE", "TITLE", "YEAR", "VENUE", "DOI / ARXIV", "CITES", "MATCH")
_TITLE_WIDTH = 80
_VENUE_WIDTH = 24  # a venue with no short name ("Workshop on ...") must not widen every line


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _plain_table(rows: list[tuple[str, ...]]) -> str:
    """Aligned columns separated by two spaces, one entry per line: easy to grep, cut and diff."""
    rows = [(r[0], _clip(r[1], _TITLE_WIDTH), r[2], _clip(r[3], _VENUE_WIDTH), *r[4:]) for r in rows]
    width = [max(len(row[i]) for row in [TABLE_HEADER, *rows]) for i in range(len(TABLE_HEADER))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].rjust(width[0])] + [row[i].ljust(width[i]) for i in range(1, len(row))]
        return "  ".join(cells).rstrip()

    return "\n".join(line(row) for row in [TABLE_HEADER, *rows]) + "\n"


def _rich_table(rows: list[tuple[str, ...]], resolved: list[bool], width: int) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(show_edge=False, expand=False, header_style="bold")
    for name in TABLE_HEADER:
        table.add_column(name.lower(), overflow="fold")
    for row, ok in zip(rows, resolved):
        # Text, not markup: titles may hold brackets that Rich would read as tags.
        cells = [Text(c) for c in row]
        if not ok:
            cells[-1].stylize("red")
        table.add_row(*cells)
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=True, highlight=False).print(table)
    return buf.getvalue()


def to_table(resolutions: Iterable[Resolution], rich: bool = False, width: int | None = None) -> str:
    """The resolutions as a table: a Rich table for a terminal (rich=True), plain aligned text otherwise."""
    resolutions = list(resolutions)
    rows = _table_rows(resolutions)
    if not rich:
        return _plain_table(rows)
    if width is None:
        import shutil

        width = shutil.get_terminal_size((160, 24)).columns
    return _rich_table(rows, [r.paper is not None for r in resolutions], width)
