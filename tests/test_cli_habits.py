"""What people type by habit: -V, a closed pipe, shell completion, -o into a bad folder, fix's diff
applied with `git apply`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_run import run


SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
SEED = SEEDS / "002_afdee21c2821ae4e.txt"
REPO_SRC = str(Path(__file__).resolve().parents[1] / "src")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=REPO_SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.update(extra)
    return env




def test_short_version_flag(capsys):
    code, out, _err = run(capsys, "-V")
    assert code == 0 and out.startswith("paperenrich, version ")


@pytest.mark.parametrize("args", [[], ["--help"], ["scan", "--help"], ["cache", "stats", "--help"]])
def test_a_reader_that_is_already_gone_is_not_an_error(args):
    # `paperenrich | head -1` at its worst: the pipe's reading end is closed before we write a byte,
    # so the first write fails. No traceback, exit 0.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run([sys.executable, "-m", "paperenrich", *args], stdout=write_end, stderr=subprocess.PIPE,
                              text=True, env=_env(), timeout=60)
    finally:
        os.close(write_end)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F _paperenrich_completion paperenrich"),
                                           ("zsh", "#compdef paperenrich"),
                                           ("fish", "complete --no-files --command paperenrich")])
def test_shell_completion_scripts_are_clicks_own(shell, marker):
    proc = subprocess.run([sys.executable, "-m", "paperenrich"], capture_output=True, text=True, timeout=60,
                          env=_env(_PAPERENRICH_COMPLETE=f"{shell}_source"))
    assert proc.returncode == 0
    assert marker in proc.stdout and "Usage:" not in proc.stdout


def test_bash_completion_completes_commands_and_options():
    def complete(words: str, cword: int) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "paperenrich"], capture_output=True, text=True, timeout=60,
                              env=_env(_PAPERENRICH_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(cword)))
        assert proc.returncode == 0
        return proc.stdout.split()

    assert complete("paperenrich sc", 1) == ["plain,scan"]
    assert "plain,--format" in complete("paperenrich scan --fo", 2)


def test_output_into_a_missing_folder_fails_before_any_request(cli_env, scholar_world, capsys):
    lst = cli_env / "list.md"
    lst.write_text("- Attention Is All You Need (NeurIPS'17) [paper](https://arxiv.org/abs/1706.03762)\n")
    for command in ("enrich", "bibtex", "report", "scan"):
        code, out, err = run(capsys, command, lst, "-o", cli_env / "missing" / "out.txt")
        assert code == 3 and out == ""
        assert err.startswith("error: ") and "missing does not exist" in err and err.count("\n") == 1
    (cli_env / "a-file").write_text("")
    code, _out, err = run(capsys, "enrich", lst, "-o", cli_env / "a-file" / "out.json")
    assert code == 3 and "a-file is not a folder" in err
    assert len(scholar_world.log) == 0  # refused before any work
    assert not (cli_env / "cache").exists()


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True,
                    reason="root writes into any folder whatever its mode")
def test_output_into_an_unwritable_folder_fails_before_any_request(cli_env, scholar_world, capsys):
    lst = cli_env / "list.md"
    lst.write_text("- Attention Is All You Need (NeurIPS'17) [paper](https://arxiv.org/abs/1706.03762)\n")
    locked = cli_env / "locked"
    locked.mkdir(mode=0o555)
    try:
        code, _out, err = run(capsys, "enrich", lst, "-o", locked / "out.json")
    finally:
        locked.chmod(0o755)
    assert code == 3 and "locked is not writable" in err
    assert len(scholar_world.log) == 0


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
@pytest.mark.skipif(not SEED.exists(), reason="seed lists not present")
def test_fix_diff_applies_with_git_apply_from_the_repository_root(cli_env, capsys):
    repo = cli_env / "repo"
    (repo / "docs").mkdir(parents=True)
    assert _git(repo, "init", "-q").returncode == 0
    target = repo / "docs" / "papers.md"
    shutil.copyfile(SEED, target)
    elsewhere = cli_env / "elsewhere"
    elsewhere.mkdir()
    os.chdir(elsewhere)  # the list named as ../repo/docs/papers.md: a path git would refuse
    code, diff, _err = run(capsys, "fix", Path("..") / "repo" / "docs" / "papers.md", "--no-check-links", "--add", "doi")
    assert code == 0 and diff.startswith("--- a/docs/papers.md\n+++ b/docs/papers.md\n")
    patch = cli_env / "fix.patch"
    patch.write_text(diff)
    checked = _git(repo, "apply", "--check", str(patch))
    assert checked.returncode == 0, checked.stderr
    assert _git(repo, "apply", str(patch)).returncode == 0
    # Applying the diff gives what --write writes.
    applied = target.read_text(encoding="utf-8")
    shutil.copyfile(SEED, target)
    code, _out, _err = run(capsys, "fix", target, "--no-check-links", "--add", "doi", "--write")
    assert code == 0 and target.read_text(encoding="utf-8") == applied


LONG_COMMANDS = ("enrich", "bibtex", "fix", "report", "check")


def _command_args(command: str, lst: Path) -> list[str]:
    # Links to arxiv.org are excluded from link checks: tests send nothing beyond loopback.
    config = lst.parent / "pe.toml"
    config.write_text('exclude = ["^https://arxiv\\\\.org/"]\nlink_timeout = 3.0\n')
    if command in ("check", "fix", "report"):
        return [command, lst, "--allow-private", "--config", config]
    return [command, lst, "--config", config]


@pytest.mark.parametrize("command", LONG_COMMANDS)
def test_quiet_verbose_and_no_progress_on_every_long_command(command, cli_env, capsys):
    from tests.emulator.webhosts import WebHosts

    with WebHosts(1, time_scale=1.0, first_host=131) as hosts:
        lst = cli_env / "list.md"
        lst.write_text(f"# Papers\n\n- Attention Is All You Need (NeurIPS'17) [paper](https://arxiv.org/abs/1706.03762) "
                       f"[code]({hosts.url(0, 'ok/code')})\n")
        args = _command_args(command, lst)
        code, verbose_out, verbose_err = run(capsys, *args, "-vv", "--no-progress")  # first: nothing cached yet
        assert code == 0, verbose_err
        code, normal_out, normal_err = run(capsys, *args, "--no-progress")
        assert code == 0, normal_err
        code, quiet_out, quiet_err = run(capsys, *args, "-q")
        assert code == 0 and quiet_err == ""
    if command != "report":  # the report carries its generation time
        assert quiet_out == normal_out == verbose_out  # the flags change standard error only
    assert len(verbose_err.splitlines()) > len(normal_err.splitlines())
    assert "HTTP Request: " in verbose_err  # -vv: every request (the link's host, or the cached services' misses)
    if command != "check":
        assert "requests (arXiv" in verbose_err  # -v: the resolution's summary line


def test_quiet_and_verbose_together_is_a_usage_error(cli_env, capsys):
    lst = cli_env / "list.md"
    lst.write_text("- A paper (OSDI'22)\n")
    code, _out, err = run(capsys, "enrich", lst, "-q", "-v", "--offline")
    assert code == 3 and "-q and -v" in err
