"""`paperenrich scan LIST.md`: the paper entries of a list, with no network at all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from paperenrich.cli.app import app, write_output


@app.command()
def scan(
    path: Path = typer.Argument(..., help="The Markdown list ('-' for standard input).", show_default=False),
    format: str = typer.Option("table", "--format", "-f", help="table or json."),
    all_items: bool = typer.Option(False, "--all", help="Also show skipped items (not papers) with the reason."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to FILE instead of standard output."),
) -> None:
    """List the paper entries of a Markdown list (title, venue, year, links, ids)."""
    from paperenrich.errors import UsageError
    from paperenrich.listfile import read_list_file
    from paperenrich.listparse import scan_text

    if format not in ("table", "json"):
        raise UsageError(f"--format must be table or json, not {format!r}")
    result = scan_text(read_list_file(path), source=str(path))
    if format == "json":
        write_output(json.dumps(result.to_dict(include_skipped=all_items), ensure_ascii=False, indent=2), output)
        return
    from paperenrich.render import scan_table

    write_output(scan_table(result, include_skipped=all_items), output)
