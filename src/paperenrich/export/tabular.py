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
    "published_venue", "published_year", "published_doi", "reason",
)


def to_json(source: str, resolutions: Iterable[Resolution], summary: dict[str, Any] | None = None) -> str:
    """`{"source", "entries": [entry + paper | reason], "summary"}`: see the README's JSON contract."""
    out: dict[str, Any] = {"source": source, "entries": [r.to_dict() for r in resolutions]}
    if summary is not None:
        out["summary"] = summary
    return json.dumps(out, ensure_ascii=False, indent=2)


def _row(r: Resolution) -> dict[str, Any]:
    e, p = r.entry, r.paper
    row: dict[str, Any] = {"line": e.line, "title": e.title, "list_venue": e.venue, "list_year": e.year,
                           "status": "resolved" if p else "unresolved", "reason": r.reason}
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
        published_doi=pv.doi if pv else None,
    )
    return row


def to_csv(resolutions: Iterable[Resolution]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in resolutions:
        writer.writerow(_row(r))
    return buf.getvalue()


def to_table(resolutions: Iterable[Resolution], width: int = 160) -> str:
    """A readable table for a terminal: line, title, what it resolved to (or why not)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_edge=False, expand=False)
    for name in ("line", "title", "year", "venue", "doi / arXiv", "cites", "match"):
        table.add_column(name, overflow="fold")
    for r in resolutions:
        p = r.paper
        if p is None:
            table.add_row(str(r.entry.line), r.entry.title, "", "", "", "", f"[red]{r.reason}[/red]")
            continue
        ident = p.doi or (f"arXiv:{p.arxiv}" if p.arxiv else "")
        match = f"{p.match.method} ({p.match.source}, {p.match.score:.2f})" if p.match else ""
        table.add_row(str(r.entry.line), p.title, str(p.year or ""), p.venue_short or p.venue or "", ident,
                      "" if p.citation_count is None else str(p.citation_count), match)
    buf = io.StringIO()
    Console(file=buf, width=width, no_color=True, highlight=False).print(table)
    return buf.getvalue()
