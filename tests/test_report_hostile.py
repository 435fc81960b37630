"""The HTML report with a hostile record (issue 12, item 4): every value escaped for its context, and
a CSP that runs no inline script but the report's own. Checked in headless Chromium, which logs the
page's console: the payloads call console.log with a marker, so any one of them that runs shows up.
A control page (the same payload, unescaped, without our CSP) proves the marker is seen when it runs."""

from __future__ import annotations

import re

import pytest

from paperenrich.export.report import ReportData, render_report
from paperenrich.model import Entry, Link, Match, Paper, Resolution
from tests.test_report import needs_chromium, run_chromium

MARKER = "PWNED-7f3a"
HANDLER = f"console.log('{MARKER}')"
ATTR_BREAK = f'2017"><img src=x onerror="{HANDLER}">'
TAG = f"<script>{HANDLER}</script><img src=x onerror=\"{HANDLER}\"><svg onload=\"{HANDLER}\">"

HOSTILE = Paper(
    title=f"A title {TAG}",
    authors=(f"Eve {TAG}", ATTR_BREAK),
    year=ATTR_BREAK,  # type: ignore[arg-type]  (what an unvalidated S2 record once carried)
    venue=ATTR_BREAK, venue_short=f"V{TAG}",
    doi=f'10.1234/x"><img src=x onerror="{HANDLER}">',
    arxiv=f'2309.06180"><svg onload="{HANDLER}">',
    citation_count=f'5"><img src=x onerror="{HANDLER}">',  # type: ignore[arg-type]
    canonical_url=f"javascript:{HANDLER}",
    match=Match("title", "s2", 0.95, (ATTR_BREAK,)),
)


def hostile_report() -> str:
    entry = Entry(line=3, end_line=3, section=(f"Sec {TAG}",), title=f"Listed {TAG}", venue=ATTR_BREAK,
                  links=(Link(f"javascript:{HANDLER}"),))
    unresolved = Entry(line=5, end_line=5, section=("S",), title="Other", links=(Link(f"https://x.example/{TAG}"),))
    resolutions = [Resolution(entry, HOSTILE), Resolution(unresolved, None, reason=f"error: {TAG}")]
    return render_report(ReportData(f"List {TAG}", f"l.md{TAG}", resolutions))


def test_no_payload_survives_as_markup():
    page = hostile_report()
    body = page.split("<script>", 1)[0] + page.rsplit("</script>", 1)[1]  # all but our own script
    assert "<img" not in body and "<svg onload" not in body and "onerror=\"" not in body
    assert not [href for href in re.findall(r'href="([^"]*)"', page) if "javascript" in href.lower()]
    assert page.count("<script>") == 1
    csp = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]{44}'", csp)


@needs_chromium
def test_hostile_record_renders_inert_in_chromium(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(hostile_report(), encoding="utf-8")
    dom, console = run_chromium(page, tmp_path / "profile")
    assert 'data-ready="1"' in dom  # our own script, allowed by its hash, ran to its end
    assert not [line for line in console if MARKER in line]
    assert console == []  # nothing even tried to run (no CSP violation to report)


@needs_chromium
def test_csp_stops_markup_that_escaping_would_have_missed(tmp_path):
    html = hostile_report().replace("<main>", f"<main>{TAG}<img src=x onerror=\"{HANDLER}\">", 1)
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    dom, console = run_chromium(page, tmp_path / "profile")
    assert 'data-ready="1"' in dom
    assert not [line for line in console if MARKER in line]
    # The control: the same markup without our CSP runs, and the marker is seen.
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><body>{TAG}</body></html>", encoding="utf-8")
    _, console = run_chromium(control, tmp_path / "profile")
    assert [line for line in console if MARKER in line]
