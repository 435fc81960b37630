"""The HTML report: self-contained, every section present, renders in headless Chromium without
console errors, and its table sorts and filters (driven through the page's #q=/status=/sort= address)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from paperenrich.export.report import SECTIONS, ReportData, citations_svg, render_report, title_of
from paperenrich.export.lint import lint
from paperenrich.model import Entry, Link, LinkResult, Match, Paper, Place, Resolution

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/test installs Debian's package)")
# Set to a directory to keep the screenshots the rendering tests take (they go to a temp dir otherwise).
SHOT_DIR = os.environ.get("PAPERENRICH_SCREENSHOT_DIR")


def entry(line: int, title: str, section: str = "Serving", **kw) -> Entry:
    return Entry(line=line, end_line=line, section=(section,), title=title, **kw)


PAGED = Paper(
    title="Efficient Memory Management for Large Language Model Serving with PagedAttention",
    authors=("Woosuk Kwon", "Zhuohan Li", "Siyuan Zhuang", "Ying Sheng"), year=2023, venue="SOSP", venue_short="SOSP",
    doi="10.1145/3600006.3613165", arxiv="2309.06180", citation_count=1500,
    canonical_url="https://arxiv.org/abs/2309.06180", match=Match("id", "arxiv+s2", 1.0),
)
SINKS = Paper(title="Efficient Streaming Language Models with Attention Sinks", authors=("Guangxuan Xiao",), year=2024,
              venue="ICLR", venue_short="ICLR", arxiv="2309.17453", citation_count=300, match=Match("title", "s2", 0.95))
RESOLUTIONS = [
    Resolution(entry(3, "vLLM", links=(Link("https://arxiv.org/abs/2309.06180"),)), PAGED),
    Resolution(entry(4, "Sinks", venue="arXiv", year=2023, links=(Link("https://gone.example.org/sinks.pdf"),)), SINKS),
    Resolution(entry(9, "<script>alert(1)</script> & Plumber", section="Data"), None, reason="not found"),
]
LINKS = [
    LinkResult("https://arxiv.org/abs/2309.06180", "ok", 200, places=(Place("l.md", 3),)),
    LinkResult("https://gone.example.org/sinks.pdf", "broken", 404, places=(Place("l.md", 4),)),
    LinkResult("https://gone.example.org/other", "timeout", None, places=(Place("l.md", 12),)),
]


def build(tmp_path: Path, resolutions=RESOLUTIONS, links=LINKS, name="report.html") -> Path:
    html = render_report(ReportData("Test <list>", "l.md", resolutions, links, lint(resolutions, links)))
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


class _Assets(HTMLParser):
    """Everything the page would load: script src, stylesheet links, img/iframe/object sources."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if a.get("src"):
                self.loads.append(a["src"])
        if tag == "link" and a.get("href") and not a["href"].startswith("data:"):
            self.loads.append(a["href"])
        if tag in ("img", "iframe", "object", "embed", "source", "video", "audio") and (a.get("src") or a.get("data")):
            self.loads.append(a.get("src") or a.get("data"))


def test_self_contained_and_escaped(tmp_path):
    html = build(tmp_path).read_text(encoding="utf-8")
    assets = _Assets()
    assets.feed(html)
    assert assets.loads == [] and assets.scripts == 1
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Plumber" in html
    for section in SECTIONS:
        assert f'<section id="{section}">' in html


def test_summary_figures_and_sections_content(tmp_path):
    html = build(tmp_path).read_text(encoding="utf-8")
    summary = re.search(r'<section id="summary">(.*?)</section>', html).group(1)
    figures = dict((label, value) for value, label in re.findall(r'class="value">([^<]*)</span><span class="label">([^<]*)<', summary))
    assert figures == {"entries": "3", "resolved": "2", "distinct papers": "2", "citations (sum)": "1,800",
                       "links checked": "3", "broken links": "1", "findings": "3"}  # published, broken, unresolved
    links = re.search(r'<section id="links">(.*?)</section>', html).group(1)
    # gone.example.org: 0 ok, 0 redirected, 1 broken, 1 other
    assert re.search(r"<td>gone\.example\.org</td><td class=num>0</td><td class=num>0</td><td class=num>1</td><td class=num>1</td>", links)
    coverage = re.search(r'<section id="coverage">(.*?)</section>', html).group(1)
    assert "2 of 3 entries resolved (67%)" in coverage


def test_citation_chart_orders_bars_by_count():
    svg = citations_svg(RESOLUTIONS)
    assert svg.startswith("<svg") and svg.count("<rect") == 2
    assert svg.index("1,500") < svg.index("300")
    assert citations_svg([]) == '<p class="muted">No citation counts known.</p>'


