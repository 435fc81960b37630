"""Which Markdown parser for the document model: fidelity to GitHub, speed, robustness.

Fidelity: the link targets of every corpus list and seed, compared with those of GitHub's own
renderer (cmark-gfm, through `cmarkgfm`'s HTML; hrefs compared after percent-decoding, since
cmark-gfm percent-encodes them), as a count of links one side has and the other has not.
- `document`: paperenrich.markdown.Document (pyromark = pulldown-cmark, + linkify-it-py on text);
- `markdown-it-py`: check's collector before the document model (markdown-it-py + linkify);
- `markdown-it-pyrs`: markdown-it.rs with its linkify (scan's tree parser; backticks off, as scan
  must run it, since an unclosed backtick inside brackets panics it).
Speed: the bare parse of the 50,000-entry bench list (bench_scan.generate), best of --repeat.

    python3 bench/markdown_parsers.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import collections
import html
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import cmarkgfm  # noqa: E402
import markdown_it_pyrs  # noqa: E402
import pyromark  # noqa: E402
from bench_scan import generate  # noqa: E402

from markdown_it import MarkdownIt  # noqa: E402

from paperenrich.markdown import Document  # noqa: E402

_HREF = re.compile(r"<(?:a|img)\b[^>]*?\s(?:href|src)=\"([^\"]*)\"")
_PYRS = markdown_it_pyrs.MarkdownIt("zero").enable_many([
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference", "html_block",
    "autolink", "emphasis", "entity", "escape", "image", "link", "newline", "html_inline", "table",
    "strikethrough", "linkify"])


def github(text: str) -> list[str]:
    out = cmarkgfm.github_flavored_markdown_to_html(text, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE)
    return [html.unescape(u) for u in _HREF.findall(out)]


_MDIT = MarkdownIt("gfm-like")
_MDIT.inline.ruler.disable("linkify")  # (the inline rule is quadratic; the core pass finds the same)
_HTML_ATTR = re.compile(r"""<(?:a|img|source|iframe|link)\b[^>]*?\s(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)


def markdown_it_py_links(text: str) -> list[str]:
    """check's collector before the document model: markdown-it-py tokens, linkify, HTML attributes."""
    urls = []
    for token in _MDIT.parse(text):
        if token.type == "html_block":
            urls += [html.unescape(u) for u in _HTML_ATTR.findall(token.content)]
        for child in token.children or ():
            if child.type == "link_open":
                urls.append(str(child.attrs.get("href", "")))
            elif child.type == "image":
                urls.append(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                urls += [html.unescape(u) for u in _HTML_ATTR.findall(child.content)]
    return urls


def pyrs_links(text: str) -> list[str]:
    urls = []
    for node in _PYRS.tree(text).walk():
        if node.name in ("link", "autolink", "image"):
            urls.append(node.meta.get("url", ""))
    return urls


def _key(url: str) -> str:
    return unquote(url)


def difference(a: list[str], b: list[str]) -> int:
    ca, cb = collections.Counter(map(_key, a)), collections.Counter(map(_key, b))
    return sum((ca - cb).values()) + sum((cb - ca).values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = sorted((ROOT.parent / "shared" / "lists").glob("*__*.md")) + sorted((ROOT.parent / "shared" / "seeds").glob("*.txt"))
    totals = collections.Counter()
    for path in files:
        text = path.read_text(encoding="utf-8")
        ref = github(text)
        totals["github links"] += len(ref)
        totals["document"] += difference([link.url for link in Document(text).links], ref)
        totals["markdown-it-py"] += difference(markdown_it_py_links(text), ref)
        totals["markdown-it-pyrs"] += difference(pyrs_links(text), ref)
    print(f"fidelity on {len(files)} lists: {totals['github links']:,} links as GitHub renders them; links differing:")
    for name in ("document", "markdown-it-py", "markdown-it-pyrs"):
        print(f"  {name:18} {totals[name]:>5}")
    text = generate(50_000)
    options = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH

    def best(fn) -> float:
        t = float("inf")
        for _ in range(args.repeat):
            s = time.perf_counter()
            fn()
            t = min(t, time.perf_counter() - s)
        return t

    print(f"bare parse of the 50,000-entry bench list ({len(text.encode()) / 1e6:.1f} MB), best of {args.repeat} "
          "(a loaded machine reads slower):")
    print(f"  pyromark events_with_range  {best(lambda: sum(1 for _ in pyromark.events_with_range(text, options=options))):6.2f} s")
    print(f"  markdown-it-pyrs tree       {best(lambda: _PYRS.tree(text)):6.2f} s")
    print(f"  cmarkgfm to HTML            {best(lambda: cmarkgfm.github_flavored_markdown_to_html(text)):6.2f} s")
    print(f"  document model (all links)  {best(lambda: Document(text).links):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
