"""Rewrite a Markdown list with a minimal diff: canonical links, and optional marked additions.

Only the lines of paper entries are touched, and on those lines only link destinations and the
marked addition block change; every other byte of the file (line endings, spacing, tables,
headings, prose) is kept as it was. Running the rewrite on its own output changes nothing.

Additions (authors, citation count, DOI link, Semantic Scholar badge) are written between two
HTML comments, which Markdown renderers hide, so a later run finds and replaces them:

    - PagedAttention (SOSP'23) [paper](...) <!-- paperenrich -->Woosuk Kwon, ... <!-- /paperenrich -->

In a table row the addition goes into the title cell, and cell padding is adjusted so that
the column pipes stay where they were whenever the cell has room.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence
from urllib.parse import quote

from paperenrich.escape import doi_url, markdown_text, one_line, output_doi
from paperenrich.markdown import Document
from paperenrich.model import Entry, LinkResult, Paper, Resolution

MARK_OPEN = "<!-- paperenrich -->"
MARK_CLOSE = "<!-- /paperenrich -->"
# The block, with the one space the rewrite puts before it.
# A stray opening marker before the block is not part of it (no opener inside the block).
_ADDITION_RE = re.compile(
    r" ?" + re.escape(MARK_OPEN) + r"(?:(?!" + re.escape(MARK_OPEN) + r").)*?" + re.escape(MARK_CLOSE)
)

ADDITIONS = ("authors", "citations", "doi", "badge")  # what `--add` accepts, in output order


@dataclass(frozen=True)
class Change:
    """One edit the rewrite makes, for the console summary."""

    line: int
    kind: str  # "link" | "addition"
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class RewriteResult:
    text: str
    changes: tuple[Change, ...]

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def strip_additions(text: str) -> str:
    """The text without our marked blocks (same lines, so entry line numbers still hold).

    Repeated until nothing changes: removing an inner block can join an outer pair of markers,
    and a rerun must not find a block the first run left behind.
    """
    while True:
        stripped = _ADDITION_RE.sub("", text)
        if stripped == text:
            return text
        text = stripped


# --- finding link destinations ------------------------------------------------------------------
# The link destinations come from the document model (paperenrich.markdown), the same links `check`
# collects and `scan` gives its entries; `fix` rewrites them at their exact source offsets.

_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _unescape(dest: str) -> str:
    """A link destination as CommonMark reads it (backslash escapes removed)."""
    return _BACKSLASH_ESCAPE.sub(r"\1", dest)


def destinations_by_line(doc: Document) -> dict[int, list[tuple[int, int]]]:
    """{1-based line: [(start, end) of each link destination written on it, relative to the line]}."""
    by_line: dict[int, list[tuple[int, int]]] = {}
    for link in doc.links:
        if link.end <= link.start:
            continue
        line = doc.line_of(link.start)
        base = doc.line_starts[line - 1]
        by_line.setdefault(line, []).append((link.start - base, link.end - base))
    for spans in by_line.values():
        spans.sort()
    return by_line


def link_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of every link destination in one line read as a document of its own."""
    return destinations_by_line(Document(line)).get(1, [])


def _normalize_link(url: str) -> str:
    from markdown_it.common.normalize_url import normalizeLink

    return normalizeLink(url)


def canonical_link(url: str) -> str:
    """The canonical form of a link: no tracking parameters, arXiv abstract page, https where served."""
    from paperenrich.urls import arxiv_abs_url, clean_url, upgrade_https

    cleaned = clean_url(url)
    return upgrade_https(arxiv_abs_url(cleaned) or cleaned)