def test_title_of_list():
    assert title_of("intro\n# Awesome [LLM](x) ![b](y)\n# second", "f.md") == "Awesome LLM"
    assert title_of("no heading", "f.md") == "f.md"


def run_chromium(page: Path, user_dir: Path, fragment: str = "", screenshot: Path | None = None) -> tuple[str, list[str]]:
    """Load the page headless; return its DOM after scripts ran and the console messages it logged."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
            f"--user-data-dir={user_dir}", "--enable-logging=stderr", "--v=0"]
    if screenshot is not None:
        args += [f"--screenshot={screenshot}", "--window-size=1280,2200"]
    else:
        args += ["--dump-dom"]
    proc = subprocess.run(args + [page.as_uri() + fragment], capture_output=True, text=True, timeout=90)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


def visible_rows(dom: str) -> list[str]:
    body = re.search(r'<table id="entries-table">.*?<tbody>(.*?)</tbody>', dom, re.S).group(1)
    return [row for row in re.findall(r"<tr([^>]*)>", body) if "hidden" not in row]


@needs_chromium
def test_renders_in_chromium_sorts_and_filters(tmp_path):
    page = build(tmp_path)
    dom, console = run_chromium(page, tmp_path / "profile")
    assert console == []
    assert 'data-ready="1"' in dom  # the script ran to its end
    for section in SECTIONS:
        assert f'id="{section}"' in dom
    assert "showing 3 of 3" in dom
    dom, console = run_chromium(page, tmp_path / "profile", "#q=streaming")
    assert console == [] and "showing 1 of 3" in dom
    dom, _ = run_chromium(page, tmp_path / "profile", "#status=unresolved")
    assert "showing 1 of 3" in dom and visible_rows(dom) == [' data-resolved="no" data-links="unchecked" data-findings="1"']
    dom, _ = run_chromium(page, tmp_path / "profile", "#status=broken")
    assert "showing 1 of 3" in dom
    # Sorted by citations, most first: the PagedAttention row (line 3) comes first, the unresolved one last.
    dom, _ = run_chromium(page, tmp_path / "profile", "#sort=6&desc=1")
    lines = re.findall(r'<td class="num" data-v="(\d+)">\d+</td><td data-v="', dom)
    assert lines == ["3", "4", "9"]
    dom, _ = run_chromium(page, tmp_path / "profile", "#sort=6")
    assert re.findall(r'<td class="num" data-v="(\d+)">\d+</td><td data-v="', dom) == ["9", "4", "3"]


@needs_chromium
def test_console_errors_would_be_seen(tmp_path):
    # Guards the test above: a page with a script error does show up in what run_chromium returns.
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom'); missingFunction();</script></body></html>")
    _dom, console = run_chromium(bad, tmp_path / "profile")
    assert any("boom" in line for line in console) and any("missingFunction" in line for line in console)


@needs_chromium
def test_screenshot(tmp_path):
    page = build(tmp_path)
    shot = Path(SHOT_DIR) / "report-handbuilt.png" if SHOT_DIR else tmp_path / "report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    _dom, console = run_chromium(page, tmp_path / "profile", screenshot=shot)
    assert console == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def seed_states(scholar_world_session, tmp_path_factory):
    """The seed lists resolved against the emulators (links not checked: there is no internet)."""
    from paperenrich.config import Settings
    from paperenrich.export.pipeline import gather
    from tests.conftest import TEST_S2_KEY

    world = scholar_world_session
    settings = Settings(arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key=TEST_S2_KEY,
                        arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled,
                        cache_dir=tmp_path_factory.mktemp("cache"), http_timeout=5.0)
    return {p.name: gather(p, settings, check_links=False) for p in SEEDS}


@needs_chromium
@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_seed_report_renders_in_chromium(seed, seed_states, tmp_path):
    state = seed_states[seed]
    findings = lint(state.resolutions)
    html = render_report(ReportData(title_of(state.text, seed), seed, state.resolutions, (), findings,
                                    links_checked=False))
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom, console = run_chromium(page, tmp_path / "profile")
    assert console == []
    assert 'data-ready="1"' in dom
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom
    n = len(state.resolutions)
    assert f"showing {n} of {n}" in dom
    assert len(visible_rows(dom)) == n
    resolved = sum(1 for r in state.resolutions if r.paper)
    assert f"{resolved} of {n} entries resolved" in dom
    with_counts = {r.paper.s2_id for r in state.resolutions if r.paper and r.paper.citation_count is not None}
    assert dom.count("<rect") == min(20, len(with_counts))
    shot = Path(SHOT_DIR) / f"report-{Path(seed).stem}.png" if SHOT_DIR else tmp_path / "shot.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    _dom, console = run_chromium(page, tmp_path / "profile", screenshot=shot)
    assert console == [] and shot.stat().st_size > 20_000
