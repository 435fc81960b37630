"""The bibtex, fix and report commands end to end: emulated arXiv/S2, emulated web hosts for links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_run import run
from tests.emulator.webhosts import WebHosts

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "002_afdee21c2821ae4e.txt"




@pytest.mark.skipif(not SEED.exists(), reason="seed lists not present")
def test_fix_dry_run_then_write_then_noop(cli_env, capsys):
    path = cli_env / "list.md"
    shutil.copyfile(SEED, path)
    original = path.read_bytes()

    code, out, err = run(capsys, "fix", path, "--no-check-links", "--add", "authors,doi")
    assert code == 0
    assert out.startswith("--- a/list.md\n+++ b/list.md\n")  # relative: what git apply accepts
    assert "-* Oobleck" in out and "(https://arxiv.org/abs/2309.08125)" in out
    assert "would change (dry run" in err
    assert path.read_bytes() == original  # a dry run writes nothing

    code, out, err = run(capsys, "fix", path, "--no-check-links", "--add", "authors,doi", "--write")
    assert code == 0 and out == "" and "line(s) rewritten" in err
    written = path.read_bytes()
    assert written != original and b"<!-- paperenrich -->" in written
    assert not list(cli_env.glob(".list.md.*.tmp"))  # the atomic write left no temp file

    code, out, err = run(capsys, "fix", path, "--no-check-links", "--add", "authors,doi", "--write")
    assert code == 0 and "nothing to change" in err
    assert path.read_bytes() == written


def test_fix_usage_and_input_errors(cli_env, capsys):
    path = cli_env / "list.md"
    path.write_text("- A paper (OSDI'22) [paper](https://arxiv.org/pdf/2201.00001.pdf)\n")
    code, _out, err = run(capsys, "fix", path, "--add", "abstract", "--offline")
    assert code == 3 and err.startswith("error: --add: unknown abstract")
    code, _out, err = run(capsys, "fix", cli_env / "missing.md", "--offline")
    assert code == 4 and err.strip() == f"error: {cli_env / 'missing.md'}: no such file"
    code, _out, err = run(capsys, "bibtex", path, "--key-pattern", "{surname}", "--offline")
    assert code == 3 and "--key-pattern" in err and "\n" not in err.strip()


def test_fix_follows_permanent_redirects_and_reports_broken_links(cli_env, capsys):
    with WebHosts(2, time_scale=1.0, first_host=120) as hosts:
        moved = hosts.url(0, "redirect/301/1/paper-a")
        gone = hosts.url(1, "status/404/paper-b")
        fine = hosts.url(1, "ok/paper-c")
        path = cli_env / "list.md"
        text = (
            "# Reading list\n\n"
            f"- Attention Is All You Need (NeurIPS'17) [paper]({moved})\n"
            f"- A Paper Nobody Has Heard Of (OSDI'22) [paper]({gone})\n"
            f"- Another Paper (SOSP'23) [paper]({fine})\n"
        )
        path.write_text(text)
        config = cli_env / "pe.toml"
        config.write_text("allow_private = true\nlink_timeout = 3.0\nhost_interval = 0.0\n")
        code, _out, err = run(capsys, "fix", path, "--write", "--config", config)
    assert code == 0
    lines = path.read_text().split("\n")
    assert lines[2].startswith("- Attention Is All You Need (NeurIPS'17) [paper](")
    assert moved not in lines[2] and hosts.url(0, "ok/") in lines[2]  # the redirect's target
    assert lines[3] == text.split("\n")[3]  # broken, and nothing known to replace it with
    assert lines[4] == text.split("\n")[4]
    assert f"{path}:4: broken: broken link (" in err and gone in err


@pytest.mark.skipif(not SEED.exists(), reason="seed lists not present")
def test_bibtex_and_report_commands(cli_env, capsys):
    bib = cli_env / "refs.bib"
    code, out, err = run(capsys, "bibtex", SEED, "-o", bib, "--no-unresolved")
    assert code == 0 and out == ""
    text = bib.read_text(encoding="utf-8")
    assert "@inproceedings{" in text and "archivePrefix = {arXiv}" in text
    code, out, _err = run(capsys, "bibtex", SEED, "--no-unresolved")
    assert out == text  # same keys and text on a second run (from the cache)

    html = cli_env / "report.html"
    code, out, err = run(capsys, "report", SEED, "-o", html, "--no-check-links")
    assert code == 0
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>Large Language Model (LLM) · paperenrich report</title>" in page
    assert f"{SEED}: 16 entries," in err and "-> " in err


def test_fix_allow_private_flag_lets_the_link_check_reach_loopback_hosts(cli_env, capsys):
    with WebHosts(1, time_scale=1.0, first_host=125) as hosts:
        moved = hosts.url(0, "redirect/301/1/paper-a")
        path = cli_env / "list.md"
        path.write_text(f"- Attention Is All You Need (NeurIPS'17) [paper]({moved})\n")
        config = cli_env / "pe.toml"
        config.write_text("link_timeout = 3.0\nhost_interval = 0.0\n")
        # Without the flag a loopback address is never requested: the link stays as written.
        code, out, _err = run(capsys, "fix", path, "--config", config)
        assert code == 0 and moved not in out and not hosts.log
        code, out, _err = run(capsys, "fix", path, "--config", config, "--allow-private")
    assert code == 0
    assert f"-- Attention Is All You Need (NeurIPS'17) [paper]({moved})" in out
    assert f"+- Attention Is All You Need (NeurIPS'17) [paper]({hosts.url(0, 'ok/')}" in out
