"""Files are replaced in one rename: permissions kept, nothing left behind, failures in one line."""

import os
import stat
import subprocess
import sys

import pytest

from paperenrich.atomic import replace_file
from paperenrich.errors import PaperenrichError


def test_new_file_gets_umask_permissions_and_no_temp_is_left(tmp_path):
    target = tmp_path / "out.txt"
    replace_file(target, b"hello\n")
    assert target.read_bytes() == b"hello\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_existing_file_keeps_its_mode(tmp_path):
    target = tmp_path / "list.md"
    target.write_bytes(b"old")
    target.chmod(0o640)
    replace_file(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_missing_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(PaperenrichError, match="cannot write"):
        replace_file(tmp_path / "no" / "such" / "dir" / "out.txt", b"x")


def test_cli_output_to_a_missing_directory(tmp_path):
    (tmp_path / "list.md").write_text("- A Paper Title About Systems (OSDI'22)\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "paperenrich", "scan", "list.md", "-o", "nowhere/out.txt"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3  # a bad -o value, refused before any work (see tests/test_cli_habits.py)
    assert "cannot write nowhere/out.txt: nowhere does not exist" in proc.stderr and proc.stderr.count("\n") == 1
