"""Relative links of a list on disk (`[Contributing](CONTRIBUTING.md)`, `![logo](assets/logo.png)`):
the file or folder they name must exist, as GitHub resolves them.

A relative path is resolved from the list's own folder; a root-relative one (`/docs/x.md`) from
the repository's root (the nearest folder above the list holding `.git`), as GitHub does. A
link that leaves the repository (or, outside one, the list's folder) is not looked at, so a list
cannot make the checker say whether `/etc/passwd` exists. Nothing is read, only tested for
existence; `?query` and `#fragment` are not checked. Links of a list given as a URL or on
standard input have no folder: they stay `skipped` as before.

Each place is judged on its own (the same `CONTRIBUTING.md` link may be fine in the root README
and broken in a subfolder's): one result per URL and outcome, with the places that share it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from paperenrich.model import LinkResult, LinkStatus, Place


def is_relative_path(url: str) -> bool:
    """A link to a path (no scheme, no host, not only an anchor or a query)."""
    if not url or url.startswith(("#", "?", "//")) or ":" in url.partition("/")[0]:
        return False  # (a ":" before the first "/" is a scheme's: http:, mailto:... parsed no further)
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc and bool(parts.path)


@functools.lru_cache(maxsize=256)
def _root_of(folder: Path) -> tuple[Path, bool]:
    """(the repository's root, True) for a folder inside a git repository, else (the folder, False)."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate, True
    return folder, False


def _judge(url: str, list_file: Path) -> tuple[LinkStatus, str]:
    folder = list_file.resolve().parent
    root, in_repository = _root_of(folder)
    path = unquote(urlsplit(url).path)
    if path.startswith("/") and not in_repository:
        return LinkStatus.SKIPPED, "root-relative link outside a git repository (not checked)"
    target = (root / path.lstrip("/")) if path.startswith("/") else (folder / path)
    try:
        target = target.resolve()
        shown = target.relative_to(root).as_posix() or "."
    except (ValueError, OSError, RuntimeError):  # (outside the root; a symlink loop)
        return LinkStatus.SKIPPED, f"relative link outside the {'repository' if in_repository else 'list folder'} (not checked)"
    if target.exists():
        return LinkStatus.OK, f"{shown} exists"
    return LinkStatus.BROKEN, f"no such file or folder: {shown}"


def on_disk(place: Place) -> bool:
    """Whether the place is in a list file (not a URL, standard input or a text)."""
    return Path(place.file).is_file()


def check_local(places_by_url: dict[str, list[Place]], excluded: Callable[[str], bool]) -> tuple[list[LinkResult], dict[str, list[Place]]]:
    """(results for the relative links of lists on disk, the links left to check as before,
    excluded ones among them: the excludes apply to relative links too)."""
    if not any(map(is_relative_path, places_by_url)):
        return [], places_by_url  # (most lists: nothing to look for, nothing to copy)
    results: list[LinkResult] = []
    rest: dict[str, list[Place]] = {}
    for url, places in places_by_url.items():
        if not is_relative_path(url) or excluded(url):
            rest[url] = places
            continue
        outcomes: dict[tuple[LinkStatus, str], list[Place]] = {}
        elsewhere: list[Place] = []
        for place in places:
            if not on_disk(place):  # a URL, standard input, a text: no folder to look in
                elsewhere.append(place)
                continue
            outcomes.setdefault(_judge(url, Path(place.file)), []).append(place)
        results += [LinkResult(url, status, places=tuple(found), detail=detail, verified_by="file")
                    for (status, detail), found in outcomes.items()]
        if elsewhere:
            rest[url] = elsewhere
    return results, rest
