"""`enrich` against a hostile arXiv and S2 (tests/emulator/hostile.py), as a user runs it.

The reproducers of issue 12, items 1-3: a gzip bomb, a 2 GiB body (declared, and chunked), a
server that trickles a byte a second, one that never answers, a Retry-After of days, and records
with fields of the wrong type. Each run must end with exit 0, an `error:` reason for the entries
the bad answer served, a peak memory under 300 MB, and within the request deadline (loose bounds:
the machine is shared, so only a hang fails them).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.emulator.hostile import HostileServer, answer, endless, gzip_bomb, silent, trickle

PEAK_MB = 300
DEADLINE = 3.0
TITLE_A = "Efficient Memory Management for Large Language Model Serving with PagedAttention"
TITLE_B = "Orca: A Distributed Serving System for Transformer-Based Generative Models"
LIST = f"""# Papers
- {TITLE_A} [pdf](https://arxiv.org/abs/2309.06180)
- {TITLE_B} [pdf](https://arxiv.org/abs/2309.06181)
- A Paper Title That Nobody Has Ever Written About Anything (ICML'21)
"""
EMPTY_FEED = '<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
# Runs the CLI and writes its own peak RSS (KiB) to $PEAK_FILE on the way out. VmHWM, not
# getrusage's ru_maxrss: that one keeps the forking parent's peak (pytest's) across exec.
LAUNCH = (
    "import atexit, os, re, sys\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read()\n"
    "    open(os.environ['PEAK_FILE'], 'w').write(re.search(r'VmHWM:\\s+(\\d+) kB', status).group(1))\n"
    "atexit.register(peak)\n"
    "from paperenrich.cli import main\n"
    "main(sys.argv[1:])\n"
)


def s2_paper(arxiv_id: str, title: str, **fields) -> dict:
    paper_id = (arxiv_id.replace(".", "") * 8)[:40].replace("0", "a")
    return {"paperId": paper_id, "externalIds": {"ArXiv": arxiv_id}, "corpusId": 1, "url": None, "title": title,
            "authors": [{"authorId": "1", "name": "A. Author"}], "year": 2023, "venue": "SOSP",
            "publicationVenue": None, "journal": None, "publicationDate": "2023-09-12",
            "publicationTypes": None, "citationCount": 3, "influentialCitationCount": 0, "openAccessPdf": None, **fields}


def batch_of(papers: dict[str, dict]):
    """S2 /paper/batch answering each requested id from `papers` (null for the others)."""

    def script(h) -> None:
        ids = json.loads(h.body or b"{}").get("ids", [])
        answer(json.dumps([papers.get(i) for i in ids]))(h)

    return script


def feed(*entries: tuple[str, str, str]) -> str:
    body = "".join(
        f"<entry><id>http://arxiv.org/abs/{i}v1</id><title>{t}</title><published>{p}</published>"
        f"<updated>2023-09-12T00:00:00Z</updated><author><name>A. Author</name></author></entry>"
        for i, t, p in entries
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{body}</feed>'


@pytest.fixture
def hostile():
    with HostileServer() as server:
        server.route("/api/query", answer(EMPTY_FEED, "application/atom+xml"))
        server.route("/graph/v1/paper/batch", batch_of({}))
        server.route("/graph/v1/paper/search/bulk", answer('{"total": 0}'))
        server.route("/graph/v1/paper/search/match", answer('{"error":"Title match not found"}', status=404))
        yield server


def run_enrich(server: HostileServer, cwd: Path, *args: str, timeout: float = 120,
               command: tuple[str, ...] = ("enrich", "list.md", "--format", "json", "--cache", "c"),
               ) -> tuple[subprocess.CompletedProcess, float, float]:
    """(process, wall seconds, peak MB) of `paperenrich enrich list.md --format json ...` (or `command`)."""
    (cwd / "list.md").write_text(LIST, encoding="utf-8")
    (cwd / "paperenrich.toml").write_text(
        f"arxiv_url = '{server.url('/api/query')}'\ns2_url = '{server.url('/graph/v1')}'\n"
        f"arxiv_interval = 0.01\ns2_rps = 100.0\nmax_retries = 2\nrequest_deadline = {DEADLINE}\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERENRICH_", "S2_API_KEY"))}
    env["PEAK_FILE"] = str(cwd / "peak")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", LAUNCH, *command, *args],
                          capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout)
    wall = time.monotonic() - started
    return proc, wall, int((cwd / "peak").read_text()) / 1024


def reasons(proc: subprocess.CompletedProcess) -> list[str | None]:
    return [e["reason"] for e in json.loads(proc.stdout)["entries"]]


@pytest.mark.parametrize(
    "name, script, says",
    [
        ("gzip bomb, 1 MiB inflating to 1 GiB", gzip_bomb(1 << 30), "cap"),
        ("2 GiB body, declared", endless(2 << 30), "cap"),
        ("2 GiB body, chunked", endless(2 << 30, declare=False), "cap"),
        ("a byte a second", trickle(b"[null, null]" * 10, every=1.0), "deadline"),
        ("never answers", silent(), "deadline"),
        ("Retry-After of days", answer('{"message": "Too Many Requests"}', status=429, headers={"Retry-After": "999999"}), "wait"),
    ],
)
def test_a_hostile_s2_answer_costs_bounded_memory_and_time(hostile, tmp_path, name, script, says):
    hostile.route("/graph/v1/paper/batch", script)
    proc, wall, peak = run_enrich(hostile, tmp_path)
    assert proc.returncode == 0, proc.stderr
    first, second, _ = reasons(proc)
    assert first.startswith("error:") and says in first, first
    assert second.startswith("error:")
    print(f"{name}: peak {peak:.0f} MB, wall {wall:.1f} s")
    assert peak < PEAK_MB, f"{name}: peak {peak:.0f} MB"
    # A no-hang bound: the deadline, plus process start and the other lane, on a loaded machine.
    assert wall < DEADLINE + 30, f"{name}: {wall:.1f} s"


def test_malformed_records_are_errors_not_crashes_and_never_cached(hostile, tmp_path):
    good = s2_paper("2309.06180", TITLE_A)
    bad = s2_paper("2309.06181", TITLE_B, year="abc")
    hostile.route("/graph/v1/paper/batch", batch_of({"ARXIV:2309.06180": good, "ARXIV:2309.06181": bad}))
    hostile.route("/api/query", answer(feed(("2309.06180", TITLE_A, "2023-09-12T00:00:00Z"), ("2309.06181", TITLE_B, "abcd")),
                                       "application/atom+xml"))
    # A search hit with an int title: it cannot be anyone's title, so it is dropped, not a crash.
    hostile.route("/graph/v1/paper/search/bulk", answer(json.dumps({"total": 1, "data": [s2_paper("2401.00001", 12)]})))
    proc, _, _ = run_enrich(hostile, tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    first, second, third = doc["entries"]
    assert first["paper"]["arxiv"] == "2309.06180" and first["paper"]["match"]["method"] == "id"
    assert second["paper"] is None and second["reason"].startswith("error:")
    assert "malformed record" in second["reason"] and "published" in second["reason"] and "year" in second["reason"]
    assert third["reason"].startswith("not found")

    db = sqlite3.connect(tmp_path / "c" / "paperenrich.db")
    keys = {k for (k,) in db.execute("select key from lookups")}
    db.close()
    assert "2309.06180" in keys and "ARXIV:2309.06180" in keys
    assert "2309.06181" not in keys and "ARXIV:2309.06181" not in keys  # never cached

    offline, _, _ = run_enrich(hostile, tmp_path, "--offline")
    assert offline.returncode == 0, offline.stderr
    first, second, _ = json.loads(offline.stdout)["entries"]
    assert first["paper"]["arxiv"] == "2309.06180"
    assert second["reason"] == "offline: not in cache"


def test_a_cached_value_that_does_not_validate_is_asked_again(hostile, tmp_path):
    good = s2_paper("2309.06180", TITLE_A)
    hostile.route("/graph/v1/paper/batch", batch_of({"ARXIV:2309.06180": good}))
    run_enrich(hostile, tmp_path)
    db = sqlite3.connect(tmp_path / "c" / "paperenrich.db")
    with db:  # what an older, unvalidated run could have stored
        db.execute("update lookups set value = ? where key = 'ARXIV:2309.06180'", [json.dumps({**good, "year": "abc"})])
    db.close()
    before = hostile.hits["/graph/v1/paper/batch"]
    proc, _, _ = run_enrich(hostile, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert hostile.hits["/graph/v1/paper/batch"] == before + 1  # a miss: asked again
    assert json.loads(proc.stdout)["entries"][0]["paper"]["year"] == 2023


def test_fix_writes_nothing_from_a_malicious_doi_and_keeps_a_hostile_name_on_its_line(hostile, tmp_path):
    """Issue 12, item 5: `fix --add doi` wrote a link to another site taken from externalIds.DOI, and
    an author name with a newline was dropped."""
    evil = s2_paper("2309.06180", TITLE_A, externalIds={"ArXiv": "2309.06180", "DOI": "10.1234/x)](https://evil.example/z"},
                    authors=[{"authorId": "1", "name": "Eve\nMallory"},
                             {"authorId": "2", "name": "Bob <!-- /paperenrich --> [x](https://evil.example/)"}])
    hostile.route("/graph/v1/paper/batch", batch_of({"ARXIV:2309.06180": evil}))
    proc, _, _ = run_enrich(hostile, tmp_path, command=("fix", "list.md", "--add", "doi,authors", "--no-check-links",
                                                        "--write", "--cache", "c"))
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "list.md").read_text(encoding="utf-8")
    assert "doi.org" not in text  # nothing from the DOI
    cmarkgfm = pytest.importorskip("cmarkgfm")
    rendered = cmarkgfm.github_flavored_markdown_to_html(text)  # as GitHub shows the list
    assert "evil.example" not in "".join(re.findall(r'href="([^"]*)"', rendered))
    assert text.count("\n") == LIST.count("\n")  # no line broken or added
    (line,) = [line for line in text.splitlines() if "<!-- paperenrich -->" in line]
    assert "Eve Mallory" in line and line.count("<!-- /paperenrich -->") == 1 and line.endswith("<!-- /paperenrich -->")
