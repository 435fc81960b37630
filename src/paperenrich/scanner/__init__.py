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
import pickle
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterator

from markdown_it_pyrs import Node

from paperenrich.collector import paused_collector
from paperenrich.errors import InputError
from paperenrich.model import Entry, ScanResult, Skipped
from paperenrich.scanner import parallel
from paperenrich.scanner.duplicates import EntryFields, _Duplicates, _entry_fields
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
    parsed: dict[int, _Parsed] = {}  # chunks parsed while looking for a cut (their walk takes them)
    if len(lines) >= parallel.MIN_LINES and parallel.can_fork():
        if (cut := _find_cut(doc, parsed)) is not None:
            return _walk_in_two(doc, cut)
    scanner = _Scanner(_Source(""))
    for i in range(len(doc.chunks)):
        _walk_chunk(scanner, parsed.pop(i, None) or doc.parse(i))
    drafts = scanner.confirmed_drafts()  # (adds the dropped provisional ones to skipped)
    scanner.drafts, scanner.last_draft = [], None  # (each draft is let go once its entry is made)
    return _Duplicates().take(drafts), sorted(scanner.skipped, key=lambda s: s.line)


@dataclass
class _Parsed:
    """A chunk, parsed."""

    src: _Source
    blocks: list[Node]  # the tree's top-level blocks


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
    """Where a long list is cut for two processes: before top-level block `block` of chunk `chunk`,
    a heading of `level`."""

    chunk: int
    block: int
    level: int
    parsed: _Parsed | None  # (None once this process has let it go: parsed again when needed)


def _walk_chunk(scanner: _Scanner, chunk: _Parsed, first: int = 0, stop: int | None = None) -> None:
    """Walk the chunk's top-level blocks [first:stop]."""
    scanner.src = chunk.src
    scanner.run(chunk.blocks[first:stop])


def _find_cut(doc: _Chunked, parsed: dict[int, _Parsed]) -> _Cut | None:
    """A top-level heading near `parallel.PARENT_SHARE` of the lines, in the chunk holding that line
    or one next to it (each chunk parsed here is kept in `parsed` for its walk)."""
    n, chunks = len(doc.lines), doc.chunks
    target = n * parallel.PARENT_SHARE
    low, high = n * parallel.CUT_WINDOW[0], n * parallel.CUT_WINDOW[1]
    near = sorted(range(len(chunks)), key=lambda i: max(chunks[i][0] - target, target - chunks[i][1], 0))
    for i in near[:3]:
        start, end = chunks[i]
        if end <= low or start >= high:
            break
        chunk = parsed[i] = doc.parse(i)
        best: tuple[float, int, int] | None = None
        for k, block in enumerate(chunk.blocks):
            if block.name not in ("heading", "lheading") or not (srcmap := block.srcmap):
                continue
            line = chunk.src.line(srcmap[0])
            if low < line < high and (best is None or abs(line - target) < best[0]):
                best = (abs(line - target), k, int(block.meta.get("level", 1)))
        if best is not None:
            return _Cut(i, best[1], best[2], parsed.pop(i))
    return None


def _walk_in_two(doc: _Chunked, cut: _Cut) -> tuple[list[Entry], list[Skipped]]:
    """This process walks the chunks before the cut, a forked worker the cut heading and after;
    a worker that fails leaves its part to this process (the same code, so the same result)."""

    def second_part() -> Iterator[list[EntryFields] | list[Skipped]]:
        """The part's skipped items, then its entry fields, a batch at a time."""
        cut_chunk = cut.parsed or doc.parse(cut.chunk)
        scanner = _Scanner(cut_chunk.src)
        scanner.headings = parallel.stand_in_headings(cut.level)
        scanner.section = tuple(text for _, text in scanner.headings)
        _walk_chunk(scanner, cut_chunk, first=cut.block)
        del cut_chunk
        for i in range(cut.chunk + 1, len(doc.chunks)):
            _walk_chunk(scanner, doc.parse(i))
        drafts = scanner.confirmed_drafts()
        scanner.drafts, scanner.last_draft = [], None
        yield scanner.skipped
        for i in range(0, len(drafts), _BATCH):
            yield [_entry_fields(d) for d in drafts[i:i + _BATCH]]
            drafts[i:i + _BATCH] = [None] * len(drafts[i:i + _BATCH])  # (let its drafts go)

    try:
        worker: parallel.Worker | None = parallel.Worker(second_part)
        if cut.chunk > 0:
            # The worker has the cut chunk's tree; here it would stay alive (23 MB for 4,000 lines)
            # through every chunk before it: it is parsed again when its turn comes (the parser is
            # deterministic). (The first chunk is walked at once: kept.)
            cut.parsed = None
    except OSError:
        worker = None
    try:
        scanner = _Scanner(_Source(""))
        for i in range(cut.chunk):
            _walk_chunk(scanner, doc.parse(i))
        _walk_chunk(scanner, cut.parsed or doc.parse(cut.chunk), stop=cut.block)
        drafts = scanner.confirmed_drafts()
        scanner.drafts, scanner.last_draft = [], None
        duplicates = _Duplicates()
        entries = duplicates.take(drafts)
        frames = worker.frames() if worker is not None else None
    finally:
        if worker is not None:
            worker.close()
    real = parallel.real_sections(scanner.headings, cut.level)
    items = second_part() if frames is None else map(pickle.loads, frames)  # (one batch unpickled at a time)
    skipped = next(items)
    for batch in items:
        entries += [duplicates.entry(f, real) for f in batch]
    return entries, sorted(scanner.skipped + skipped, key=lambda s: s.line)


_BATCH = 2000  # entries a pickled batch: the worker's fields are not all unpickled here at once