class LinkPolicy:
    """Decides the replacement of one URL: canonical form, a checked suggestion, or a working
    canonical link of the same paper in place of a broken one."""

    def __init__(self, link_results: Iterable[LinkResult] = (), canonical: Callable[[str], str] | None = None):
        self.results = {r.url: r for r in link_results}
        self.canonical = canonical or canonical_link

    def _result(self, url: str) -> LinkResult | None:
        # The checker keys results by the href a Markdown parser gives (percent-encoded).
        return self.results.get(url) or self.results.get(_normalize_link(url))

    def replacement(self, url: str, paper: Paper | None, entry_urls: set[str]) -> tuple[str, str] | None:
        """(new URL, reason), or None to keep the URL."""
        result = self._result(url)
        if result is not None and result.suggestion and result.suggestion != url:
            if result.status.is_broken:
                return result.suggestion, "broken; checker suggests a working link"
            return result.suggestion, f"{result.status}; checker suggests {result.detail or 'a better link'}"
        if result is not None and result.status.is_broken and paper is not None:
            for candidate in (paper.canonical_url, f"https://arxiv.org/abs/{paper.arxiv}" if paper.arxiv else None):
                checked = self._result(candidate) if candidate else None
                if candidate and candidate not in entry_urls and checked is not None and checked.status.is_working:
                    return candidate, "broken; replaced by the paper's working canonical link"
        try:
            cleaned = self.canonical(url)
        except ValueError:
            return None
        if cleaned and cleaned != url:
            return cleaned, "canonical form"
        return None


# --- additions ------------------------------------------------------------------------------------


def _format_authors(authors: Sequence[str], limit: int = 3) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return ", ".join(authors[:limit]) + " et al."


_S2_PAPER_ID = re.compile(r"^[0-9a-f]{40}$")


def addition_text(paper: Paper | None, wanted: Sequence[str]) -> str:
    """The text between the markers for one paper (empty when there is nothing to add).

    Everything in it came from a service: names are written as inert one-line Markdown text
    (escape.markdown_text), a DOI only when it matches the DOI grammar, a badge only for a real
    S2 paper id, a count only when it is a number."""
    if paper is None:
        return ""
    parts: list[str] = []
    authors = [markdown_text(a) for a in paper.authors if isinstance(a, str) and one_line(a)]
    cites = paper.citation_count
    doi = output_doi(paper.doi) if isinstance(paper.doi, str) else None
    for name in wanted:
        if name == "authors" and authors:
            parts.append(_format_authors(authors))
        elif name == "citations" and isinstance(cites, int) and not isinstance(cites, bool):
            parts.append(f"cited by {cites}")
        elif name == "doi" and doi:
            parts.append(f"[DOI]({doi_url(doi)})")
        elif name == "badge" and isinstance(paper.s2_id, str) and _S2_PAPER_ID.match(paper.s2_id):
            api = quote(f"https://api.semanticscholar.org/graph/v1/paper/{paper.s2_id}?fields=citationCount", safe="")
            badge = f"https://img.shields.io/badge/dynamic/json?label=citations&query=%24.citationCount&url={api}"
            parts.append(f"[![citations]({badge})](https://www.semanticscholar.org/paper/{paper.s2_id})")
    return " · ".join(parts)


def _with_addition(text: str, addition: str) -> str:
    """Put the marked block at the end of the text, before trailing whitespace (a hard break)."""
    if not addition:
        return text
    core = text.rstrip(" \t")
    return core + f" {MARK_OPEN}{addition}{MARK_CLOSE}" + text[len(core):]


# --- rewriting one line ----------------------------------------------------------------------


def _rewrite_links(segment: str, spans: Sequence[tuple[int, int]], decide: Callable[[str], tuple[str, str] | None],
                   changes: list[Change], line_no: int) -> str:
    out, pos = [], 0
    for start, end in spans:
        raw = segment[start:end]
        decision = decide(_unescape(raw))
        if decision is None:
            continue
        new, reason = decision
        out.append(segment[pos:start])
        out.append(new.replace(" ", "%20").replace("(", "%28").replace(")", "%29"))
        pos = end
        changes.append(Change(line_no, "link", _unescape(raw), new, reason))
    out.append(segment[pos:])
    return "".join(out)


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _column_widths(lines: Sequence[str], line_no: int) -> list[int] | None:
    """Cell widths of the delimiter row ("| --- | :-: |") of the table holding line `line_no`."""
    i = line_no - 1
    while i >= 0 and "|" in lines[i]:
        if _DELIMITER_ROW.match(lines[i]):
            return [len(cell) for cell in _CELL_SPLIT.split(lines[i])]
        i -= 1
    return None


