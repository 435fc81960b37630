"""Many lists in one run: files, directories (*.md, recursively), globs and `-`, shared batches and pace."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from paperenrich.errors import InputError
from paperenrich.inputs import expand_inputs

REPO = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> None:
    for rel in ("a.md", "docs/b.md", "docs/deep/c.md", "docs/notes.txt", ".git/d.md", "docs/.hidden/e.md"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"- {rel}\n", encoding="utf-8")


def test_files_directories_globs_and_stdin_in_argument_order(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert expand_inputs(["a.md"]) == ["a.md"]
    # A directory gives its Markdown files at any depth, in path order; hidden directories are left out.
    assert expand_inputs(["docs"]) == [str(Path("docs/b.md")), str(Path("docs/deep/c.md"))]
    assert expand_inputs(["docs/*.md"]) == ["docs/b.md"]
    assert expand_inputs(["**/*.md"]) == ["a.md", "docs/b.md", "docs/deep/c.md"]
    # Each list once, in the order first named; "-" is standard input.
    assert expand_inputs(["docs/b.md", "-", "docs", "./a.md", "a.md"]) == ["docs/b.md", "-", str(Path("docs/deep/c.md")), "./a.md"]
    # `.markdown` is Markdown too (GitHub renders both); notes.txt is not.
    (tmp_path / "docs" / "deep" / "guide.markdown").write_text("- x\n", encoding="utf-8")
    assert expand_inputs(["docs/deep"]) == [str(Path("docs/deep/c.md")), str(Path("docs/deep/guide.markdown"))]


def test_names_that_give_nothing_are_input_errors(tmp_path, monkeypatch):
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: directory without any"):
        expand_inputs(["empty"])
    with pytest.raises(InputError, match=r"nothing\*\.md: no file matches"):
        expand_inputs(["nothing*.md"])
    with pytest.raises(InputError, match="no list given"):
        expand_inputs([])
    # A plain missing name is kept: reading it says "no such file" (exit 4) as for one list.
    assert expand_inputs(["missing.md"]) == ["missing.md"]


def _env(world) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERENRICH_", "S2_API_KEY"))}
    env.update(world.env())
    return env


LIST_A = """# A
- Efficient Memory Management for Large Language Model Serving with PagedAttention (SOSP'23) [pdf](https://arxiv.org/abs/2309.06180)
- Attention Is All You Need (NeurIPS'17)
"""
LIST_B = """# B
- Efficient Memory Management for Large Language Model Serving with PagedAttention [arXiv](https://arxiv.org/abs/2309.06180)
- Attention Is All You Need (NeurIPS'17)
- A Paper Title That Nobody Has Ever Written About Anything (ICML'21)
"""


def _run(command: str, args: list[str], world, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperenrich", command, *args, "--no-progress"] if command == "enrich"
                          else [sys.executable, "-m", "paperenrich", command, *args],
                          capture_output=True, text=True, env={**_env(world), "PAPERENRICH_PACE_FILE": str(cwd / "pace.db")},
                          cwd=cwd, timeout=120)


def test_enrich_two_lists_in_one_run_shares_batches_and_names_each_entrys_list(scholar_world, tmp_path):
    (tmp_path / "lists" / "sub").mkdir(parents=True)
    (tmp_path / "lists" / "a.md").write_text(LIST_A, encoding="utf-8")
    (tmp_path / "lists" / "sub" / "b.md").write_text(LIST_B, encoding="utf-8")
    proc = _run("enrich", ["lists", "--format", "json", "--cache", "c"], scholar_world, tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    a, b = str(Path("lists/a.md")), str(Path("lists/sub/b.md"))
    assert doc["sources"] == [a, b] and doc["source"] == a
    assert [(e["source"], e["line"]) for e in doc["entries"]] == [(a, 2), (a, 3), (b, 2), (b, 3), (b, 4)]
    assert [e["paper"] is not None for e in doc["entries"]] == [True, True, True, True, False]
    # One arXiv id and one title shared by both lists: each asked for once, in the same batches.
    assert scholar_world.log.count(service="arxiv", path="/api/query") >= 1
    id_lists = [r.param("id_list") for r in scholar_world.log.records(service="arxiv") if r.param("id_list")]
    assert id_lists[0] == "2309.06180" and sum("2309.06180" in ids for ids in id_lists) == 1, id_lists
    assert scholar_world.log.count(service="s2", path="/paper/batch") == 1
    assert doc["summary"]["by_id"] == 2 and doc["summary"]["unresolved"] == 1

    csv_proc = _run("enrich", ["lists/a.md", "lists/sub/*.md", "--format", "csv", "--cache", "c"], scholar_world, tmp_path)
    assert csv_proc.returncode == 0, csv_proc.stderr
    rows = csv_proc.stdout.splitlines()
    assert rows[0].endswith(",source") and rows[1].endswith(",lists/a.md") and rows[-1].endswith(",lists/sub/b.md")


def test_lint_resolves_several_lists_in_one_run(scholar_world, tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "a.md").write_text(LIST_A, encoding="utf-8")
    (tmp_path / "lists" / "b.md").write_text(LIST_B, encoding="utf-8")
    scholar_world.log.clear()
    proc = _run("lint", ["lists", "--format", "json", "--fail-on", "none", "--no-check-links", "--no-cache"],
                scholar_world, tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    a, b = str(Path("lists/a.md")), str(Path("lists/b.md"))
    # b.md's third title is known to no service: its one finding, under its own list.
    assert [(f["file"], f["line"], f["kind"]) for f in doc["findings"]] == [(b, 4, "unresolved")]
    # One run (and no cache to hide a second one): what both lists name is asked for once, the
    # linked arXiv id in one id_list request and one S2 batch, the shared title in one bulk search.
    id_lists = [r.param("id_list") for r in scholar_world.log.records(service="arxiv") if r.param("id_list")]
    assert sum("2309.06180" in ids.split(",") for ids in id_lists) == 1, id_lists
    assert scholar_world.log.count(service="s2", path="/paper/batch") == 1
    bulk = [r.param("query") for r in scholar_world.log.records(service="s2", path="/paper/search/bulk")]
    assert sum(q.lower().count('"attention is all you need"') for q in bulk) == 1, bulk


def test_bibtex_over_a_directory_is_one_bibliography(scholar_world, tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "a.md").write_text(LIST_A, encoding="utf-8")
    (tmp_path / "lists" / "b.md").write_text(LIST_B, encoding="utf-8")
    proc = _run("bibtex", ["lists", "--no-unresolved", "--cache", "c"], scholar_world, tmp_path)
    assert proc.returncode == 0, proc.stderr
    # Two papers (vLLM, Attention), each cited by both lists: one entry each.
    assert proc.stdout.count("\n@") + proc.stdout.startswith("@") == 2


def test_a_missing_list_among_several_is_exit_4(scholar_world, tmp_path):
    (tmp_path / "a.md").write_text(LIST_A, encoding="utf-8")
    proc = _run("enrich", ["a.md", "missing.md"], scholar_world, tmp_path)
    assert proc.returncode == 4 and proc.stderr.strip() == "error: missing.md: no such file"
    proc = _run("enrich", ["a.md", "none*.md"], scholar_world, tmp_path)
    assert proc.returncode == 4 and "none*.md: no file matches" in proc.stderr
