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

import gc
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Iterator, Sequence

from markdown_it_pyrs import Node

from paperenrich.collector import paused_collector
from paperenrich.errors import InputError
from paperenrich.model import Entry, ScanResult, Skipped
from paperenrich.scanner import parallel
from paperenrich.scanner.duplicates import _Duplicates, _from_wire, _wire_fields
from paperenrich.scanner.parse import (
    _MD,
    MAX_ENTRY_CHARS,
    MAX_LINE_NESTING,
    _chunks,
    _drop_deep_lines,
    _escape_long_lines,
    _parse_safely,
)
from paperenrich.scanner.pieces import _Source
from paperenrich.scanner.refs import _reference_definitions, _with_references
from paperenrich.scanner.walk import _Draft, _Scanner

_DEEP_LINE = re.compile(rf"[ \t>*+\-.)0-9]{{{MAX_LINE_NESTING},}}")


def scan_text(text: str, source: str = "<text>") -> ScanResult:
    """The paper entries of a Markdown list (and the items skipped, with the reason)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    if not text.isascii():  # (a lone surrogate is not ASCII: ASCII text round-trips unchanged)
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
        # (The walk's own objects are freed when _walk returns, before the collector resumes.)
        with paused_collector():
            found = _walk(text, lines)
            # The entries are the result: long-lived. Left young, the first allocation after the
            # resumption runs a young collection over every one of them (0.11-0.13 s at 50,000
            # entries) that can free nothing; freeze + unfreeze moves them (and whatever else was
            # young) straight into the oldest generation instead, which costs nothing. Not when the
            # caller has frozen objects of its own: unfreeze would release those too.
            promote = gc.get_freeze_count() == 0
            if promote:
                gc.freeze()
        if promote:
            gc.unfreeze()
        return found

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


def _walk(text: str, lines: list[str]) -> tuple[list[Entry], list[Skipped]]:
    """The entries and skipped items of the text (`lines`: its lines), parsed chunk by chunk (a long
    list by two processes, see `parallel`)."""
    doc = _Chunked(text, lines)
    if len(lines) >= parallel.MIN_LINES and parallel.can_fork() and (cut := _find_cut(doc)) is not None:
        return _walk_in_two(doc, cut)
    scanner = _Scanner(_Source(""))
    for i in range(len(doc.chunks)):
        _walk_chunk(scanner, doc.parse(i))
    drafts = scanner.confirmed_drafts()  # (adds the dropped provisional ones to skipped)
    scanner.drafts, scanner.last_draft = [], None  # (each draft is let go once its entry is made)
    return _Duplicates().take(drafts), sorted(scanner.skipped, key=lambda s: s.line)


@dataclass
class _Parsed:
    """A chunk, parsed."""

    src: _Source
    blocks: Sequence[Node]  # the tree's top-level blocks


class _Chunked:
    """The text and its chunks (line ranges), with the reference definitions every chunk sees."""

    def __init__(self, text: str, lines: list[str]) -> None:
        self.text, self.lines = text, lines
        self.refs = _reference_definitions(lines)  # they hold for every chunk
        self.chunks = list(_chunks(lines))
        # Where each line starts in the text: a chunk's text is a slice of it. ("\n".join of the
        # chunk's lines is the same string, but touches every line's reference count, and after a
        # fork each page of lines so touched is copied.)
        self.starts = [0, *accumulate(len(line) + 1 for line in lines)] if len(self.chunks) > 1 else []

    def parse(self, i: int) -> _Parsed:
        start, end = self.chunks[i]
        chunk = self.text[self.starts[start]:self.starts[end] - 1] if self.starts else self.text
        return _Parsed(_Source(chunk, line_offset=start, ref_lines=self.refs),
                       _MD.tree(_with_references(chunk, self.refs)).children)


@dataclass
class _Cut:
    """Where a long list may be cut for two processes: at line `line` (0-based) of chunk `chunk`, if
    that chunk's parse has a top-level heading starting there."""

    chunk: int
    line: int


def _walk_chunk(scanner: _Scanner, chunk: _Parsed, first: int = 0, stop: int | None = None) -> None:
    """Walk the chunk's top-level blocks [first:stop]."""
    scanner.src = chunk.src
    scanner.run(chunk.blocks[first:stop])


_ATX_HEADING = re.compile(r"#{1,6}(?:[ \t]|$)")


