"""`paperenrich lint`: the findings as a CI check (formats, --fail-on, exit codes), and one meaning of
"broken" in check, lint and the report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.cli_run import run
from tests.emulator.webhosts import WebHosts



@pytest.fixture
def cli_env(cli_env):
    """conftest's CLI environment, plus a config file with a short link timeout and no host spacing."""
    (cli_env / "pe.toml").write_text("link_timeout = 3.0\nhost_interval = 0.0\n")
    return cli_env


@pytest.fixture
def hosts():
    with WebHosts(1, time_scale=1.0, first_host=137) as web:
        yield web


def _two_lists(cli_env, hosts):
    """a.md: the same paper twice (line 3 repeats line 2) and a link that answers 404 (line 4);
    b.md: the same paper with a soft 404 (line 1) and a fine link."""
    a = cli_env / "a.md"
    a.write_text("# A\n"
                 f"- Attention Is All You Need (NeurIPS'17) [paper]({hosts.url(0, 'ok/attention')})\n"
                 f"- Attention Is All You Need (NeurIPS'17) [again]({hosts.url(0, 'ok/attention-again')})\n"
                 f"- A Paper Nobody Has Heard Of (OSDI'22) [paper]({hosts.url(0, 'status/404/gone')})\n")
    b = cli_env / "b.md"
    b.write_text(f"- Attention Is All You Need (NeurIPS'17) [notes]({hosts.url(0, 'soft404/notes')}) "
                 f"[more]({hosts.url(0, 'ok/more')})\n")
    return a, b


def test_lint_text_json_and_exit_codes(cli_env, hosts, capsys):
    a, b = _two_lists(cli_env, hosts)
    common = ("--allow-private", "--config", cli_env / "pe.toml")
    code, out, _err = run(capsys, "lint", a, b, *common)
    assert code == 2  # a duplicate and a broken link: kinds that fail by default
    lines = out.splitlines()
    assert f"{a}:3: duplicate: same paper as line 2" in out
    assert any(line.startswith(f"{a}:4: broken: broken link (") and "status/404/gone" in line for line in lines)
    assert any(line.startswith(f"{a}:4: unresolved: ") for line in lines)
    assert any(line.startswith(f"{b}:1: soft_404: ") for line in lines)
    assert lines[-1] == "4 finding(s) in 2 list(s): 1 duplicate, 1 unresolved, 1 broken, 1 soft_404"

    code, out, _err = run(capsys, "lint", a, b, *common, "--format", "json")
    doc = json.loads(out)
    assert code == 2
    assert {(f["file"], f["line"], f["kind"]) for f in doc["findings"]} == {
        (str(a), 3, "duplicate"), (str(a), 4, "unresolved"), (str(a), 4, "broken"), (str(b), 1, "soft_404")}
    assert doc["summary"]["counts"]["broken"] == 1 and doc["summary"]["lists"] == 2

    # b.md alone: a soft 404 is not broken (as in check), so lint passes unless --fail-on names it.
    code, out, _err = run(capsys, "lint", b, *common)
    assert code == 0 and "soft_404" in out
    code, _out, _err = run(capsys, "lint", b, *common, "--fail-on", "soft_404")
    assert code == 2
    code, _out, _err = run(capsys, "lint", a, *common, "--fail-on", "none")
    assert code == 0
    code, _out, err = run(capsys, "lint", a, *common, "--fail-on", "typo")
    assert code == 3 and "--fail-on: unknown kind typo" in err
    code, _out, err = run(capsys, "lint", cli_env / "missing.md", "--offline")
    assert code == 4 and err.count("\n") == 1


def test_lint_ci_formats(cli_env, hosts, capsys):
    a, _b = _two_lists(cli_env, hosts)
    common = ("--allow-private", "--config", cli_env / "pe.toml")
    code, out, _err = run(capsys, "lint", a, *common, "--format", "github")
    assert code == 2
    assert f"::warning file={a},line=3,title=Duplicate paper::same paper as line 2" in out
    assert any(line.startswith(f"::error file={a},line=4,title=Broken link::broken link (") for line in out.splitlines())
    assert any(line.startswith(f"::notice file={a},line=4,title=Unresolved entry::") for line in out.splitlines())

    code, out, _err = run(capsys, "lint", a, *common, "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results} == {
        ("duplicate", "warning", 3), ("broken", "error", 4), ("unresolved", "note", 4)}
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} >= {"duplicate", "broken", "unresolved"}

    code, out, _err = run(capsys, "lint", a, *common, "--format", "junit", "-o", cli_env / "lint.xml")
    assert code == 2 and out == ""
    suite = ET.parse(cli_env / "lint.xml").getroot().find("testsuite")
    assert suite.get("tests") == "3" and suite.get("failures") == "2"  # unresolved is not a failing kind by default
    failed = {case.find("failure").get("type") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert failed == {"duplicate", "broken"}


def test_one_meaning_of_broken_in_check_lint_and_report(cli_env, hosts, capsys):
    lst = cli_env / "list.md"
    lst.write_text(f"- [A soft 404]({hosts.url(0, 'soft404/x')})\n- [A real 404]({hosts.url(0, 'status/404/y')})\n"
                   f"- [Fine]({hosts.url(0, 'ok/z')})\n")
    common = ("--allow-private", "--config", cli_env / "pe.toml")
    code, out, _err = run(capsys, "check", lst, "--allow-private", "--config", cli_env / "pe.toml", "--format", "json")
    counts = json.loads(out)["summary"]["counts"]
    assert code == 2 and counts["broken"] == 1 and counts["soft_404"] == 1
    code, out, _err = run(capsys, "lint", lst, *common, "--format", "json")
    link_kinds = sorted(f["kind"] for f in json.loads(out)["findings"] if f["url"])
    assert link_kinds == ["broken", "soft_404"]
    html = cli_env / "report.html"
    code, _out, _err = run(capsys, "report", lst, *common, "-o", html)
    page = html.read_text(encoding="utf-8")
    assert code == 0
    # The summary figure counts the one link check calls broken, not the soft 404.
    assert '<span class="value">1</span><span class="label">broken links</span>' in page
    # The link-health bars have a legend naming each colour.
    assert '<p class="legend">' in page
    for cls in ("ok", "redirected", "broken", "other"):
        assert f'<span class="swatch seg {cls}"></span>' in page
    assert "soft 404" in page.split('<p class="legend">', 1)[1].split("</p>", 1)[0]  # a soft 404 is "other"

