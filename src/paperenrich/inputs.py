"""What a command's LIST arguments name: files, directories (their Markdown files, recursively), globs and `-`.

One small function so every command that takes lists expands them the same way (as `check` and
lychee do). It returns the sources in argument order, each once; reading them is `listfile`'s job.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Iterable

from paperenrich.errors import InputError
from paperenrich.listfile import is_list_url

GLOB_CHARS = frozenset("*?[")
MARKDOWN_SUFFIXES = (".md", ".markdown")


def _is_glob(arg: str) -> bool:
    return any(c in GLOB_CHARS for c in arg)


def _markdown_under(directory: Path) -> list[Path]:
    """The directory's Markdown files (`*.md`, `*.markdown`) at any depth, in path order; hidden
    directories (.git) left out."""
    found = []
    for path in sorted(directory.rglob("*")):
        parts = path.relative_to(directory).parts
        if (path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file()
                and not any(p.startswith(".") for p in parts[:-1])):
            found.append(path)
    return found


def expand_inputs(args: Iterable[str | Path]) -> list[str]:
    """The list sources the arguments name, in order, each once ("-" is standard input; an http(s)
    URL of a raw Markdown file is kept as it is, for `listfile.read_list_file` to fetch).

    An existing path is taken as it is (a directory gives its Markdown files); otherwise an argument
    with `*`, `?` or `[` is a glob (`**` recursive). An argument that names nothing is an InputError
    (exit 4), as is a directory or glob without a single Markdown file: a typo must not pass as an
    empty list.
    """
    out: list[str] = []
    seen: set[str] = set()

    def add(source: str) -> None:
        key = source if source == "-" or is_list_url(source) else str(Path(source).resolve())
        if key not in seen:
            seen.add(key)
            out.append(source)

    for raw in args:
        arg = str(raw)
        path = Path(arg)
        if arg == "-" or is_list_url(arg):  # a URL before any path test: its "?" is no glob
            add(arg)
        elif path.is_dir():
            found = _markdown_under(path)
            if not found:
                raise InputError(f"{arg}: directory without any Markdown file (*.md, *.markdown)")
            for p in found:
                add(str(p))
        elif path.exists() or not _is_glob(arg):
            add(arg)  # a file, or a missing path that listfile reports as "no such file"
        else:
            matches = sorted(glob.glob(arg, recursive=True))
            files = [m for m in matches if Path(m).is_file()]
            for d in (m for m in matches if Path(m).is_dir()):
                files.extend(str(p) for p in _markdown_under(Path(d)))
            if not files:
                raise InputError(f"{arg}: no file matches")
            for f in files:
                add(f)
    if not out:
        raise InputError("no list given")
    return out
