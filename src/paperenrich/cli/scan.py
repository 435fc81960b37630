"""`paperenrich scan LIST.md`: the paper entries of a list, with no network at all."""

from __future__ import annotations

from pathlib import Path

import click

from paperenrich.cli.app import app, output_is_terminal, output_option, write_output


@app.command(short_help="The paper entries of lists (no network).")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)  # str: a URL keeps its "//"
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Output format.")
@click.option("--all", "all_items", is_flag=True, help="Also show skipped items (not papers) with the reason.")
@output_option
@click.option("--allow-private", is_flag=True, default=None,
              help="Let a list URL on a private or loopback address be fetched (intranets, tests).")
def scan(paths: tuple[str, ...], fmt: str, all_items: bool, output: Path | None, allow_private: bool | None) -> None:
    """List the paper entries of Markdown lists (title, venue, year, links, ids).

    LIST.md may be - (standard input), several files, directories (their *.md files, recursively),
    globs, or an http(s) URL of a raw Markdown file, fetched as `check` asks a link (the only
    network scan uses). With several lists, the output names each entry's list.
    """
    from paperenrich import api
    from paperenrich.config import load_settings
    from paperenrich.export.render import scan_table, scans_to_json
    from paperenrich.listfile import is_list_url

    settings = load_settings(allow_private=allow_private) if any(is_list_url(p) for p in paths) else None
    scans = api.scan(paths, settings)
    if fmt == "json":
        write_output(scans_to_json(scans, include_skipped=all_items), output)
        return
    rich = output_is_terminal(output)
    if len(scans) == 1:
        write_output(scan_table(scans[0], include_skipped=all_items, rich=rich), output)
    else:  # one table a list, under its name, as `head` shows several files
        write_output("\n".join(f"==> {s.source} <==\n" + scan_table(s, include_skipped=all_items, rich=rich) for s in scans),
                     output)
