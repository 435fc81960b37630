"""Relative links of a list on disk (`[Contributing](CONTRIBUTING.md)`, `![logo](assets/logo.png)`):
the file or folder they name must exist, as GitHub resolves them.

A relative path is resolved from the list's own folder; a root-relative one (`/docs/x.md`) from
the repository's root (the nearest folder above the list holding `.git`), as GitHub does. A
link that leaves the repository (or, outside one, the list's folder) is not looked at, so a list
cannot make the checker say whether `/etc/passwd` exists. Nothing is read, only tested for
existence; `?query` is not checked. Links of a list given as a URL or on standard input have no
folder: they stay `skipped` as before.

With fragments checked (`--check-fragments`), an in-page anchor (`[Models](#models)`, the
table of contents of most lists) must name a heading or an HTML id/name of its own list, and
`docs/a.md#setup` one of that Markdown file (read up to MAX_ANCHOR_FILE_BYTES), by GitHub's slugs
(`paperenrich.markdown.github_slug`). Matching forgives case, a `user-content-` prefix and a
leading or trailing "-", so that a slug we make differently from GitHub cannot raise a false alarm.

Each place is judged on its own (the same `CONTRIBUTING.md` link may be fine in the root README
and broken in a subfolder's): one result per URL and outcome, with the places that share it.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import unquote, urlsplit

from paperenrich.markdown import Document
from paperenrich.model import LinkResult, LinkStatus, Place

_LINE_ANCHOR = re.compile(r"L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?")  # GitHub's source lines: a.md?plain=1#L3-L9, not a heading
MAX_ANCHOR_FILE_BYTES = 5 << 20  # a linked Markdown file larger than this has its fragments unchecked
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


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


def _forgiving(anchor: str) -> str:
    anchor = anchor.lower()
    return anchor.removeprefix("user-content-").strip("-")


def _forgiving_anchors(text: str) -> frozenset[str]:
    return frozenset(map(_forgiving, Document(text).anchors))


class Anchors:
    """The anchors of the lists' texts and of the Markdown files their links name, each read once."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = texts
        self._of_text: dict[str, frozenset[str] | None] = {}
        self._of_file: dict[Path, frozenset[str] | None] = {}

    def of_text(self, name: str) -> frozenset[str] | None:
        """None when the list's text is not at hand."""
        if name not in self._of_text:
            text = self.texts.get(name)
            self._of_text[name] = None if text is None else _forgiving_anchors(text)
        return self._of_text[name]

    def of_file(self, path: Path) -> frozenset[str] | None:
        """None when the file is not Markdown or too large to read for this."""
        if path not in self._of_file:
            anchors = None
            try:
                if path.suffix.lower() in _MARKDOWN_SUFFIXES and path.is_file() and path.stat().st_size <= MAX_ANCHOR_FILE_BYTES:
                    anchors = _forgiving_anchors(path.read_bytes().decode("utf-8", "replace"))
            except OSError:
                pass
            self._of_file[path] = anchors
        return self._of_file[path]


def _has(anchors: frozenset[str], fragment: str) -> bool:
    return _forgiving(unquote(fragment)) in anchors


def _judge_anchor(url: str, place: Place, anchors: Anchors) -> tuple[LinkStatus, str] | None:
    """An in-page anchor against its own list; None when that list's text is not at hand."""
    known = anchors.of_text(place.file)
    if known is None:
        return None
    fragment = url[1:]
    # (#top: the top of any page, by HTML's rule; #readme: the README's own box on a repository's page)
    if not fragment or fragment.lower() in ("top", "readme") or _has(known, fragment):
        return LinkStatus.OK, f"{url} is in the list"
    return LinkStatus.BROKEN, f"no heading or anchor {url} in the list"


def _judge(url: str, list_file: Path, anchors: Anchors | None = None) -> tuple[LinkStatus, str]:
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
    if not target.exists():
        return LinkStatus.BROKEN, f"no such file or folder: {shown}"
    fragment = urlsplit(url).fragment
    if anchors is not None and fragment and not _LINE_ANCHOR.fullmatch(fragment) and (
            known := anchors.of_file(target)) is not None:
        if not _has(known, fragment):
            return LinkStatus.BROKEN, f"{shown} exists, but has no heading or anchor #{fragment}"
        return LinkStatus.OK, f"{shown} exists and has #{fragment}"
    return LinkStatus.OK, f"{shown} exists"


def on_disk(place: Place) -> bool:
    """Whether the place is in a list file (not a URL, standard input or a text)."""
    return Path(place.file).is_file()


def check_local(places_by_url: dict[str, list[Place]], excluded: Callable[[str], bool],
                texts: Mapping[str, str] | None = None) -> tuple[list[LinkResult], dict[str, list[Place]]]:
    """(results for the relative links of lists on disk, the links left to check as before,
    excluded ones among them: the excludes apply to relative links too). With the lists' `texts`,
    fragments are checked too: in-page anchors against their own list (on disk or not)."""
    anchors = Anchors(texts) if texts is not None else None

    def local(url: str) -> bool:
        return is_relative_path(url) or (anchors is not None and url.startswith("#"))

    if not any(map(local, places_by_url)):
        return [], places_by_url  # (most lists: nothing to look for, nothing to copy)
    results: list[LinkResult] = []
    rest: dict[str, list[Place]] = {}
    for url, places in places_by_url.items():
        if not local(url) or excluded(url):
            rest[url] = places
            continue
        outcomes: dict[tuple[LinkStatus, str], list[Place]] = {}
        elsewhere: list[Place] = []
        for place in places:
            if url.startswith("#"):
                outcome = _judge_anchor(url, place, anchors)  # type: ignore[arg-type]
            else:  # (a URL, standard input, a text: no folder to look in)
                outcome = _judge(url, Path(place.file), anchors) if on_disk(place) else None
            if outcome is None:
                elsewhere.append(place)
            else:
                outcomes.setdefault(outcome, []).append(place)
        results += [LinkResult(url, status, places=tuple(found), detail=detail, verified_by="file")
                    for (status, detail), found in outcomes.items()]
        if elsewhere:
            rest[url] = elsewhere
    return results, rest