def _find_cut(doc: _Chunked) -> _Cut | None:
    """The line nearest `parallel.PARENT_SHARE` of the lines that opens like a heading (`#` to `######`
    and a space), within `parallel.CUT_WINDOW`. Only a line: the parse says whether it is a heading
    (not in a fence, say), so each process, from its own parse of the chunk, decides the same."""
    lines, n = doc.lines, len(doc.lines)
    target = int(n * parallel.PARENT_SHARE)
    low, high = int(n * parallel.CUT_WINDOW[0]), min(n, int(n * parallel.CUT_WINDOW[1]) + 1)
    for step in range(max(target - low, high - target) + 1):
        for i in (target - step, target + step) if step else (target,):
            if low <= i < high and lines[i][:1] == "#" and _ATX_HEADING.match(lines[i]):
                chunk = next(k for k, (start, end) in enumerate(doc.chunks) if start <= i < end)
                return _Cut(chunk, i)
    return None


def _heading_at(chunk: _Parsed, line: int) -> tuple[int, int] | None:
    """(index, level) of the chunk's top-level heading that starts on `line` (0-based), if there is one."""
    for k, block in enumerate(chunk.blocks):
        if (srcmap := block.srcmap) and chunk.src.line(srcmap[0]) - 1 == line:
            if block.name in ("heading", "lheading"):
                return k, int(block.meta.get("level", 1))
            return None
    return None


def _walk_in_two(doc: _Chunked, cut: _Cut) -> tuple[list[Entry], list[Skipped]]:
    """This process walks the chunks before the cut, a forked worker the cut heading and after;
    a worker that fails leaves its part to this process (the same code, so the same result)."""

    def second_part(chunk: _Parsed) -> Iterator[Any]:
        """None if the cut line is no heading; else the part's skipped items, then its entry fields
        (`_wire_fields`), a batch at a time."""
        found = _heading_at(chunk, cut.line)
        if found is None:
            yield None
            return
        scanner = _Scanner(chunk.src)
        scanner.headings = parallel.stand_in_headings(found[1])
        scanner.section = tuple(text for _, text in scanner.headings)
        _walk_chunk(scanner, chunk, first=found[0])
        del chunk
        for i in range(cut.chunk + 1, len(doc.chunks)):
            _walk_chunk(scanner, doc.parse(i))
        drafts: list[_Draft | None] = list(scanner.confirmed_drafts())
        scanner.drafts, scanner.last_draft = [], None
        yield scanner.skipped
        for i in range(0, len(drafts), _BATCH):
            yield [_wire_fields(d) for d in drafts[i:i + _BATCH] if d is not None]
            drafts[i:i + _BATCH] = [None] * len(drafts[i:i + _BATCH])  # (let its drafts go)

    try:
        # (the worker parses the cut chunk itself: no parse here before it starts)
        worker: parallel.Worker | None = parallel.Worker(lambda: second_part(doc.parse(cut.chunk)))
    except OSError:
        worker = None
    try:
        scanner = _Scanner(_Source(""))
        for i in range(cut.chunk):
            _walk_chunk(scanner, doc.parse(i))
        chunk = doc.parse(cut.chunk)  # (the parser is deterministic: the worker's parse, block for block)
        found = _heading_at(chunk, cut.line)
        if found is None:  # no heading there after all: the rest is walked here
            for i in range(cut.chunk, len(doc.chunks)):
                _walk_chunk(scanner, chunk if i == cut.chunk else doc.parse(i))
            del chunk
            drafts = scanner.confirmed_drafts()
            scanner.drafts, scanner.last_draft = [], None
            return _Duplicates().take(drafts), sorted(scanner.skipped, key=lambda s: s.line)
        _walk_chunk(scanner, chunk, stop=found[0])
        del chunk  # (a failed worker's part parses it again)
        drafts = scanner.confirmed_drafts()
        scanner.drafts, scanner.last_draft = [], None
        duplicates = _Duplicates()
        entries = duplicates.take(drafts)
        real = parallel.real_sections(scanner.headings, found[1])
        skipped = None
        if worker is not None:
            kept, first_by_key = len(entries), dict(duplicates.first_by_key)
            try:
                items = worker.stream()
                if (skipped := next(items, None)) is None:
                    raise parallel.WorkerFailed
                for batch in items:
                    entries += [duplicates.entry(_from_wire(w), real) for w in batch]
            except parallel.WorkerFailed:  # what came from it is dropped; its part is walked here
                del entries[kept:]
                duplicates.first_by_key, skipped = first_by_key, None
    finally:
        if worker is not None:
            worker.close()
    if skipped is None:
        items = second_part(doc.parse(cut.chunk))
        skipped = next(items)
        for batch in items:
            entries += [duplicates.entry(_from_wire(w), real) for w in batch]
    return entries, sorted(scanner.skipped + skipped, key=lambda s: s.line)


_BATCH = 2000  # entries a pickled batch: the worker's fields are not all unpickled here at once
