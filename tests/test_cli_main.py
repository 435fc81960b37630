"""The command line's error contract: one line on stderr, documented exit codes, never a traceback."""

import subprocess
import sys


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paperenrich", *args], capture_output=True, text=True, timeout=60)


def test_usage_errors_exit_3_with_one_line():
    for args in (["--bogus"], ["scan"], ["scan", "--format", "xml", "x.md"]):
        proc = run(*args)
        assert proc.returncode == 3, args
        assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: "), proc.stderr
        assert "Traceback" not in proc.stderr


def test_no_arguments_shows_help():
    proc = run()
    assert proc.returncode == 0 and "Usage:" in proc.stdout


def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and "paperenrich" in proc.stdout
