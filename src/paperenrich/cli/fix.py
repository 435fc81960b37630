"""`paperenrich fix LIST.md [--dry-run | --write]`: canonical links and marked additions, minimal diff.

--dry-run (the default) prints a unified diff on standard output; --write replaces the file
atomically (a temporary file in the same directory, renamed over it). Lint findings and a
one-line summary go to standard error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperenrich.cli.app import app, console_err
from paperenrich.cli.options import (Verbosity, link_options, service_options, settings_from, verbosity_options,
                                     wants_link_check)


def parse_additions(text: str | None) -> tuple[str, ...]:
    from paperenrich.errors import UsageError
    from paperenrich.export.markdown import ADDITIONS

    names = tuple(n.strip() for n in (text or "").split(",") if n.strip())
    unknown = [n for n in names if n not in ADDITIONS]
    if unknown:
        raise UsageError(f"--add: unknown {', '.join(unknown)}; choose from {', '.join(ADDITIONS)}")
    return names


def write_keeping_bom(path: Path, text: str, force: bool = False) -> None:
    """Replace the list in one rename (through a symlink, refusing a read-only file unless
    `force`), keeping a UTF-8 byte-order mark if it had one."""
    from paperenrich.atomic import replace_file

    data = text.encode("utf-8")
    with path.open("rb") as fh:
        if fh.read(3) == b"\xef\xbb\xbf":
            data = b"\xef\xbb\xbf" + data
    replace_file(path, data, force=force, force_flag="--force")


@app.command(short_help="Rewrite a list with canonical links (a diff, or --write).")
@click.argument("paths", metavar="LIST.md...", nargs=-1, required=True)
@click.option("--dry-run", "mode", flag_value="dry-run", default=True, help="Print a unified diff (the default).")
@click.option("--write", "mode", flag_value="write", help="Rewrite the file in place (a symlink's target).")
@click.option("--force", is_flag=True, help="With --write: replace a read-only file too.")
@click.option("--add", "add", default=None, metavar="LIST",
              help="Marked additions, comma-separated: authors, citations, doi, badge.")
@link_options
@verbosity_options
@service_options
def fix(paths: tuple[str, ...], mode: str, add: str | None, force: bool, check_links: bool | None, allow_private: bool | None,
        verbosity: Verbosity, **service: Any) -> None:
    """Rewrite a list with canonical links and optional additions, touching only the lines that change.

    Prints a unified diff (the default) that `git apply` accepts from the repository's root, or
    rewrites the file with --write. Lint findings and a one-line summary go to standard error.
    Several lists (files, directories of *.md, globs) are resolved and link-checked in one run,
    then each is rewritten (or diffed) on its own.

    \b
    Examples:
      paperenrich fix README.md                     # see what would change
      paperenrich fix README.md --write --add authors,doi
    """
    from paperenrich import api
    from paperenrich.errors import InputError
    from paperenrich.listfile import is_list_url

    if "-" in paths:
        raise InputError("fix needs a file path, not standard input")
    if mode == "write" and any(is_list_url(p) for p in paths):
        raise InputError("fix --write needs a file path, not a URL (without --write: a diff)")
    additions = parse_additions(add)
    settings = settings_from(**service).replace(allow_private=allow_private)
    states = api.resolve_lists(paths, settings, check_links=wants_link_check(check_links, settings.offline),
                         show_progress=verbosity.show_progress)
    if states[0].warning:
        console_err(f"warning: {states[0].warning}")
    for fixed in api.fix(states, additions=additions):
        _report_one(fixed, mode, verbosity, states[0].stats, force)


def _report_one(fixed, mode: str, verbosity: Verbosity, stats, force: bool = False) -> None:
    """Write (or print the diff of) one rewritten list, its findings and summary on standard error."""
    from paperenrich.cli.enrich import summary_line
    from paperenrich.export.lint import format_findings

    path, result = fixed.source, fixed.rewrite  # a URL stays as written (a Path folds its "//")
    if fixed.findings:
        verbosity.say(format_findings(fixed.findings, fixed.source))
    verbosity.detail(summary_line(stats))
    changed_lines = len({c.line for c in result.changes})
    if mode == "write":
        if result.changed:
            write_keeping_bom(Path(path), result.text, force=force)
        verbosity.say(f"{path}: {changed_lines} line(s) rewritten" if result.changed else f"{path}: nothing to change")
        return
    if fixed.diff:
        click.echo(fixed.diff, nl=False)
    verbosity.say(f"{path}: {changed_lines} line(s) would change (dry run; --write to apply)"
                  if result.changed else f"{path}: nothing to change")
