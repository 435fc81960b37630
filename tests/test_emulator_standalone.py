"""The documented standalone command, and pointing paperenrich's settings at a world."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from paperenrich.config import load_settings

REPO = Path(__file__).resolve().parents[1]


def test_standalone_command_serves_both_apis_and_prints_the_environment():
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.emulator", "--arxiv-port", "0", "--s2-port", "0", "--time-scale", "0.01"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        env = {}
        for line in proc.stdout:
            if line.startswith("export "):
                name, _, value = line[len("export "):].strip().partition("=")
                env[name] = value
            if "S2_API_KEY" in env:
                break
        assert set(env) == {"PAPERENRICH_ARXIV_URL", "PAPERENRICH_S2_URL", "PAPERENRICH_ARXIV_INTERVAL",
                            "PAPERENRICH_S2_RPS", "S2_API_KEY"}
        arxiv = httpx.get(env["PAPERENRICH_ARXIV_URL"], params={"id_list": "1706.03762"})
        assert arxiv.status_code == 200 and b"Attention Is All You Need" in arxiv.content
        s2 = httpx.get(env["PAPERENRICH_S2_URL"] + "/paper/ARXIV:1706.03762", headers={"x-api-key": env["S2_API_KEY"]})
        assert s2.json()["title"] == "Attention Is All You Need"
        assert float(env["PAPERENRICH_ARXIV_INTERVAL"]) == 3.0 * 0.01
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_world_env_is_understood_by_paperenrich_settings(scholar_world, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config file around
    settings = load_settings(env=scholar_world.env())
    assert settings.arxiv_url == scholar_world.arxiv_url
    assert settings.s2_url == scholar_world.s2_url
    assert settings.s2_api_key == scholar_world.s2_api_key
    assert settings.arxiv_interval == scholar_world.arxiv_interval_scaled
    assert settings.effective_s2_rps == scholar_world.s2_rps_scaled
