"""`paperenrich scan LIST.md`: the paper entries of a list, with no network at all."""

from __future__ import annotations

import json
from pathlib import Path

import click

from paperenrich.cli.app import app, output_is_terminal, output_option, write_output


@app.command(short_help="The paper entries of a list (no network).")
@click.argument("path", metavar="LIST.md", type=click.Path(allow_dash=True))  # str: a URL keeps its "//"
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--all", "all_items", is_flag=True, help="Also show skipped items (not papers) with the reason.")
@output_option
@click.option("--allow-private", is_flag=True, default=None,
              help="Let a list URL on a private or loopback address be fetched (intranets, tests).")
def scan(path: str, fmt: str, all_items: bool, output: Path | None, allow_private: bool | None) -> None:
    """List the paper entries of a Markdown list (title, venue, year, links, ids).

    LIST.md may be - (standard input) or an http(s) URL of a raw Markdown file, fetched as
    `check` asks a link (the only network scan uses).
    """
    from paperenrich.export.markdown import strip_additions
    from paperenrich.config import load_settings
    from paperenrich.listfile import is_list_url, read_list_file
    from paperenrich.listparse import scan_text

    settings = load_settings(allow_private=allow_private) if is_list_url(path) else None
    # Without the blocks `fix --add` wrote (same lines): the entries are what the list itself says.
    result = scan_text(strip_additions(read_list_file(path, settings)), source=str(path))
    if fmt == "json":
        write_output(json.dumps(result.to_dict(include_skipped=all_items), ensure_ascii=False, indent=2), output)
        return
    from paperenrich.export.render import scan_table

    write_output(scan_table(result, include_skipped=all_items, rich=output_is_terminal(output)), output)
