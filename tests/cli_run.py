"""Running the command line in-process for a test: `run(capsys, "scan", "list.md")` -> (exit code, stdout, stderr)."""

from __future__ import annotations

import pytest

from paperenrich.cli import main


def run(capsys, *args: object) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err
