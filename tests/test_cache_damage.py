"""A damaged cache (issue 12, item 10): garbage inside the file, a file that is not a database at
all, one value that is not JSON. The run goes on (a fresh cache, one warning line), and `cache
clear` works on it."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from paperenrich.cache import DB_NAME, Cache


def filled_cache(where: Path, rows: int = 3000) -> Path:
    cache = Cache(where)
    cache.put_many("arxiv", {f"2309.{i:05d}": {"arxiv": f"2309.{i:05d}", "title": "t" * 200} for i in range(rows)})
    cache.close()
    return where / DB_NAME


def scribble(db: Path) -> None:
    """Garbage over the middle of the file, past the header and the schema page."""
    size = db.stat().st_size
    with db.open("r+b") as fh:
        fh.seek(size // 2)
        fh.write(os.urandom(8192))


def test_garbage_inside_the_file_is_detected_on_opening_and_moved_aside(tmp_path, caplog):
    db = filled_cache(tmp_path)
    scribble(db)
    with caplog.at_level(logging.WARNING, logger="paperenrich.cache"):
        cache = Cache(tmp_path)
    (line,) = [r.getMessage() for r in caplog.records]
    assert line.startswith("warning: cache") and "moved it to paperenrich.db.damaged-" in line
    assert cache.moved_aside is not None and cache.moved_aside.exists()
    assert cache.get_many("arxiv", ["2309.00001"]) == {}  # a fresh cache: a miss, no crash
    cache.put_many("arxiv", {"2309.00001": {"ok": 1}})
    assert cache.get("arxiv", "2309.00001").value == {"ok": 1}
    cache.close()


def test_a_file_that_is_not_a_database(tmp_path, caplog):
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with caplog.at_level(logging.WARNING, logger="paperenrich.cache"):
        cache = Cache(tmp_path)
    assert len(caplog.records) == 1 and cache.stats()["exists"]
    cache.close()


def test_one_value_that_is_not_json_is_a_miss(tmp_path):
    filled_cache(tmp_path, rows=2)
    db = sqlite3.connect(tmp_path / DB_NAME)
    with db:
        db.execute("update lookups set value = '{not json' where key = '2309.00000'")
    db.close()
    cache = Cache(tmp_path)
    found = cache.get_many("arxiv", ["2309.00000", "2309.00001"])
    assert set(found) == {"2309.00001"} and cache.moved_aside is None
    cache.close()


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERENRICH_")}
    return subprocess.run([sys.executable, "-m", "paperenrich", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=120)


def test_scan_enrich_offline_and_cache_clear_on_a_damaged_cache(tmp_path):
    db = filled_cache(tmp_path / "c")
    scribble(db)
    (tmp_path / "list.md").write_text("- A Paper Title About Systems [pdf](https://arxiv.org/abs/2309.00001)\n", encoding="utf-8")
    proc = _cli(["enrich", "list.md", "--offline", "--cache", "c", "--format", "json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entries"][0]["reason"] == "offline: not in cache"
    assert proc.stderr.count("warning: cache") == 1

    scribble(tmp_path / "c" / DB_NAME)  # damaged again (the fresh one, now)
    filled_cache(tmp_path / "d")
    scribble(tmp_path / "d" / DB_NAME)
    for where in ("c", "d"):
        proc = _cli(["cache", "clear", "--cache", where], tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith("removed")
        proc = _cli(["cache", "stats", "--cache", where], tmp_path)
        assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("operation", ["clear", "get", "put", "stats", "prune"])
def test_damage_found_after_opening_moves_the_file_aside_and_the_operation_goes_on(tmp_path, operation):
    filled_cache(tmp_path)
    cache = Cache(tmp_path)  # sound when opened; SQLite then meets a damaged page

    def malformed(*args, **kwargs):
        raise sqlite3.DatabaseError("database disk image is malformed")

    cache.db.execute = malformed
    run = {"clear": lambda: cache.clear(), "get": lambda: cache.get_many("arxiv", ["2309.00001"]),
           "put": lambda: cache.put_many("arxiv", {"k": 1}), "stats": lambda: cache.stats(),
           "prune": lambda: cache.prune({"arxiv": 1.0})}[operation]
    run()
    assert cache.moved_aside is not None and cache.moved_aside.exists()
    assert cache.get_many("arxiv", ["2309.00001"]) == {}  # the fresh cache
    cache.close()
