"""Markdown text -> syntax tree, safely: chunks cut at top-level blocks, a stack sized from the
deepest block, over-deep lines left out and over-long lines defused before markdown-it.rs sees them.
"""

from __future__ import annotations

import re
import threading
from typing import Callable, Iterator, TypeVar

from markdown_it_pyrs import MarkdownIt

from paperenrich.errors import InputError
from paperenrich.model import Skipped

# CommonMark's rules and GFM tables and strikethrough, except inline code spans: markdown-it.rs 0.6
# panics on an unclosed backtick inside brackets ("[x `"), so backticks stay literal text (which
# is also how an entry's text showed them: "(`PAI`)").
_MD = MarkdownIt("zero").enable_many([
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference", "html_block",
    "autolink", "emphasis", "entity", "escape", "image", "link", "newline", "html_inline", "table", "strikethrough",
])
MAX_ENTRY_CHARS = 20_000


# Parsing safely -----------------------------------------------------------------------------------

# markdown-it.rs uses about 100 bytes of stack per level of block nesting and at most ~30 per
# character of inline nesting (measured: `> - ` x 20,000 or `*` x 160,000 overflow 8 MB and crash
# the process). Lines nested deeper than this are not list content and are left out; inline
# nesting is bounded by the longest run of non-blank lines, and the stack is sized from it.
MAX_LINE_NESTING = 256  # characters of container prefix (`>`, list markers, indentation)
_STACK_PER_CHAR = 64
_STACK_CAP = 2 << 30
_CONTAINER_PREFIX = re.compile(r"(?:[ \t>]|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))*")
_T = TypeVar("_T")


def _drop_deep_lines(lines: list[str]) -> list[Skipped]:
    """Blank the lines whose container prefix is absurdly deep (in place); they are reported."""
    dropped: list[Skipped] = []
    for i, line in enumerate(lines):
        if len(line) > MAX_LINE_NESTING and (prefix := _CONTAINER_PREFIX.match(line)) and prefix.end() > MAX_LINE_NESTING:
            dropped.append(Skipped(i + 1, i + 1, line[:200].strip(), "nested too deeply to parse"))
            lines[i] = ""
    return dropped


_EMPHASIS_MARK = re.compile(r"([*_~])")


def _escape_long_lines(lines: list[str]) -> None:
    """Emphasis marks of lines too long for any entry become literal (in place).

    markdown-it.rs takes quadratic time over many unclosed emphasis openers (`*a *a *a ...`:
    13 s for 40,000); such a line is skipped as too long anyway, and escaping keeps its lines.
    """
    for i, line in enumerate(lines):
        if len(line) > MAX_ENTRY_CHARS:
            lines[i] = _EMPHASIS_MARK.sub(r"\\\1", line)


# Large inputs are parsed in chunks split at safe top-level block boundaries, so memory stays
# bounded by the chunk (the tree of a whole 8 MB list would take ~500 MB), not the file. (A tree of
# 4,000 lines of the bench's list took ~24 MB in each process; at 2,000 the scan's peak Pss was
# 15-25 MB lower for the same instructions, +0.2%.)
CHUNK_LINES = 2000
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_LONG_OPEN = re.compile(r"^ {0,3}<(?:pre|script|style|textarea|!--)", re.I)
_HTML_LONG_CLOSE = re.compile(r"</(?:pre|script|style|textarea)>|-->", re.I)
_FENCE_OR_HTML_START = frozenset(" `~<")  # what a line that _FENCE or _HTML_LONG_OPEN matches starts with
_LIST_START = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def _closes_fence(line: str, fence: str) -> bool:
    """Whether the line closes a fenced block opened by `fence` (CommonMark: at most 3 spaces, the
    same character at least as many times, then only spaces or tabs; "```python" closes nothing)."""
    body = line.lstrip(" ")
    if len(line) - len(body) > 3:
        return False
    run = len(body) - len(body.lstrip(fence[0]))
    return run >= len(fence) and not body[run:].strip(" \t")


def _opened_fence(line: str) -> tuple[str, bool] | None:
    """(the fence, whether it is indented) if the line opens a fenced block."""
    if line[:1] not in _FENCE_OR_HTML_START or not (m := _FENCE.match(line)):
        return None
    if m.group(1)[0] == "`" and "`" in line[m.end():]:  # (a backtick in the info string: no fence)
        return None
    return m.group(1), line[0] == " "


def _chunks(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(start, end) line ranges; each boundary is a line at column 0 that starts a new top-level block
    (after a blank line, or a new top-level list item), never inside a fence or a long HTML block.

    A fence indented 1-3 spaces may be a list item's, which a non-blank line at column 0 ends, or a
    top-level one, which goes on to its closing fence: both readings are followed, and a chunk is
    cut only where no reading is inside a fence."""
    n = len(lines)
    start = 0
    readings: set[tuple[str, bool] | None] = {None}  # the fence open here under each reading (None: none)
    in_html = False
    for i, line in enumerate(lines):
        if readings != {None}:
            after: set[tuple[str, bool] | None] = set()
            for fence in readings:
                if fence is None:
                    after.add(_opened_fence(line))
                elif _closes_fence(line, fence[0]):
                    after.add(None)
                else:
                    after.add(fence)
                    if fence[1] and line[:1] not in " \t" and line.strip():  # (it ends the item, if it was an item's)
                        after.add(_opened_fence(line))
            readings = after
            continue
        if in_html:
            if _HTML_LONG_CLOSE.search(line):
                in_html = False
            continue
        if i - start >= CHUNK_LINES and line and not line[0].isspace() and line[0] != "|":
            prev = lines[i - 1]
            if not prev.strip() or (_LIST_START.match(line) and _LIST_START.match(prev) and not prev.rstrip().endswith("|")):
                yield start, i
                start = i
        if line[:1] not in _FENCE_OR_HTML_START:
            continue  # (neither pattern below can match: most lines are skipped on their first character)
        if (opened := _opened_fence(line)) is not None:
            readings = {opened}
        elif _HTML_LONG_OPEN.match(line) and not _HTML_LONG_CLOSE.search(line):
            in_html = True
    if start < n:
        yield start, n


def _longest_block(text: str) -> int:
    """max(map(len, text.split("\n\n"))), without copying the text into its parts."""
    longest = pos = 0
    while (cut := text.find("\n\n", pos)) >= 0:
        longest = max(longest, cut - pos)
        pos = cut + 2
    return max(longest, len(text) - pos)


def _parse_safely(text: str, work: Callable[[], _T]) -> _T:
    """Run `work` (which parses `text` and drops the tree) with a stack big enough for the text."""
    longest = _longest_block(text)  # inline nesting never crosses a blank line
    need = _STACK_PER_CHAR * longest + (1 << 20)
    if need <= 4 << 20:
        return work()  # the calling thread's stack (8 MB on Linux for the main thread) is plenty
    if need > _STACK_CAP:
        raise InputError(f"a block of {longest:,} characters without a blank line: too large to parse safely")
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    old = threading.stack_size(need + (8 << 20))
    try:
        thread = threading.Thread(target=target, name="paperenrich-parse")
        thread.start()
    finally:
        threading.stack_size(old)
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]
