"""A long list is scanned by two processes (scanner/parallel.py); the result must be the one-process
scan's, exactly. The split is forced on small inputs here (MIN_LINES = 0), so every corpus list,
seed and test file is cut at a heading near its middle and compared with its one-process scan.

The scan forks only when no other thread runs, and the test session has the emulator's server
threads: these tests run in a fresh pytest process of their own (the first test starts it).
"""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from paperenrich.scanner import parallel, scan_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_scan import generate  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
FILES = (sorted((SHARED / "lists").glob("*.md")) + sorted((SHARED / "seeds").glob("*"))
         + sorted((Path(__file__).parent / "data").glob("*.md")))

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the worker is forked on Linux only")
FRESH = os.environ.get("PAPERENRICH_FORK_TESTS") == "1"  # set in the fresh process
fresh_only = pytest.mark.skipif(not FRESH, reason="run in a fresh process by test_in_a_fresh_process")


def test_in_a_fresh_process():
    if FRESH:
        pytest.skip("this is the fresh process")
    run = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-x", "-p", "no:cacheprovider", __file__],
                         env={**os.environ, "PAPERENRICH_FORK_TESTS": "1"}, capture_output=True, text=True,
                         timeout=900, cwd=Path(__file__).resolve().parents[1])
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "9 passed, 1 skipped" in run.stdout  # (the tests below ran; this one skipped there)


def _one_process(text: str, source: str):
    saved = parallel.MIN_LINES
    parallel.MIN_LINES = 10**12
    try:
        return scan_text(text, source)
    finally:
        parallel.MIN_LINES = saved


@pytest.fixture
def forced(monkeypatch):
    """Split every input; count the scans that waited for a worker and those that got its result."""
    assert parallel.can_fork(), "a thread left running by another test keeps the scan from forking"
    monkeypatch.setattr(parallel, "MIN_LINES", 0)
    seen = {"waited": 0, "worker_results": 0}
    stream = parallel.Worker.stream

    def counting_stream(self):
        seen["waited"] += 1
        yield from stream(self)  # (raises WorkerFailed when the worker did not finish)
        seen["worker_results"] += 1

    monkeypatch.setattr(parallel.Worker, "stream", counting_stream)
    return seen


@fresh_only
def test_every_list_scans_the_same_in_two_processes(forced):
    if not FILES:
        pytest.skip("../shared is not there")
    texts = [(p.name, p.read_text(encoding="utf-8", errors="replace")) for p in FILES]
    texts.append(("generated 3,000", generate(3000, seed=3)))
    for name, text in texts:
        assert scan_text(text, name) == _one_process(text, name), name
    # (a list with no heading near its middle is not cut: most are)
    assert forced["waited"] >= len(texts) * 2 // 3
    assert forced["worker_results"] == forced["waited"]


@fresh_only
def test_the_bench_list_is_cut_without_forcing():
    text = generate(12_000)
    assert len(text.split("\n")) > parallel.MIN_LINES
    assert scan_text(text, "g") == _one_process(text, "g")


@fresh_only
def test_sections_above_the_cut_are_the_real_headings(forced, monkeypatch):
    # The cut falls on "### C" (the heading nearest the middle line): the worker starts with stand-ins
    # for levels 1 and 2; level 1 is "A", and there is no level 2 above C, so that stand-in goes.
    text = "# A\n\n- [Paper one about things](https://arxiv.org/abs/2101.00001)\n\n" \
           "### C\n\n- [Paper two about things](https://arxiv.org/abs/2101.00002)\n\n" \
           "## D\n\n- [Paper three about things](https://arxiv.org/abs/2101.00003)\n"
    monkeypatch.setattr(parallel, "PARENT_SHARE", 5 / text.count("\n"))
    monkeypatch.setattr(parallel, "CUT_WINDOW", (0.0, 1.0))
    entries = scan_text(text).entries
    assert forced["waited"] == 1 and forced["worker_results"] == 1
    assert [e.section for e in entries] == [("A",), ("A", "C"), ("A", "D")]


