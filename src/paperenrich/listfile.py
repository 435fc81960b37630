"""Reading a list (a file, standard input or an http(s) URL), with one-line errors for everything that
is not a Markdown text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperenrich.errors import InputError

if TYPE_CHECKING:
    from paperenrich.config import Settings

MAX_BYTES = 64 * 1024 * 1024  # a list larger than this is not a list


def is_list_url(arg: str | Path) -> bool:
    """An http(s) URL rather than a path (a Path would fold its "//" into "/": keep URLs as str)."""
    return isinstance(arg, str) and arg.lower().startswith(("https://", "http://"))


def read_list_file(path: str | Path, settings: "Settings | None" = None) -> str:
    """The text of a Markdown list, or InputError (exit 4) with a one-line reason.

    "-" reads standard input; an http(s) URL is fetched as `check` asks a link (remote_list.py,
    with `settings`, default: config file and environment). A UTF-8 byte-order mark is dropped.
    An empty file is fine (it has no entries); a binary or non-UTF-8 file is refused.
    """
    if isinstance(path, str) and is_list_url(path):
        from paperenrich.config import load_settings
        from paperenrich.remote_list import fetch_list

        return fetch_list(path, settings or load_settings())
    if str(path) == "-":
        import sys

        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{p}: no such file")
        if p.is_dir():
            raise InputError(f"{p}: is a directory, not a list file")
        try:
            with p.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from None
        name = str(p)
    if len(data) > MAX_BYTES:
        raise InputError(f"{name}: larger than {MAX_BYTES // (1024 * 1024)} MB; not a Markdown list")
    if b"\x00" in data:
        raise InputError(f"{name}: binary file (contains NUL bytes), not a Markdown list")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (invalid byte at offset {exc.start})") from None
    return text.removeprefix("\ufeff")