def _repad(original: str, new: str, width: int | None) -> str:
    """Pad an edited cell to its column's width (the delimiter row's, else its own), at least one space.

    The width depends only on the column, so the same content always gets the same padding: a
    second run is a no-op, and removing an addition restores the column's alignment.
    """
    if new == original:
        return new
    core = new.rstrip(" ")
    min_pad = 1 if original.endswith(" ") else 0
    target = width if width is not None else len(original)
    return core + " " * max(min_pad, target - len(core))


def _title_cell(cells: list[str], entry: Entry) -> int:
    """Index of the cell holding the entry's title (the addition goes there)."""
    probe = entry.title[:24].lower()
    for i, cell in enumerate(cells):
        if probe and probe in cell.lower():
            return i
    inner = [i for i, cell in enumerate(cells) if cell.strip()]
    return max(inner, key=lambda i: len(cells[i].strip())) if inner else 0


def _rewrite_line(
    line: str, entry: Entry, first: bool, decide, addition: str, changes: list[Change], line_no: int,
    widths: list[int] | None = None, spans: Sequence[tuple[int, int]] = (),
) -> str:
    """One line rewritten; `spans` are its link destinations in the line without our additions."""
    if entry.kind == "table":
        cells = _CELL_SPLIT.split(line)
        if widths is not None and len(widths) != len(cells):
            widths = None
        target = _title_cell(cells, entry) if first else -1
        offset = 0  # where the cell starts in the line without additions
        for i, cell in enumerate(cells):
            bare = strip_additions(cell)
            mine = [(s - offset, e - offset) for s, e in spans if offset <= s and e <= offset + len(bare)]
            offset += len(bare) + 1
            new = _rewrite_links(bare, mine, decide, changes, line_no)
            if i == target:
                new = _with_addition(new, addition.replace("|", "\\|"))
            cells[i] = _repad(cell, new, widths[i] if widths else None)
        return "|".join(cells)
    new = _rewrite_links(strip_additions(line), spans, decide, changes, line_no)
    if first and entry.kind != "heading":
        new = _with_addition(new, addition)
    return new


# --- the whole file ------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")  # the line breaks Markdown parsers count


def rewrite_markdown(
    text: str,
    resolutions: Sequence[Resolution],
    link_results: Iterable[LinkResult] = (),
    *,
    additions: Sequence[str] = (),
    canonical: Callable[[str], str] | None = None,
) -> RewriteResult:
    """The list with canonical links and marked additions on entry lines; all else byte-identical."""
    unknown = [a for a in additions if a not in ADDITIONS]
    if unknown:
        raise ValueError(f"unknown addition(s) {', '.join(unknown)}; choose from {', '.join(ADDITIONS)}")
    spans_of = destinations_by_line(Document(strip_additions(text)))  # (our blocks never span lines)
    parts = _LINE_BREAK.split(text)  # [line, break, line, break, ..., last line]
    lines, breaks = parts[0::2], parts[1::2]
    policy = LinkPolicy(link_results, canonical)
    changes: list[Change] = []
    done: set[int] = set()
    for res in sorted(resolutions, key=lambda r: r.entry.line):
        entry = res.entry
        entry_urls = {link.url for link in entry.links}

        def decide(url: str, paper=res.paper, urls=entry_urls):
            return policy.replacement(url, paper, urls)

        wanted = addition_text(res.paper, additions)
        for line_no in range(entry.line, min(entry.end_line, len(lines)) + 1):
            if line_no in done:  # an entry nested in another entry's range
                continue
            done.add(line_no)
            before = lines[line_no - 1]
            widths = _column_widths(lines, line_no) if entry.kind == "table" else None
            after = _rewrite_line(before, entry, line_no == entry.line, decide, wanted, changes, line_no, widths,
                                  spans_of.get(line_no, ()))
            old_blocks, new_blocks = _ADDITION_RE.findall(before), _ADDITION_RE.findall(after)
            if old_blocks != new_blocks:
                changes.append(Change(line_no, "addition", " ".join(old_blocks).strip(), wanted, "template"))
            lines[line_no - 1] = after
    out = [x for pair in zip(lines, breaks + [""]) for x in pair]
    new_text = "".join(out)
    if new_text == text:
        changes = []
    return RewriteResult(new_text, tuple(changes))


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff of the rewrite (empty when nothing changes)."""
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{name}", tofile=f"b/{name}"
        )
    )
