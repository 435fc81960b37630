"""`python -m paperenrich scan` on good and bad input: JSON contract, one-line errors, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_002 = next((REPO.parent / "shared" / "seeds").glob("002_*.txt"), None)


def run(*args, stdin: bytes | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "paperenrich", "scan", *map(str, args)],
        capture_output=True, input=stdin, timeout=timeout, cwd=REPO,
    )


def assert_one_line_error(proc, code):
    assert proc.returncode == code, proc.stderr
    err = proc.stderr.decode()
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ")


def test_json_contract(tmp_path):
    src = tmp_path / "l.md"
    src.write_text("# S\n\n- A Good Title (SOSP'23) [link to paper](https://arxiv.org/abs/2309.06180)\n", encoding="utf-8")
    proc = run(src, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["source"] == str(src)
    (e,) = data["entries"]
    assert e == {
        "line": 3, "end_line": 3, "section": ["S"], "title": "A Good Title", "venue": "SOSP", "year": 2023,
        "links": [{"url": "https://arxiv.org/abs/2309.06180", "text": "link to paper"}],
        "ids": {"arxiv": "2309.06180"}, "duplicate_of": None, "kind": "bullet",
    }
    assert "skipped" not in data


@pytest.mark.skipif(SEED_002 is None, reason="seeds not present")
def test_all_shows_skipped_with_reasons_and_table_is_plain_when_piped():
    data = json.loads(run(SEED_002, "-f", "json", "--all").stdout)
    assert len(data["entries"]) == 16
    assert data["skipped"] and all(s["reason"] for s in data["skipped"])
    table = run(SEED_002, "--all").stdout.decode()
    assert "\x1b[" not in table  # piped: no terminal escapes
    assert table.splitlines()[0].split()[:4] == ["LINE", "TITLE", "VENUE", "YEAR"]
    assert "16 entries" in table and "SKIPPED" in table


def test_output_file(tmp_path):
    src = tmp_path / "l.md"
    src.write_text("- T One Two (ICML 2023) [pdf](https://arxiv.org/abs/2301.00001)\n")
    out = tmp_path / "out.json"
    proc = run(src, "-f", "json", "-o", out)
    assert proc.returncode == 0 and proc.stdout == b""
    assert json.loads(out.read_text())["entries"][0]["ids"] == {"arxiv": "2301.00001"}


def test_stdin():
    proc = run("-", "-f", "json", stdin=b"- [OSDI'22] Some Paper Title\n")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["entries"][0]["venue"] == "OSDI"


def test_missing_file(tmp_path):
    assert_one_line_error(run(tmp_path / "nope.md"), 4)


def test_directory(tmp_path):
    assert_one_line_error(run(tmp_path), 4)


def test_binary_file(tmp_path):
    p = tmp_path / "b.md"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_one_line_error(run(p), 4)


def test_non_utf8_file(tmp_path):
    p = tmp_path / "latin1.md"
    p.write_bytes("- Caf\u00e9 paper (ICML'20)\n".encode("latin-1"))
    assert_one_line_error(run(p), 4)


def test_bad_format_flag(tmp_path):
    p = tmp_path / "l.md"
    p.write_text("- x\n")
    assert_one_line_error(run(p, "--format", "xml"), 3)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.md"
    p.write_bytes(b"")
    proc = run(p, "-f", "json")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["entries"] == []


def test_ten_megabyte_single_line(tmp_path):
    p = tmp_path / "long.md"
    # one line, no newline inside: words, brackets and parentheses that never form a link
    p.write_text("- " + "lorem ipsum [dolor] (sit) amet_ " * 350_000 + "\n")
    assert p.stat().st_size > 10_000_000
    proc = run(p, "-f", "json", timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert b"Traceback" not in proc.stderr
    json.loads(proc.stdout)


def test_unbalanced_brackets_best_effort(tmp_path):
    p = tmp_path / "u.md"
    p.write_text(
        "# L\n- [OSDI'22 [Broken (title](https://arxiv.org/abs/2201.00001\n"
        "- ((([[[ unclosed\n- ]]])))\n- Good Paper Title (SOSP'23) [link to paper](https://arxiv.org/abs/2309.06180)\n"
        "| a | b\n|---\n| [x](y\n"
    )
    proc = run(p, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    titles = [e["title"] for e in json.loads(proc.stdout)["entries"]]
    assert "Good Paper Title" in titles


def test_a_parser_panic_is_a_one_line_input_error(monkeypatch):
    """markdown-it.rs panics arrive as pyo3's PanicException, a BaseException: never a traceback."""
    import pytest

    from paperenrich import scanner
    from paperenrich.errors import InputError

    class PanicException(BaseException):  # the name pyo3 gives its panic type
        pass

    class Exploding:
        def tree(self, text):
            raise PanicException("byte index 3 is out of bounds")

    monkeypatch.setattr(scanner, "_MD", Exploding())
    with pytest.raises(InputError, match="Markdown parser failed"):
        scanner.scan_text("- A Paper Title (OSDI'22)\n", source="list.md")
