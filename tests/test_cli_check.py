"""`paperenrich check` end to end: exit codes, formats, output file, config file per-host rules,
ignore file, one-line errors. Runs the real CLI in a subprocess against the web-hosts emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.emulator.webhosts import WebHosts

REPO = Path(__file__).resolve().parents[1]
FAST = ["--allow-private", "--no-cache", "--timeout", "0.6", "--retries", "1", "--host-interval", "0"]


@pytest.fixture(scope="module")
def web():
    with WebHosts(3) as hosts:
        yield hosts


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("GITHUB_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "paperenrich", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def write_list(path: Path, web: WebHosts, *paths: tuple[int, str]) -> Path:
    lines = ["# Papers", ""] + [f"- [Paper {i}]({web.url(h, p)})" for i, (h, p) in enumerate(paths)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_exit_0_when_nothing_is_broken_and_blocked_is_not_broken(web, tmp_path):
    lst = write_list(tmp_path / "ok.md", web, (0, "ok/c1"), (1, "challenge/403/c1"), (2, "flaky/1/c1"))
    done = cli(str(lst), *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("3 URLs in 3 places: 2 ok, 1 blocked")


def test_exit_2_with_broken_links_and_json_contract(web, tmp_path):
    lst = write_list(tmp_path / "bad.md", web, (0, "ok/c2"), (1, "status/404/c2"), (0, "ok/c2"))
    done = cli(str(lst), *FAST, "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    doc = json.loads(done.stdout)
    by_url = {r["url"]: r for r in doc["results"]}
    assert len(doc["results"]) == 2  # each distinct URL once...
    assert by_url[web.url(0, "ok/c2")]["places"] == [{"file": str(lst), "line": 3}, {"file": str(lst), "line": 5}]
    assert by_url[web.url(1, "status/404/c2")]["status"] == "broken"
    assert doc["summary"]["counts"]["broken"] == 1


def test_fail_on_and_output_file(web, tmp_path):
    lst = write_list(tmp_path / "soft.md", web, (0, "soft404/c3"))
    assert cli(str(lst), *FAST, cwd=tmp_path).returncode == 0  # soft 404 reported, not failing by default
    out = tmp_path / "report.md"
    done = cli(str(lst), *FAST, "--fail-on", "broken,soft_404", "-f", "markdown", "-o", str(out), cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "| soft_404 |" in out.read_text()


def test_config_file_per_host_rules_and_accept(web, tmp_path):
    host = web.hosts[2]
    (tmp_path / "paperenrich.toml").write_text(
        f'[hosts."{host}"]\nmax_concurrency = 1\ninterval = 0.02\naccept = [410]\n')
    lst = write_list(tmp_path / "cfg.md", web, *[(2, f"ok/cfg{i}") for i in range(6)], (2, "status/410/cfg"))
    done = cli(str(lst), *FAST, "-f", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = {r["url"]: r["status"] for r in json.loads(done.stdout)["results"]}
    assert statuses[web.url(2, "status/410/cfg")] == "ok"  # accepted for this host only
    requests = web.requests(host, "/ok/cfg")
    starts = sorted(r.start for r in requests)
    assert len(requests) == 6 and starts[-1] - starts[0] >= 5 * 0.02 * 0.8
    assert all(not (a.start < b.end and b.start < a.end) for a in requests for b in requests if a is not b)


def test_ignore_file_and_exclude(web, tmp_path):
    lst = write_list(tmp_path / "ign.md", web, (1, "status/404/ignored"), (1, "status/410/excluded"), (0, "ok/kept"))
    (tmp_path / ".paperenrichignore").write_text("# dead on purpose\n/status/404/ignored$\n")
    done = cli(str(lst), *FAST, "--exclude", "excluded", "-f", "json", cwd=tmp_path)
    assert done.returncode == 0
    statuses = {r["url"]: r["status"] for r in json.loads(done.stdout)["results"]}
    assert statuses == {web.url(1, "status/404/ignored"): "skipped", web.url(1, "status/410/excluded"): "skipped",
                        web.url(0, "ok/kept"): "ok"}
    assert web.requests(path_prefix="/status/404/ignored") == []


def test_github_format_annotations(web, tmp_path):
    lst = write_list(tmp_path / "gh.md", web, (1, "status/410/gh"))
    done = cli(str(lst), *FAST, "-f", "github", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == (
        f"::error file={lst},line=3,title=Broken link::{web.url(1, 'status/410/gh')} (HTTP 410)")


def test_loopback_refused_without_allow_private(web, tmp_path):
    lst = write_list(tmp_path / "priv.md", web, (0, "status/404/private"))
    done = cli(str(lst), "--no-cache", cwd=tmp_path)
    assert done.returncode == 0 and "1 skipped" in done.stdout
    assert web.requests(path_prefix="/status/404/private") == []


def test_warm_rerun_from_the_cache_makes_no_requests(web, tmp_path):
    lst = write_list(tmp_path / "warm.md", web, (0, "ok/warm"), (1, "status/404/warm"))
    args = [str(lst), "--allow-private", "--timeout", "0.6", "-f", "json"]
    env_cache = {"PAPERENRICH_CACHE": str(tmp_path / "cache")}
    os.environ.update(env_cache)
    try:
        first = cli(*args, cwd=tmp_path)
        count = len(web.requests(path_prefix="/ok/warm")) + len(web.requests(path_prefix="/status/404/warm"))
        second = cli(*args, cwd=tmp_path)
    finally:
        os.environ.pop("PAPERENRICH_CACHE")
    assert first.returncode == second.returncode == 2
    assert count == 2
    assert len(web.requests(path_prefix="/ok/warm")) + len(web.requests(path_prefix="/status/404/warm")) == 2
    assert json.loads(second.stdout)["summary"]["from_cache"] == 2


@pytest.mark.parametrize("args,code,message", [
    (["--format", "xml"], 3, "error: Invalid value for '-f' / '--format'"),
    (["--accept", "2xx"], 3, "error: --accept: '2xx' is not a status code"),
    (["--exclude", "("], 3, "error: exclude: bad regular expression"),
    (["--fail-on", "nonsense"], 3, "error: --fail-on: unknown status nonsense"),
    (["--timeout", "-1"], 3, "error: Invalid value for '--timeout'"),
])
def test_usage_errors_are_one_line_with_exit_3(tmp_path, args, code, message):
    lst = tmp_path / "l.md"
    lst.write_text("- [x](https://example.org/)\n")
    done = cli(str(lst), *args, cwd=tmp_path)
    assert done.returncode == code
    assert done.stderr.startswith(message) and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_bad_config_and_missing_list(tmp_path):
    (tmp_path / "paperenrich.toml").write_text("hosts = 3\n")
    lst = tmp_path / "l.md"
    lst.write_text("- [x](https://example.org/)\n")
    done = cli(str(lst), cwd=tmp_path)
    assert done.returncode == 3 and done.stderr.startswith("error: bad value for setting 'hosts'")
    (tmp_path / "paperenrich.toml").unlink()
    done = cli(str(tmp_path / "missing.md"), cwd=tmp_path)
    assert done.returncode == 4 and "no such file" in done.stderr


def _action_check_script() -> str:
    """The shell of the action's "Check links" step (read as text: no YAML library needed)."""
    text = (REPO / "action.yml").read_text()
    block = text[text.index("id: check"):].split("run: |\n", 1)[1]
    lines = [line[8:] for line in block.splitlines() if line.startswith("        ") or not line.strip()]
    return "\n".join(lines)


