"""`paperenrich enrich` as a user runs it: a subprocess against the emulators (outputs, exit codes,
one-line errors, the API key never shown or stored, and a SIGKILL mid-run that loses nothing)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seeds not present")

LIST = """# Papers
- Efficient Memory Management for Large Language Model Serving with PagedAttention (SOSP'23) [pdf](https://arxiv.org/abs/2309.06180)
- Attention Is All You Need (NeurIPS'17)
- A Paper Title That Nobody Has Ever Written About Anything (ICML'21)
"""


def _env(world, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERENRICH_", "S2_API_KEY"))}
    env.update(world.env())
    env.update(extra)
    return env


def enrich(args, env, cwd, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperenrich", "enrich", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=timeout)


def test_json_contract_and_one_line_summary(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    proc = enrich(["list.md", "--format", "json", "--cache", "c"], _env(scholar_world), tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    vllm, attention, nothing = doc["entries"]
    paper = vllm["paper"]
    for key in ("title", "authors", "year", "venue", "venue_short", "publication_date", "doi", "arxiv", "s2_id",
                "corpus_id", "dblp", "citation_count", "influential_citation_count", "canonical_url", "pdf_url",
                "published_version", "match"):
        assert key in paper
    assert paper["arxiv"] == "2309.06180" and paper["match"]["method"] == "id"
    assert set(paper["match"]) == {"method", "source", "score", "reasons"}
    assert attention["paper"]["match"]["method"] == "title"
    assert nothing["paper"] is None and nothing["reason"].startswith("not found")
    assert doc["summary"]["by_id"] == 1 and doc["summary"]["by_title"] == 1 and doc["summary"]["unresolved"] == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("enrich: 3 entries: 1 by id, 1 by title")


def test_csv_and_table(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = _env(scholar_world)
    proc = enrich(["list.md", "--format", "csv", "--cache", "c", "-o", "out.csv"], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [r["status"] for r in rows] == ["resolved", "resolved", "unresolved"]
    assert rows[0]["arxiv"] == "2309.06180"
    table = enrich(["list.md", "--cache", "c"], env, tmp_path)
    assert table.returncode == 0 and "Efficient Memory Management" in table.stdout and "not found" in table.stdout
    assert "0 requests" in table.stderr  # the second run came from the cache


def test_bad_inputs_are_one_line_errors_with_documented_codes(scholar_world, tmp_path):
    env = _env(scholar_world)
    missing = enrich(["nope.md", "--cache", "c"], env, tmp_path)
    assert missing.returncode == 4 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    (tmp_path / "bad.toml").write_text("[[pin]]\ntitle = 'x y z'\n", encoding="utf-8")
    bad = enrich(["list.md", "--overrides", "bad.toml", "--cache", "c"], env, tmp_path)
    assert bad.returncode == 3 and bad.stderr.count("\n") == 1 and "give exactly one of" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_no_network_says_so_in_one_line_and_offline_works_from_the_cache(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    assert enrich(["list.md", "--cache", "c"], _env(scholar_world), tmp_path).returncode == 0
    port = _closed_port()
    dead = _env(scholar_world, PAPERENRICH_ARXIV_URL=f"http://127.0.0.1:{port}/api/query",
                PAPERENRICH_S2_URL=f"http://127.0.0.1:{port}/graph/v1")
    proc = enrich(["list.md", "--cache", "fresh"], dead, tmp_path, timeout=60)
    assert proc.returncode == 5 and proc.stderr.count("\n") == 1 and "no network" in proc.stderr
    offline = enrich(["list.md", "--cache", "c", "--offline", "--format", "json"], dead, tmp_path)
    assert offline.returncode == 0
    doc = json.loads(offline.stdout)
    assert [e["paper"] is not None for e in doc["entries"]] == [True, True, False]
    assert doc["summary"]["requests_total"] == 0


def test_api_key_never_in_output_logs_or_cache(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    key = scholar_world.s2_api_key
    ok = enrich(["list.md", "--cache", "c", "--format", "json"], _env(scholar_world), tmp_path)
    wrong_key = "wrong-key-7f3e1b9d"
    refused = enrich(["list.md", "--cache", "c2", "--format", "json"], _env(scholar_world, S2_API_KEY=wrong_key), tmp_path)
    assert ok.returncode == 0 and refused.returncode == 0
    assert scholar_world.log.count(service="s2", status=403) >= 1
    assert "HTTP 403" in refused.stdout  # the refusal is reported, the key is not
    for proc, secret in ((ok, key), (refused, wrong_key)):
        assert secret not in proc.stdout and secret not in proc.stderr
    for cache_dir, secret in (("c", key), ("c2", wrong_key)):
        for f in (tmp_path / cache_dir).iterdir():
            assert secret.encode() not in f.read_bytes()


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return conn.execute("select count(*) from lookups").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.timeout(180)
def test_sigkill_mid_run_then_rerun_equals_an_uninterrupted_run(scholar_world, tmp_path):
    seed = next(p for p in SEEDS if p.name.startswith("004"))
    env = _env(scholar_world)
    full = enrich([str(seed), "--format", "json", "--cache", "full"], env, tmp_path)
    assert full.returncode == 0, full.stderr
    full_requests = len(scholar_world.log) - scholar_world.log.count(status=429)
    full_rows = _rows(tmp_path / "full" / "paperenrich.db")

    scholar_world.reset()
    proc = subprocess.Popen([sys.executable, "-m", "paperenrich", "enrich", str(seed), "--format", "json", "--cache", "killed"],
                            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = tmp_path / "killed" / "paperenrich.db"
    deadline = time.monotonic() + 60
    while _rows(db) < full_rows // 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-run, not finished
    before_kill = len(scholar_world.log)
    assert 0 < before_kill < full_requests

    scholar_world.reset()
    resumed = enrich([str(seed), "--format", "json", "--cache", "killed"], env, tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    resumed_requests = len(scholar_world.log) - scholar_world.log.count(status=429)
    assert resumed_requests < full_requests  # what finished before the kill was not asked again
    assert json.loads(resumed.stdout)["entries"] == json.loads(full.stdout)["entries"]


BOX_CHARS = set("│┃─━┏┓┗┛┡┩╇╈┼╋")


def _plain_table_checks(text: str, world) -> None:
    """Plain aligned text: a header, one line per entry in list order, columns that line up."""
    assert "\x1b[" not in text and not BOX_CHARS & set(text)
    header, *rows = text.rstrip("\n").splitlines()
    assert header.split() == ["LINE", "TITLE", "YEAR", "VENUE", "DOI", "/", "ARXIV", "CITES", "MATCH"]
    assert [row.split()[0] for row in rows] == ["2", "3", "4"]  # the entries' lines in LIST
    vllm = world.corpus.get_arxiv("2309.06180")
    title_col, year_col = header.index("TITLE"), header.index("YEAR")
    assert rows[0][title_col:].startswith(vllm.title[:40])
    assert rows[0][year_col:].startswith(str(vllm.year))
    assert rows[2][title_col:].startswith("A Paper Title That Nobody") and "not found" in rows[2]


def test_table_is_plain_text_when_piped_or_written_to_a_file(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = _env(scholar_world)
    piped = enrich(["list.md", "--cache", "c"], env, tmp_path)
    assert piped.returncode == 0, piped.stderr
    _plain_table_checks(piped.stdout, scholar_world)
    to_file = enrich(["list.md", "--cache", "c", "-o", "out.txt"], env, tmp_path)
    assert to_file.returncode == 0 and to_file.stdout == ""
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == piped.stdout


def _run_on_a_terminal(args, env, cwd) -> tuple[int, str]:
    """Run with standard output on a pseudo-terminal; what the terminal got, as text."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "paperenrich", "enrich", *args], stdout=follower,
                            stderr=subprocess.DEVNULL, env={**env, "COLUMNS": "200"}, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_table_is_a_rich_table_on_a_terminal_but_plain_with_output_file(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = _env(scholar_world)
    code, shown = _run_on_a_terminal(["list.md", "--cache", "c"], env, tmp_path)
    assert code == 0
    assert BOX_CHARS & set(shown) and "Efficient Memory Management" in shown
    # -o FILE gets plain text even when standard output is a terminal.
    code, shown = _run_on_a_terminal(["list.md", "--cache", "c", "-o", "out.txt"], env, tmp_path)
    assert code == 0 and shown == ""
    _plain_table_checks((tmp_path / "out.txt").read_text(encoding="utf-8"), scholar_world)


def test_enrich_bibtex_fix_report_share_one_set_of_service_flags():
    from paperenrich.cli.app import app
    import paperenrich.cli  # noqa: F401  (registers the commands)

    def flags(command: str) -> dict[str, tuple]:
        return {p.name: (tuple(p.opts), p.help, p.is_flag) for p in app.commands[command].params
                if isinstance(p, __import__("click").Option) and p.name not in ("help",)}

    service = {"config", "cache_dir", "no_cache", "offline", "refresh", "overrides_file", "contact", "arxiv_url",
               "s2_url", "arxiv_interval", "s2_rps"}
    shared = {name: flags("enrich")[name] for name in service}
    for command in ("bibtex", "fix", "report"):
        assert {name: flags(command)[name] for name in service} == shared, command


def test_endpoint_flags_and_no_cache_work_for_enrich_and_bibtex(scholar_world, tmp_path):
    (tmp_path / "list.md").write_text(LIST, encoding="utf-8")
    env = _env(scholar_world)
    for name in ("PAPERENRICH_ARXIV_URL", "PAPERENRICH_S2_URL"):
        env.pop(name)
    urls = ["--arxiv-url", scholar_world.arxiv_url, "--s2-url", scholar_world.s2_url]
    proc = enrich(["list.md", "--format", "json", "--no-cache", *urls], env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [e["paper"] is not None for e in json.loads(proc.stdout)["entries"]] == [True, True, False]
    assert not (tmp_path / "cache").exists()  # --no-cache: nothing written to the default ./cache
    bib = subprocess.run([sys.executable, "-m", "paperenrich", "bibtex", "list.md", "--no-cache", "--no-unresolved",
                          *urls], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert bib.returncode == 0, bib.stderr
    assert bib.stdout.count("\n@") + bib.stdout.startswith("@") == 2 and "2309.06180" in bib.stdout


@pytest.mark.timeout(180)
def test_two_processes_sharing_one_cache_both_finish_correctly(scholar_world, tmp_path):
    from tests.test_resolve import seed_truth

    where, _absent = seed_truth()
    by_key = {r.key: r for r in scholar_world.corpus.records}
    seeds = [next(p for p in SEEDS if p.name.startswith(n)) for n in ("000", "001")]
    env = _env(scholar_world)
    # Slow answers stretch each run over seconds (every S2 answer takes 1.5 s; seed 000 alone needs
    # three in turn), more than the two processes' start-up skew on a busy machine, so the two resolve
    # and write into the one cache at the same time (checked below: the S2 emulator saw both
    # clients' requests at once).
    scholar_world.faults.latency(1.5, service="s2")
    procs = [subprocess.Popen([sys.executable, "-m", "paperenrich", "enrich", str(seed), "--format", "json",
                               "--cache", "shared", "--no-progress"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in seeds]
    outputs = [proc.communicate(timeout=150) for proc in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    assert scholar_world.log.max_in_flight("s2") >= 2  # the runs overlapped
    with sqlite3.connect(tmp_path / "shared" / "paperenrich.db") as conn:
        assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"

    for seed, (out, _err) in zip(seeds, outputs):
        wrong, missing, known = [], [], 0
        for entry in json.loads(out)["entries"]:
            loc = f"{seed.name}:{entry['line']}"
            if loc not in where:
                continue
            known += 1
            truth = by_key[where[loc]]
            if entry["paper"] is None:
                missing.append((loc, entry["reason"]))
            elif entry["paper"]["s2_id"] != truth.s2_id:
                wrong.append((loc, entry["paper"]["title"]))
        assert known > 10 and not wrong and not missing, (seed.name, wrong, missing)

    # Everything both runs found is in the shared cache: warm reruns ask nothing and answer the same.
    scholar_world.reset()
    for seed, (out, _err) in zip(seeds, outputs):
        warm = enrich([str(seed), "--format", "json", "--cache", "shared"], env, tmp_path)
        assert warm.returncode == 0, warm.stderr
        assert json.loads(warm.stdout)["entries"] == json.loads(out)["entries"]
    assert len(scholar_world.log) == 0


def test_csv_cells_cannot_be_spreadsheet_formulas():
    # A hostile title or author ("=HYPERLINK(...)", "@SUM(...)") must reach a spreadsheet as text.
    from paperenrich.export.tabular import to_csv
    from paperenrich.model import Entry, Paper, Resolution

    entry = Entry(line=3, end_line=3, section=(), title='=HYPERLINK("http://x.example","click")')
    paper = Paper(title="+cmd|' /C calc'!A0", authors=("@SUM(1+1)", "Ada Lovelace"), year=2020)
    rows = list(csv.DictReader(io.StringIO(to_csv([Resolution(entry, paper)]))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x.example","click")'
    assert rows[0]["paper_title"] == "'+cmd|' /C calc'!A0"
    assert rows[0]["authors"] == "'@SUM(1+1); Ada Lovelace"
    assert rows[0]["line"] == "3" and rows[0]["year"] == "2020"  # numbers are untouched
