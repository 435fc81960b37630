"""Acceptance: the command line as its users run it (a maintainer, a CI job, a survey author),
as subprocesses against the emulators. Expected values come from the lists written here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

LIST = """# Papers

- Efficient Memory Management for Large Language Model Serving with PagedAttention (SOSP'23) [paper](https://arxiv.org/pdf/2309.06180.pdf)
- Attention Is Not All You Need (arXiv'21)
- Orca: A Distributed Serving System for Transformer-Based Generative Models (OSDI'22)
"""


def _env(world=None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERENRICH_", "S2_API_KEY"))}
    if world is not None:
        env.update(world.env())
    env.update(extra)
    return env


def cli(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperenrich", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


def test_output_cut_short_by_head_exits_0_silently(tmp_path):
    # `paperenrich scan BIG.md | head -1`: the reader leaves early; that is not an error.
    lines = ["# Papers", ""] + [f"- A Study of Topic Number {i} in Systems (OSDI'2{i % 10}) [pdf](https://arxiv.org/abs/2301.{i:05d})"
                                for i in range(3000)]
    (tmp_path / "big.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = subprocess.run(f"'{sys.executable}' -m paperenrich scan big.md --format json | head -1; "
                          "echo \"status=${PIPESTATUS[0]}\"", shell=True, executable="/bin/bash", cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.stdout.splitlines() == ["{", "status=0"]
    assert proc.stderr == ""


@pytest.mark.parametrize("cache_flags, message", [
    (["--cache", "c"], "interrupted; everything finished so far is in the cache\n"),
    (["--no-cache"], "interrupted; nothing was cached (the cache was off)\n"),  # the message must be true
])
def test_ctrl_c_exits_130_with_exactly_one_line(scholar_world, tmp_path, cache_flags, message):
    # A slow arXiv keeps the run busy long enough to be interrupted mid-way.
    scholar_world.faults.latency(5.0, service="arxiv")
    scholar_world.faults.latency(5.0, service="s2")
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "paperenrich", "enrich", "list.md", *cache_flags], cwd=tmp_path,
                            env=_env(scholar_world), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # Interrupt once the run is surely mid-way: a request of it is being served (for 5 s).
    assert scholar_world.log.wait_busy(timeout=60)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err == message
    assert out == ""


def test_enrich_and_scan_ignore_what_fix_added(scholar_world, tmp_path):
    # The maintainer's loop: fix --write --add authors,doi, then enrich (or scan) the list again.
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = _env(scholar_world)
    before = cli(["enrich", "list.md", "--cache", "c", "--format", "csv"], tmp_path, env)
    assert before.returncode == 0, before.stderr
    wrote = cli(["fix", "list.md", "--cache", "c", "--no-check-links", "--add", "authors,doi", "--write"], tmp_path, env)
    assert wrote.returncode == 0, wrote.stderr
    text = (tmp_path / "list.md").read_text(encoding="utf-8")
    assert text.count("<!-- paperenrich -->") == 3  # all three entries got their authors
    after = cli(["enrich", "list.md", "--cache", "c", "--format", "csv"], tmp_path, env)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout  # same titles, same papers, nothing lost or unresolved
    scanned = cli(["scan", "list.md", "--format", "json"], tmp_path, env)
    import json

    titles = [e["title"] for e in json.loads(scanned.stdout)["entries"]]
    assert titles == ["Efficient Memory Management for Large Language Model Serving with PagedAttention",
                      "Attention Is Not All You Need",
                      "Orca: A Distributed Serving System for Transformer-Based Generative Models"]


# --- what a maintainer and an author read: short venue names, clean BibTeX ------------------------

def test_semantic_scholar_venue_names_get_their_short_names():
    from paperenrich.venues import normalize_venue

    # Names as Semantic Scholar writes them ("&", hyphens, "the", "in" kept).
    assert normalize_venue("ACM SIGPLAN Symposium on Principles & Practice of Parallel Programming") == "PPoPP"
    assert normalize_venue("International Symposium on High-Performance Computer Architecture") == "HPCA"
    assert normalize_venue("Annual Meeting of the Association for Computational Linguistics") == "ACL"
    assert normalize_venue("Conference on Empirical Methods in Natural Language Processing") == "EMNLP"
    assert normalize_venue("Conference on Applications, Technologies, Architectures, and Protocols for "
                           "Computer Communication") == "SIGCOMM"
    assert normalize_venue("Real-Time and Embedded Technology and Applications Symposium") == "RTAS"
    assert normalize_venue("IEEE S&P") == "S&P"


def test_published_finding_names_the_venue_as_a_list_would():
    from paperenrich.export.lint import lint
    from paperenrich.model import Entry, Paper, PublishedVersion, Resolution

    entry = Entry(line=40, end_line=40, section=(), title="FlexGen", venue="arXiv", year=2023)
    paper = Paper(title="FlexGen", year=2023, venue="arXiv.org", arxiv="2303.06865",
                  published_version=PublishedVersion("International Conference on Machine Learning", 2023, None))
    (finding,) = lint([Resolution(entry, paper)])
    assert finding.message == "listed as arXiv'23, now published at ICML 2023"  # the README's example


def test_plain_table_keeps_a_long_venue_name_narrow():
    from paperenrich.export.tabular import to_table
    from paperenrich.model import Entry, Paper, Resolution

    venue = "Workshop on Very Long Names of Things Nobody Abbreviates"
    entry = Entry(line=3, end_line=3, section=(), title="A Paper")
    table = to_table([Resolution(entry, Paper(title="A Paper", year=2020, venue=venue, doi="10.1/x"))], rich=False)
    header, row = table.splitlines()
    assert venue[:21] + "..." in row and venue not in row
    assert len(row) < 80 + 60


def test_bibtex_spells_out_typographic_ligatures():
    from paperenrich.export.bibtex import protect_title

    assert protect_title("Memory-E\ufb03cient Attention with IO-Awareness") == "Memory-Efficient Attention with {IO-Awareness}"


def test_fix_on_a_machine_without_link_access_warns_once_instead_of_calling_every_link_broken(scholar_world, tmp_path):
    # Nothing listens on these ports: every link fails before an HTTP answer, on three hosts.
    import socket

    ports = []
    for _ in range(3):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    lines = ["# Papers", ""] + [f"- Paper {i} (OSDI'22) [code](http://127.0.0.{i + 2}:{port}/x)" for i, port in enumerate(ports)]
    (tmp_path / "list.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "paperenrich.toml").write_text("allow_private = true\nlink_retries = 0\n", encoding="utf-8")
    proc = cli(["fix", "list.md", "--cache", "c"], tmp_path, _env(scholar_world))
    assert proc.returncode == 0, proc.stderr
    assert "warning: no linked host could be reached (3 hosts tried); links not checked" in proc.stderr.splitlines()
    assert "broken" not in proc.stderr
