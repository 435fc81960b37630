"""The cache lives in the user's cache directory by default: a run inside a list's own repository
leaves `git status` clean, and a second directory reuses what the first fetched."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from paperenrich.cli import main

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "002_afdee21c2821ae4e.txt"
pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="git not installed"),
              pytest.mark.skipif(not SEED.exists(), reason="seed lists not present")]


def run(capsys, *args: object) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=True)
    return proc.stdout


@pytest.fixture
def user_env(scholar_world, tmp_path, monkeypatch):
    for name, value in scholar_world.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PAPERENRICH_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))  # where platformdirs puts it on Linux
    return tmp_path


def test_a_run_in_the_lists_repository_leaves_it_clean_and_a_second_directory_reuses_the_cache(
        user_env, scholar_world, capsys, monkeypatch):
    repo = user_env / "awesome-list"
    repo.mkdir()
    shutil.copyfile(SEED, repo / "README.md")
    git(repo, "init", "-q")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "the list")
    monkeypatch.chdir(repo)
    code, first, _err = run(capsys, "enrich", "README.md", "--format", "json")
    assert code == 0
    assert len(scholar_world.log) > 0  # the first run asked the services
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == ""
    assert (user_env / "home-cache" / "paperenrich" / "paperenrich.db").is_file()

    elsewhere = user_env / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(SEED, elsewhere / "README.md")
    monkeypatch.chdir(elsewhere)
    scholar_world.log.clear()
    code, second, _err = run(capsys, "enrich", "README.md", "--format", "json")
    assert code == 0
    assert len(scholar_world.log) == 0  # every answer came from the shared user cache
    assert json.loads(second)["entries"] == json.loads(first)["entries"]
    assert not (elsewhere / "cache").exists()

    code, out, _err = run(capsys, "cache", "stats")
    assert code == 0 and str(user_env / "home-cache" / "paperenrich" / "paperenrich.db") in out
    assert "user cache" in out
    code, out, _err = run(capsys, "cache", "stats", "--json")
    assert json.loads(out)["path"] == str(user_env / "home-cache" / "paperenrich" / "paperenrich.db")


def test_check_caches_in_the_user_cache_or_where_cache_says(user_env, capsys, monkeypatch):
    from tests.emulator.webhosts import WebHosts

    monkeypatch.chdir(user_env)
    with WebHosts(1, time_scale=1.0, first_host=133) as hosts:
        lst = user_env / "list.md"
        lst.write_text(f"- [A page]({hosts.url(0, 'ok/page')})\n")
        chosen = user_env / "chosen"
        code, out, _err = run(capsys, "check", lst, "--allow-private", "--format", "json", "--cache", chosen)
        assert code == 0 and json.loads(out)["summary"]["from_cache"] == 0
        assert (chosen / "paperenrich.db").is_file()
        assert not (user_env / "home-cache").exists()  # --cache DIR: nothing written elsewhere
        code, out, _err = run(capsys, "check", lst, "--allow-private", "--format", "json", "--cache", chosen)
        assert json.loads(out)["summary"]["from_cache"] == 1

        monkeypatch.setenv("PAPERENRICH_CACHE", str(user_env / "from-env"))
        code, out, _err = run(capsys, "check", lst, "--allow-private", "--format", "json")
        assert code == 0 and (user_env / "from-env" / "paperenrich.db").is_file()
        monkeypatch.delenv("PAPERENRICH_CACHE")
        code, out, _err = run(capsys, "check", lst, "--allow-private", "--format", "json")
        assert code == 0 and (user_env / "home-cache" / "paperenrich" / "paperenrich.db").is_file()
    assert not (user_env / "cache").exists()
