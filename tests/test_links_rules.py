"""Pure parts of the link checker: collection, safety, classification, suggestions, reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import httpx
import pytest

from paperenrich.cli.check import FORMATS as CLI_FORMATS
from paperenrich.linkcheck.options import accept_setting, parse_accept, read_ignore_file
from paperenrich.config import HostRule, Settings
from paperenrich.errors import ConfigError, UsageError
from paperenrich.linkcheck.classify import classify_status, has_anchor, is_challenge, is_soft_404
from paperenrich.linkcheck.collect import collect_places, iter_links
from paperenrich.linkcheck.engine import Checker, precheck, rule_for
from paperenrich.linkcheck.report import FORMATS, render
from paperenrich.linkcheck.run import CheckReport, summarize
from paperenrich.linkcheck.safety import is_forbidden_ip
from paperenrich.linkcheck.suggest import suggest
from paperenrich.model import LinkResult, Place

MARKDOWN = """# Papers

- [Paper A](https://a.org/x) [![badge](https://b.org/i.png)](https://b.org/home)
  second line <https://c.org/auto> and bare https://d.org/bare
- <a href="https://e.org/h">inline html</a>

<div>
<p>
<a href="https://f.org/block">block html</a>
</p>
</div>

`https://not.a/link` and

```
https://not.a/fenced
```

| paper | link |
|---|---|
| T | [t](http://g.org/table) |
- [again](https://a.org/x)
"""


def test_collect_finds_every_kind_of_link_with_its_line():
    found = list(iter_links(MARKDOWN))
    assert found == [
        ("https://a.org/x", 3), ("https://b.org/home", 3), ("https://b.org/i.png", 3),
        ("https://c.org/auto", 4), ("https://d.org/bare", 4), ("https://e.org/h", 5),
        ("https://f.org/block", 9), ("http://g.org/table", 21), ("https://a.org/x", 22),
    ]


def test_collect_merges_places_of_one_url_across_files():
    places = collect_places({"one.md": MARKDOWN, "two.md": "see [x](https://a.org/x)\n"})
    assert places["https://a.org/x"] == [Place("one.md", 3), Place("one.md", 22), Place("two.md", 1)]
    assert "https://not.a/link" not in places and "https://not.a/fenced" not in places


@pytest.mark.parametrize("address,forbidden", [
    ("10.1.2.3", True), ("172.16.0.1", True), ("172.31.255.255", True), ("192.168.1.1", True),
    ("127.0.0.1", True), ("169.254.169.254", True), ("::1", True), ("fd00::1", True), ("fc00::1", True),
    ("::ffff:127.0.0.1", True), ("0.0.0.0", True), ("100.64.0.1", True),
    ("8.8.8.8", False), ("172.32.0.1", False), ("2606:4700::1111", False),
])
def test_forbidden_addresses(address, forbidden):
    assert is_forbidden_ip(address) is forbidden


@pytest.mark.parametrize("url,status", [
    ("javascript:alert(1)", "skipped"), ("file:///etc/passwd", "skipped"), ("data:text/html,x", "skipped"),
    ("mailto:a@b.org", "skipped"), ("../README.md", "skipped"), ("#section", "skipped"),
    ("http://169.254.169.254/latest/meta-data/", "skipped"), ("http://[::1]:8080/", "skipped"),
    ("http://10.0.0.1/", "skipped"),
    ("https://openreview.net/forum?id%253DPgtn4l6eKjv", "invalid"), ("https://exa mple.org/", "invalid"),
    ("http://", "invalid"), ("https://[::1/", "invalid"),
])
def test_precheck_refuses_without_requesting(url, status):
    assert precheck(url, Settings(), (), ())[0] == status


def test_precheck_lets_public_urls_through_and_honours_include_over_exclude():
    import re

    assert precheck("https://arxiv.org/abs/1706.03762", Settings(), (), ()) is None
    excl, incl = [re.compile("arxiv")], [re.compile("abs/1706")]
    assert precheck("https://arxiv.org/abs/2000.00001", Settings(), (), excl)[0] == "skipped"
    assert precheck("https://arxiv.org/abs/1706.03762", Settings(), incl, excl) is None
    assert precheck("http://127.0.0.1/", Settings(allow_private=True), (), ()) is None


def test_challenge_detection():
    assert is_challenge(403, {"cf-mitigated": "challenge"}, b"")
    assert is_challenge(202, {"x-amzn-waf-action": "challenge"}, b"")
    assert is_challenge(503, {}, b"<html><head><title>Just a moment...</title>")
    assert not is_challenge(403, {}, b"<html><title>Forbidden</title>")
    assert not is_challenge(200, {}, b"<title>Just a moment: a paper about waiting</title>")


def test_soft_404_and_anchor_detection():
    assert is_soft_404(b"<html><head><title>Page Not Found | Site</title>")
    assert is_soft_404(b"<h1 class='x'>404 - Not Found</h1>")
    assert is_soft_404(b"<title>Not Found</title>") and is_soft_404(b"<title>Error 404: page not found</title>")
    assert is_soft_404(b"<h1>Sorry, this page does not exist</h1>")
    # a bare 404 token in a live page's title is not a "not found" page
    assert not is_soft_404(b"<title>Paper page 404</title>")
    assert not is_soft_404(b"<title>Issue #404 \xc2\xb7 org/repo \xc2\xb7 GitHub</title>")
    assert not is_soft_404(b"<h1>404 - sorry</h1>")
    assert not is_soft_404(b"<title>Found: a study of not-found errors</title>")
    assert not is_soft_404(b"<title>Attention Is All You Need</title><p>references not found here</p>")
    page = b"<h2 id=\"intro\">x</h2><a name='methods'></a><h2 id=user-content-setup>"
    assert has_anchor(page, "intro") and has_anchor(page, "methods") and has_anchor(page, "setup")
    assert not has_anchor(page, "intr") and not has_anchor(page, "results")


@pytest.mark.parametrize("code,host,expected", [
    (200, "x.org", "ok"), (204, "x.org", "ok"), (404, "x.org", "broken"), (410, "x.org", "broken"),
    (403, "x.org", "blocked"), (401, "x.org", "blocked"), (999, "www.linkedin.com", "blocked"),
    (403, "dl.acm.org", "blocked"), (400, "ieeexplore.ieee.org", "blocked"), (429, "x.org", "rate_limited"),
    (500, "x.org", "error"), (503, "x.org", "error"), (400, "x.org", "broken"),
])
def test_classify_status(code, host, expected):
    assert classify_status(code, host, {}, b"", frozenset())[0] == expected


def test_accepted_codes_are_ok():
    assert classify_status(403, "x.org", {}, b"", frozenset({403}))[0] == "ok"


def test_accepting_200_never_turns_off_soft_404_detection():
    soft = b"<html><title>Page Not Found</title></html>"
    assert classify_status(200, "x.org", {}, soft, frozenset(range(200, 300)))[0] == "soft_404"
    assert classify_status(200, "x.org", {}, b"<title>A paper</title>", frozenset(range(200, 300))) == ("ok", None)


def test_suggestions():
    assert suggest("http://arxiv.org/pdf/2309.06180v2.pdf", "ok") == "https://arxiv.org/abs/2309.06180"
    assert suggest("https://dl.acm.org/doi/10.1145/3600006.3613165?casa_token=AbC:xyz", "blocked") == \
        "https://dl.acm.org/doi/10.1145/3600006.3613165"
    assert suggest("https://openreview.net/forum?id%253DPgtn4l6eKjv", "invalid") == "https://openreview.net/forum?id=Pgtn4l6eKjv"
    assert suggest("https://x.org/p?utm_source=tw&fbclid=1&page=2", "ok") == "https://x.org/p?page=2"
    assert suggest("http://x.org/old", "redirected", "https://x.org/new", (301, 308)) == "https://x.org/new"
    assert suggest("http://x.org/old", "redirected", "https://x.org/new", (301, 302)) is None  # not all permanent
    assert suggest("http://x.org/old", "redirected", "https://x.org/", (301,)) is None  # home page: not a fix
    assert suggest("http://x.org/old", "redirected", "https://x.org/login?next=/old", (301,)) is None
    assert suggest("https://x.org/gone?utm_source=a", "broken") is None
    assert suggest("https://x.org/fine", "ok") is None


def test_host_rules_apply_to_subdomains():
    hosts = {"example.org": HostRule(max_concurrency=2), "www.acm.org": HostRule(interval=1.0)}
    assert rule_for("example.org", hosts).max_concurrency == 2
    assert rule_for("docs.example.org", hosts).max_concurrency == 2
    assert rule_for("acm.org", hosts) == HostRule()


def test_github_token_goes_only_to_github_hosts_and_only_over_https():
    checker = Checker(Settings(github_token="ghp_secret"), client=None)  # type: ignore[arg-type]
    lane = checker.lane("github.com")
    assert checker._headers("https://github.com/a/b", "github.com", lane)["Authorization"] == "Bearer ghp_secret"
    assert "Authorization" not in checker._headers("http://github.com/a/b", "github.com", lane)  # issue 12, item 6
    assert "Authorization" not in checker._headers("https://example.org/", "example.org", checker.lane("example.org"))
    assert "ghp_secret" not in repr(Settings(github_token="ghp_secret"))


def test_accept_ranges_and_ignore_file(tmp_path):
    # lychee's syntax: ..= inclusive, .. end excluded, open ends; our 200-299 stays inclusive
    assert parse_accept("200..=202, 403,429-429") == (200, 201, 202, 403, 429)
    assert parse_accept("200..202") == (200, 201)
    assert parse_accept("..=101") == (100, 101) and parse_accept("998..") == (998, 999)
    for bad in ("2xx", "299..200", "..=1000", "42"):
        with pytest.raises(UsageError):
            parse_accept(bad)
    assert accept_setting(["200..=201", "403"], "accept") == (200, 201, 403)
    assert accept_setting([403, 429], "accept") == (403, 429)
    with pytest.raises(ConfigError, match="mixes numbers and strings"):
        accept_setting(["200..=299", 403], "accept")
    ignore = tmp_path / "ignore"
    ignore.write_text("# comment\n\n^https://localhost\n  example\\.org  \n")
    assert read_ignore_file(ignore) == ("^https://localhost", "example\\.org")


def _report() -> CheckReport:
    results = [
        LinkResult("https://a.org/ok", "ok", 200, places=(Place("l.md", 1),)),
        LinkResult("https://a.org/gone", "broken", 404, places=(Place("l.md", 2), Place("m.md", 7)), detail="HTTP 404"),
        LinkResult("https://dl.acm.org/doi/1", "blocked", 403, places=(Place("l.md", 3),), detail="bot, check"),
        LinkResult("http://x.org/a", "redirected", 200, final_url="https://x.org/b", redirects=("https://x.org/b",),
                   places=(Place("l.md", 4),), suggestion="https://x.org/b", detail="permanent redirect (301)"),
        LinkResult("mailto:a@b", "skipped", places=(Place("l.md", 5),), detail="mailto: link"),
    ]
    return CheckReport(results, summarize(results, 0.5), {})


def test_json_contract():
    doc = json.loads(render(_report(), "json"))
    assert set(doc) >= {"results", "summary"}
    first = doc["results"][1]
    # keys are only ever added: verified_by came with the paper-aware verdicts
    assert set(first) >= {"url", "status", "http_status", "final_url", "redirects", "places", "suggestion", "detail"}
    assert first["verified_by"] == "http"
    assert first["places"] == [{"file": "l.md", "line": 2}, {"file": "m.md", "line": 7}]
    assert doc["summary"]["counts"]["broken"] == 1 and doc["summary"]["urls"] == 5


def test_github_annotations_one_per_place_and_escaped():
    lines = render(_report(), "github").splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert errors == [
        "::error file=l.md,line=2,title=Broken link::https://a.org/gone (HTTP 404)",
        "::error file=m.md,line=7,title=Broken link::https://a.org/gone (HTTP 404)",
    ]
    assert any(line.startswith("::notice file=l.md,line=3,title=Blocked (bot protection)::") for line in lines)
    assert any("-> use https://x.org/b" in line for line in lines)


def test_sarif_junit_markdown_text_shapes():
    sarif = json.loads(render(_report(), "sarif"))
    results = sarif["runs"][0]["results"]
    assert sarif["version"] == "2.1.0"
    assert results[0]["ruleId"] == "broken" and results[0]["level"] == "error"
    assert results[0]["locations"][1]["physicalLocation"] == {"artifactLocation": {"uri": "m.md"}, "region": {"startLine": 7}}
    suite = ET.fromstring(render(_report(), "junit")).find("testsuite")
    assert suite.get("tests") == "5" and suite.get("failures") == "1"
    assert [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None] == ["https://a.org/gone"]
    markdown = render(_report(), "markdown")
    assert "| broken | https://a.org/gone | l.md:2, m.md:7 | HTTP 404 |  |" in markdown
    text = render(_report(), "text")
    assert text.splitlines()[0] == "l.md:2: broken: https://a.org/gone (HTTP 404) (+1 more places)"
    assert "mailto" not in text


def test_cli_format_list_matches_the_renderers():
    assert CLI_FORMATS == FORMATS


def test_cli_names_the_same_ignore_file_as_the_library():
    from paperenrich.cli.check import IGNORE_FILE as CLI_IGNORE_FILE
    from paperenrich.linkcheck.options import IGNORE_FILE

    assert CLI_IGNORE_FILE == IGNORE_FILE
