"""Human-readable rendering of a scan: a Rich table on a terminal, plain aligned text when piped."""

from __future__ import annotations

import io
import json
import shutil
import sys
from typing import Any, Sequence

from paperenrich.model import ScanResult


def _ids_text(ids: dict[str, str]) -> str:
    return " ".join(f"{k}:{v}" for k, v in ids.items())


def _rows(result: ScanResult) -> list[tuple[str, ...]]:
    rows = []
    for e in result.entries:
        dup = f"= line {e.duplicate_of}" if e.duplicate_of else ""
        rows.append((str(e.line), e.title, e.venue or "", str(e.year or ""), _ids_text(e.ids.to_dict()), dup))
    return rows


def _summary(result: ScanResult) -> str:
    dups = sum(1 for e in result.entries if e.duplicate_of)
    return f"{len(result.entries)} entries ({dups} duplicates), {len(result.skipped)} items skipped"


def _plain(result: ScanResult, include_skipped: bool) -> str:
    """Tab-free aligned columns, one entry per line: easy to grep, cut and diff."""
    header = ("LINE", "TITLE", "VENUE", "YEAR", "IDS", "DUPLICATE")
    rows = _rows(result)
    width = [max([len(header[i])] + [len(r[i]) for r in rows]) for i in range(len(header))]
    width[1] = min(width[1], 90)

    def fmt(r: tuple[str, ...]) -> str:
        cells = [r[0].rjust(width[0]), (r[1][:87] + "...") if len(r[1]) > 90 else r[1].ljust(width[1])]
        cells += [r[i].ljust(width[i]) for i in range(2, len(r))]
        return "  ".join(cells).rstrip()

    out = [fmt(header)] + [fmt(r) for r in rows]
    out.append(f"{_summary(result)} in {result.source}")
    if include_skipped and result.skipped:
        out.append("")
        out.append("SKIPPED")
        for s in result.skipped:
            out.append(f"{s.line:>{width[0]}}  {s.reason}: {s.text[:80]}")
    return "\n".join(out)


def _rich(result: ScanResult, include_skipped: bool) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    width = shutil.get_terminal_size((120, 24)).columns
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=True, highlight=False)
    table = Table(title=result.source, show_lines=False, header_style="bold")
    table.add_column("line", justify="right", style="dim")
    table.add_column("title", overflow="fold", ratio=3)
    table.add_column("venue")
    table.add_column("year")
    table.add_column("ids", overflow="fold", ratio=1)
    table.add_column("dup", style="yellow")
    for row in _rows(result):
        table.add_row(*(Text(c) for c in row))
    console.print(table)
    console.print(_summary(result), markup=False)  # the table's title names the source
    if include_skipped and result.skipped:
        skipped = Table(title="skipped (not papers)", header_style="bold")
        skipped.add_column("line", justify="right", style="dim")
        skipped.add_column("reason")
        skipped.add_column("text", overflow="fold")
        for s in result.skipped:
            skipped.add_row(str(s.line), Text(s.reason), Text(s.text[:100]))
        console.print(skipped)
    return buf.getvalue().rstrip("\n")


def scan_table(result: ScanResult, include_skipped: bool = False, rich: bool | None = None) -> str:
    """The scan as a table: Rich on a terminal (or rich=True), plain aligned text otherwise."""
    if rich is None:
        rich = sys.stdout.isatty()
    return _rich(result, include_skipped) if rich else _plain(result, include_skipped)


def scans_to_json(scans: Sequence[ScanResult], include_skipped: bool = False) -> str:
    """One list: its documented JSON, as it always was. Several: `{"source" (the first), "sources",
    "entries": [entry + "source"], "skipped": [item + "source"]}`, naming each entry's list."""
    if len(scans) == 1:
        return json.dumps(scans[0].to_dict(include_skipped=include_skipped), ensure_ascii=False, indent=2)
    out: dict[str, Any] = {"source": scans[0].source if scans else "", "sources": [s.source for s in scans],
                           "entries": [{**e.to_dict(), "source": s.source} for s in scans for e in s.entries]}
    if include_skipped:
        out["skipped"] = [{**k.to_dict(), "source": s.source} for s in scans for k in s.skipped]
    return json.dumps(out, ensure_ascii=False, indent=2)