@fresh_only
def test_a_heading_line_that_the_parse_does_not_make_a_heading_is_no_cut(forced, monkeypatch):
    # The line nearest the middle opens like a heading but is inside a fenced block: both processes'
    # parses say so, and this process walks on alone.
    text = "# A\n\n- [Paper one about things](https://arxiv.org/abs/2101.00001)\n\n```\n# not a heading\n```\n\n" \
           "- [Paper two about things](https://arxiv.org/abs/2101.00002)\n"
    monkeypatch.setattr(parallel, "PARENT_SHARE", 5 / text.count("\n"))
    monkeypatch.setattr(parallel, "CUT_WINDOW", (0.3, 1.0))
    assert scan_text(text) == _one_process(text, "<text>")
    assert forced["waited"] == 0


@fresh_only
def test_a_failing_worker_leaves_its_part_to_this_process(forced, monkeypatch):
    text = generate(500, seed=5)
    expected = _one_process(text, "x")

    def broken_dumps(*args, **kwargs):  # (runs in the worker: it fails before writing anything)
        raise RuntimeError("worker fails")

    monkeypatch.setattr(parallel.pickle, "dumps", broken_dumps)
    assert scan_text(text, "x") == expected
    assert forced["waited"] == 1 and forced["worker_results"] == 0


@fresh_only
def test_a_worker_killed_after_some_batches_leaves_nothing_of_them(forced, monkeypatch):
    # Its first batches were already turned into entries here when it died: they are dropped (and
    # their duplicate keys forgotten), and the part is walked here, so the result is the one-process scan's.
    import paperenrich.scanner as scanner_package

    text = generate(800, seed=9)
    expected = _one_process(text, "x")
    monkeypatch.setattr(scanner_package, "_BATCH", 40)
    dumps, calls = parallel.pickle.dumps, []

    def dies_on_the_fourth(*args, **kwargs):  # (runs in the worker: the skipped items, 2 batches, then death)
        calls.append(1)
        if len(calls) == 4:
            time.sleep(0.5)  # (the writer sends what it has, and this process makes entries of it)
            os.kill(os.getpid(), signal.SIGKILL)
        return dumps(*args, **kwargs)

    monkeypatch.setattr(parallel.pickle, "dumps", dies_on_the_fourth)
    assert scan_text(text, "x") == expected
    assert forced["waited"] == 1 and forced["worker_results"] == 0


@fresh_only
def test_worker_results_failures_and_a_killed_worker():
    def items():
        yield ["a", 1]
        yield {"b": (2, 3)}

    worker = parallel.Worker(items)
    assert list(worker.stream()) == [["a", 1], {"b": (2, 3)}]
    worker.close()

    def fails():
        yield 1
        raise ValueError("no")

    def killed():
        yield 1
        os.kill(os.getpid(), signal.SIGKILL)
        yield 2

    def big_then_killed():  # (more than the pipe holds is written before the worker dies)
        for i in range(40):
            yield "x" * 100_000 + str(i)
        os.kill(os.getpid(), signal.SIGKILL)

    for work in (fails, killed, big_then_killed):
        worker = parallel.Worker(work)
        got = []
        with pytest.raises(parallel.WorkerFailed):
            for item in worker.stream():
                got.append(item)
        worker.close()
        # (a killed worker's writer may not have sent all it was given: what came is a prefix)
        sent = {fails: [1], killed: [1], big_then_killed: ["x" * 100_000 + str(i) for i in range(40)]}[work]
        assert got == sent if work is fails else got == sent[:len(got)]


@fresh_only
def test_no_fork_while_another_thread_runs(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_LINES", 0)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not parallel.can_fork()

        def no_worker(*args):
            raise AssertionError("forked with another thread running")

        monkeypatch.setattr(parallel, "Worker", no_worker)
        text = generate(200)
        assert scan_text(text) == _one_process(text, "<text>")
    finally:
        release.set()
        other.join()


@fresh_only
def test_no_fork_with_one_cpu_to_run_on(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_LINES", 0)
    assert parallel.can_fork()
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0})
    assert not parallel.can_fork()

    def no_worker(*args):
        raise AssertionError("forked with one CPU")

    monkeypatch.setattr(parallel, "Worker", no_worker)
    text = generate(300)
    assert scan_text(text) == _one_process(text, "<text>")
