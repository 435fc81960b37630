"""scan, check and fix find the same links: all three read them from the one document model.

On every corpus list and seed:
- check's collected links are the document's, and fix's rewrite spans hold exactly those URLs at
  their source offsets (what fix would replace is what check checked);
- every link scan gives an entry is a document link on the entry's lines, and every document link
  on an entry's lines (but badge images, in-page anchors and empty targets, which scan leaves out by
  design) is one of that entry's links.
"""

from collections import Counter
from pathlib import Path

import pytest

from paperenrich.export.markdown import _unescape, destinations_by_line, strip_additions
from paperenrich.linkcheck.collect import iter_links
from paperenrich.scanner import scan_text
from paperenrich.markdown import Document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LISTS = sorted((SHARED / "lists").glob("*__*.md")) + sorted((SHARED / "seeds").glob("*.txt"))
LOCAL = [Path(__file__).parent / "data" / "scan_formats.md"]


@pytest.mark.parametrize("path", LISTS + LOCAL, ids=lambda p: p.name[:40])
def test_scan_check_and_fix_find_the_same_links(path):
    text = strip_additions(path.read_text(encoding="utf-8"))
    doc = Document(text)
    checked = Counter(iter_links(text))
    assert checked == Counter((link.url, link.line) for link in doc.links)

    # fix: the text at each rewrite span is the URL check collected there
    fixed = Counter()
    for line_no, spans in destinations_by_line(doc).items():
        base = doc.line_starts[line_no - 1]
        for start, end in spans:
            fixed[_unescape(text[base + start:base + end])] += 1
    written = Counter(text[link.start:link.end] for link in doc.links if link.end > link.start)
    assert fixed == Counter(_unescape(raw) for raw in written.elements())
    for link in doc.links:
        if link.kind in ("link", "image", "autolink", "bare") and link.end > link.start:
            assert _unescape(text[link.start:link.end]) in (link.url, link.url.removeprefix("mailto:")), link

    for entry in scan_text(text).entries:
        on_lines = [link for link in doc.links_between(entry.line, entry.end_line)]
        assert {link.url for link in entry.links} <= {link.url for link in on_lines}, entry.line
        wanted = {link.url for link in on_lines if link.kind != "image" and link.url.strip()
                  and not link.url.startswith(("#", "file:"))}
        assert wanted <= {link.url for link in entry.links} | _nested_links(entry, text), entry.line


def _nested_links(entry, text, _cache={}):
    """Links of the entries (and notes) inside this entry's lines: they are theirs, not its own."""
    if text not in _cache:  # (keyed by the text itself: an id can be reused by the next list's text)
        _cache.clear()
        _cache[text] = scan_text(text).entries
    inner = set()
    for other in _cache[text]:
        if other is not entry and entry.line <= other.line <= entry.end_line:
            inner |= {link.url for link in other.links}
    return inner


@pytest.mark.parametrize("line, written", [
    ("- [Paper](https://arxiv.org/abs/1706.03762)", "https://arxiv.org/abs/1706.03762"),
    ("- [Paper](https://en.wikipedia.org/wiki/Go_(game)) text", "https://en.wikipedia.org/wiki/Go_(game)"),
    ("- [Paper](https://x.org/a\\_b) and [b](https://x.org/c)", "https://x.org/a\\_b"),
    ('- [Paper](https://x.org/p "a title")', "https://x.org/p"),
    ("- [Paper](<https://x.org/p q>)", "https://x.org/p q"),
    ("- [Paper](https://x.org/?a=1&amp;b=2)", "https://x.org/?a=1&amp;b=2"),
    ("- [Paper]()", ""),
])
def test_a_link_destination_is_located_where_it_is_written(line, written):
    # fix rewrites a link at these offsets: they must span the destination exactly as written
    link = Document(line).links[0]
    assert line[link.start:link.end] == written
