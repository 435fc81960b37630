"""Markdown list -> paper entries (pure; no network).

The text is parsed by markdown-it-pyrs (markdown-it.rs: CommonMark + GFM tables, in Rust); entries
come from its syntax tree and the source map of every node, never from regular expressions over
the whole file:

- list items (bulleted and numbered, nested or flat), table rows, and short paragraphs that
  start with a bold or linked title are the candidates;
- each candidate's inline nodes become a flat list of pieces (text, links, code, <br>), from
  which `_analyze` reads the title, the venue and year, and the links;
- `_classify` decides whether a candidate is a paper or not (table of contents, placeholder,
  software, course or video, acronym, note) and says why;
- notes that carry links ("[arxiv version](...)") give their links to the paper they follow;
- papers listed twice (same id, or same normalised title) are marked with `duplicate_of`.

Large texts are parsed in chunks cut at top-level block boundaries, so memory follows the chunk.
markdown-it.rs recurses once per level of nesting (`> > > ...`, `*a *a *a ...`) and has no depth
limit, so the parse runs with a stack sized from the longest block of the text (see `_parse_safely`)
and lines nested deeper than any list needs are left out first (`_drop_deep_lines`).
"""

from __future__ import annotations

import re

from paperenrich.collector import paused_collector
from paperenrich.errors import InputError
from paperenrich.model import Entry, ScanResult, Skipped
from paperenrich.scanner.duplicates import _mark_duplicates
from paperenrich.scanner.parse import (
    _MD,
    MAX_ENTRY_CHARS,
    MAX_LINE_NESTING,
    _chunks,
    _drop_deep_lines,
    _escape_long_lines,
    _parse_safely,
)
from paperenrich.scanner.pieces import _reference_definitions, _Source, _with_references
from paperenrich.scanner.walk import _Scanner

_DEEP_LINE = re.compile(rf"[ \t>*+\-.)0-9]{{{MAX_LINE_NESTING},}}")


def scan_text(text: str, source: str = "<text>") -> ScanResult:
    """The paper entries of a Markdown list (and the items skipped, with the reason)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be parsed
    dropped: list[Skipped] = []
    lines = text.split("\n")
    # (only a line of MAX_LINE_NESTING characters or more can be too deep or too long; a search of
    # the whole text for either, line start by line start, took longer than this)
    if max(map(len, lines)) >= MAX_LINE_NESTING and any(
            len(line) > MAX_ENTRY_CHARS or _DEEP_LINE.match(line) for line in lines if len(line) >= MAX_LINE_NESTING):
        dropped = _drop_deep_lines(lines)
        _escape_long_lines(lines)
        text = "\n".join(lines)

    def scan() -> tuple[list[Entry], list[Skipped]]:
        # The tree's node objects and the entries hold no cycles, but their number sets off full
        # garbage collections that find nothing (a quarter of the scan time on the bench list).
        # (The walk's own objects are freed when _walk returns, before the collector resumes: the
        # collection that resumption sets off then looks at the entries alone.)
        with paused_collector():
            return _walk(lines)

    try:
        entries, skipped = _parse_safely(text, scan)
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        # A panic inside markdown-it.rs reaches Python as pyo3's PanicException, a BaseException
        # that no `except Exception` stops: make it the documented one-line input error.
        if type(exc).__name__ != "PanicException":
            raise
        raise InputError(f"{source}: the Markdown parser failed on this input ({exc})") from None
    skipped = sorted(skipped + dropped, key=lambda s: s.line) if dropped else skipped
    return ScanResult(source=source, entries=tuple(entries), skipped=tuple(skipped))


def _walk(lines: list[str]) -> tuple[list[Entry], list[Skipped]]:
    """The entries and skipped items of the text's lines, parsed chunk by chunk."""
    refs = _reference_definitions(lines)  # they hold for every chunk (lines: text's, split above)
    scanner = _Scanner(_Source(""))
    for start, end in _chunks(lines):
        chunk = "\n".join(lines[start:end])
        scanner.src = _Source(chunk, line_offset=start, ref_lines=refs)
        tree = _MD.tree(_with_references(chunk, refs))
        scanner.run(tree.children)
        del tree  # freed here, on the parse thread, before the next chunk
    drafts = scanner.confirmed_drafts()  # (adds the dropped provisional ones to skipped)
    return _mark_duplicates(drafts), sorted(scanner.skipped, key=lambda s: s.line)
