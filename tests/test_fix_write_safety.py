"""`fix --write` on the files users really have (issue 12, item 10): a symlinked list is written
through the link, a read-only list is refused unless --force, the data is fsynced before the
rename, and no temporary file outlives the write, whatever ends it (a kill included)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from paperenrich import atomic
from paperenrich.atomic import replace_file
from paperenrich.errors import InputError
from tests.cli_run import run

LIST = "# Papers\n\n- A paper (OSDI'22) [paper](https://arxiv.org/pdf/2201.00001.pdf)\n"


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    real = tmp_path / "docs" / "README.md"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "list.md"
    link.symlink_to(Path("docs") / "README.md")  # relative, as a repository would hold it
    replace_file(link, b"new\n")
    assert link.is_symlink() and os.readlink(link) == str(Path("docs") / "README.md")
    assert real.read_bytes() == b"new\n"
    assert sorted(p.name for p in real.parent.iterdir()) == ["README.md"]


def test_a_read_only_file_is_refused_unless_forced(tmp_path):
    target = tmp_path / "list.md"
    target.write_bytes(b"old")
    target.chmod(0o444)
    with pytest.raises(InputError, match="read-only"):
        replace_file(target, b"new")
    assert target.read_bytes() == b"old"
    replace_file(target, b"new", force=True)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o444


def test_the_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(atomic.os, "replace", lambda a, b: (events.append("rename"), real_replace(a, b))[1])
    replace_file(tmp_path / "list.md", b"data")
    assert events[:2] == ["fsync", "rename"] and events.count("fsync") == 2  # the file, then the directory


def test_a_failed_write_removes_its_temporary_file(tmp_path, monkeypatch):
    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full_disk)
    with pytest.raises(Exception, match="No space left"):
        replace_file(tmp_path / "list.md", b"data")
    assert list(tmp_path.iterdir()) == []


# A writer that is SIGKILLed between writing its temporary file and renaming it.
_KILLED_WRITER = """
import os, sys, time
from paperenrich import atomic
atomic.os.replace = lambda a, b: (print("written", flush=True), time.sleep(60))
atomic.replace_file(atomic.Path(sys.argv[1]), b"half")
"""


def test_a_temporary_file_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "list.md"
    target.write_bytes(b"original")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE, text=True, env=env)
    assert writer.stdout.readline().strip() == "written"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    leftovers = list(tmp_path.glob(".list.md.*.tmp"))
    assert len(leftovers) == 1 and target.read_bytes() == b"original"  # the kill left one behind
    replace_file(target, b"next")
    assert target.read_bytes() == b"next" and not list(tmp_path.glob(".list.md.*.tmp"))


def test_a_live_writers_temporary_file_is_left_alone(tmp_path):
    target = tmp_path / "list.md"
    mine = tmp_path / f".list.md.{os.getppid()}.abc123.tmp"  # the parent process is alive
    mine.write_bytes(b"in progress")
    replace_file(target, b"x")
    assert mine.exists()


def test_fix_write_refuses_a_read_only_list_and_force_writes_it(cli_env, capsys):
    path = cli_env / "list.md"
    path.write_text(LIST, encoding="utf-8")
    path.chmod(0o444)
    code, _out, err = run(capsys, "fix", path, "--no-check-links", "--offline", "--write")
    (error,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 4 and "read-only" in error and "--force" in error
    assert path.read_text(encoding="utf-8") == LIST
    code, _out, err = run(capsys, "fix", path, "--no-check-links", "--offline", "--write", "--force")
    assert code == 0 and "rewritten" in err
    assert "arxiv.org/abs/2201.00001" in path.read_text(encoding="utf-8")


def test_fix_write_through_a_symlink(cli_env, capsys):  # noqa: F811
    real = cli_env / "README.md"
    real.write_text(LIST, encoding="utf-8")
    link = cli_env / "list.md"
    link.symlink_to("README.md")
    code, _out, _err = run(capsys, "fix", link, "--no-check-links", "--offline", "--write")
    assert code == 0 and link.is_symlink()
    assert "arxiv.org/abs/2201.00001" in real.read_text(encoding="utf-8")