@pytest.mark.parametrize("fail,expected_exit", [("true", 2), ("false", 0)])
def test_github_action_step_writes_summary_annotations_and_exit_code(web, tmp_path, fail, expected_exit):
    lst = write_list(tmp_path / "act list.md", web, (0, "ok/act"), (1, "status/404/act"))
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    summary.write_text("earlier step\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs),
           "ARGS": f"'{lst.name}' --allow-private --no-cache --timeout 0.6", "FAIL": fail, "GITHUB_TOKEN": ""}
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "paperenrich").write_text(f"#!/bin/sh\nexec {sys.executable} -m paperenrich \"$@\"\n")
    (bindir / "paperenrich").chmod(0o755)
    env["PATH"] = f"{bindir}:{env['PATH']}"
    done = subprocess.run(["bash", "-c", _action_check_script()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == expected_exit, done.stderr
    assert done.stdout.startswith(f"::error file={lst.name},line=4,title=Broken link::{web.url(1, 'status/404/act')}")
    assert summary.read_text().startswith("earlier step\n## Link check\n")  # appended, not overwritten
    assert "| broken | 1 |" in summary.read_text()
    assert outputs.read_text() == "exit-code=2\n"


def test_nothing_reachable_is_exit_5_not_a_list_of_broken_links(tmp_path):
    lst = tmp_path / "offline.md"
    # nothing listens on port 9 of these loopback addresses: every connection is refused
    lst.write_text("".join(f"- [p{i}](http://127.0.0.{90 + i}:9/paper)\n" for i in range(3)))
    done = cli(str(lst), "--allow-private", "--no-cache", cwd=tmp_path)
    assert done.returncode == 5
    assert done.stderr.startswith("error: no linked host could be reached (3 hosts tried")


def test_one_refused_host_among_answering_ones_is_broken(web, tmp_path):
    lst = tmp_path / "mixed.md"
    lst.write_text(f"- [a]({web.url(0, 'ok/mixed')})\n- [b](http://127.0.0.93:9/paper)\n- [c]({web.url(1, 'ok/mixed')})\n")
    done = cli(str(lst), *FAST, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.startswith(f"{lst}:2: broken: http://127.0.0.93:9/paper (connection refused)")


def test_offline_answers_from_the_cache_only(web, tmp_path):
    lst = write_list(tmp_path / "off.md", web, (0, "ok/offline-cached"), (1, "status/404/offline"))
    env_cache = {"PAPERENRICH_CACHE": str(tmp_path / "cache")}
    os.environ.update(env_cache)
    try:
        assert cli(str(lst), *FAST[:1], "--timeout", "0.6", cwd=tmp_path).returncode == 2
        lst.write_text(lst.read_text() + f"- [new]({web.url(0, 'ok/offline-new')})\n")
        done = cli(str(lst), "--allow-private", "--offline", "-f", "json", cwd=tmp_path)
    finally:
        os.environ.pop("PAPERENRICH_CACHE")
    statuses = {r["url"]: (r["status"], r["detail"]) for r in json.loads(done.stdout)["results"]}
    assert done.returncode == 2  # the cached 404 still counts
    assert statuses[web.url(0, "ok/offline-cached")][0] == "ok"
    assert statuses[web.url(0, "ok/offline-new")] == ("skipped", "offline: not in the cache")
    assert web.requests(path_prefix="/ok/offline-new") == []


def test_a_directory_stands_for_its_markdown_files(web, tmp_path):
    docs = tmp_path / "lists"
    (docs / "sub").mkdir(parents=True)
    write_list(docs / "a.md", web, (0, "ok/dir-a"))
    write_list(docs / "sub" / "b.markdown", web, (1, "status/404/dir-b"))
    (docs / "notes.txt").write_text(f"- [x]({web.url(0, 'ok/dir-not-markdown')})\n")
    done = cli(str(docs), *FAST, "-f", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr  # the 404 in the subdirectory's list
    files = {p["file"] for r in json.loads(done.stdout)["results"] for p in r["places"]}
    assert files == {str(docs / "a.md"), str(docs / "sub" / "b.markdown")}
    assert web.requests(path_prefix="/ok/dir-not-markdown") == []
    empty = tmp_path / "empty"
    empty.mkdir()
    done = cli(str(empty), *FAST, cwd=tmp_path)
    assert done.returncode == 4 and done.stderr.startswith("error: ") and "without any Markdown file" in done.stderr


def test_accept_in_a_config_file_takes_lychee_strings_and_refuses_a_mixed_list(web, tmp_path):
    lst = write_list(tmp_path / "acc.md", web, (0, "status/403/acc"), (0, "soft404/acc"))
    (tmp_path / "paperenrich.toml").write_text('accept = ["200..=299", "403"]\n')
    done = cli(str(lst), *FAST, "-f", "json", cwd=tmp_path)
    statuses = {r["url"]: r["status"] for r in json.loads(done.stdout)["results"]}
    assert statuses == {web.url(0, "status/403/acc"): "ok", web.url(0, "soft404/acc"): "soft_404"}
    (tmp_path / "paperenrich.toml").write_text('accept = ["200..=299", 403]\n')
    done = cli(str(lst), *FAST, cwd=tmp_path)
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert done.stderr.startswith("error: accept: mixes numbers and strings") and len(done.stderr.strip().splitlines()) == 1


def test_dump_lists_what_would_be_checked_and_requests_nothing(web, tmp_path):
    web.reset_log()
    lst = tmp_path / "dump.md"
    lst.write_text(f"# L\n- [A]({web.url(0, 'ok/d1')}) [B]({web.url(1, 'ok/d2')})\n"
                   f"- [again]({web.url(0, 'ok/d1')}) [rel](docs/x.md) [skip]({web.url(2, 'ok/skipme')})\n")
    done = cli(str(lst), "--allow-private", "--dump", "--exclude", "skipme", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [web.url(0, "ok/d1"), web.url(1, "ok/d2"), "docs/x.md"]  # (looked for on disk)
    verbose = cli(str(lst), "--allow-private", "--dump", "--exclude", "skipme", "-v", cwd=tmp_path)
    assert f"{web.url(2, 'ok/skipme')} (skipped: excluded by pattern 'skipme')" in verbose.stdout.splitlines()
    doc = json.loads(cli(str(lst), "--allow-private", "--dump", "--format", "json", cwd=tmp_path).stdout)
    first = doc["links"][0]
    assert first == {"url": web.url(0, "ok/d1"), "places": [{"file": str(lst), "line": 2}, {"file": str(lst), "line": 3}],
                     "skipped": None}
    assert web.requests() == []  # nothing was asked
    bad = cli(str(lst), "--dump", "--format", "sarif", cwd=tmp_path)
    assert bad.returncode == 3 and bad.stderr.count("\n") == 1
