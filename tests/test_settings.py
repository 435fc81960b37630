"""Settings precedence: defaults < config file < environment < flags; secrets stay out of files and reprs."""

from pathlib import Path

import pytest

from paperenrich.config import Settings, load_settings
from paperenrich.errors import ConfigError


def test_defaults_are_the_real_services():
    s = load_settings(env={}, config=None)
    assert s.arxiv_url == "https://export.arxiv.org/api/query"
    assert s.s2_url == "https://api.semanticscholar.org/graph/v1"
    assert s.arxiv_interval == 3.0


def test_precedence_file_env_flag(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "paperenrich.toml").write_text('arxiv_interval = 5\nhost_concurrency = 2\n[hosts."dl.acm.org"]\nmax_concurrency = 1\ninterval = 2.5\n')
    s = load_settings(env={})
    assert s.arxiv_interval == 5.0 and s.host_concurrency == 2
    assert s.hosts["dl.acm.org"].max_concurrency == 1 and s.hosts["dl.acm.org"].interval == 2.5
    s = load_settings(env={"PAPERENRICH_ARXIV_INTERVAL": "0.5"})
    assert s.arxiv_interval == 0.5 and s.host_concurrency == 2
    s = load_settings(env={"PAPERENRICH_ARXIV_INTERVAL": "0.5"}, arxiv_interval=0.25)
    assert s.arxiv_interval == 0.25


def test_pyproject_tool_table(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n[tool.paperenrich]\nlink_timeout = 7\n')
    assert load_settings(env={}).link_timeout == 7.0


@pytest.mark.parametrize("text, fragment", [
    ("arxiv_interval = [", "not valid TOML"),
    ("no_such_setting = 1", "unknown setting"),
    ("s2_api_key = 'abc'", "environment"),
    ("allow_private = 'yes'", "bad value"),
])
def test_bad_config_is_a_config_error(tmp_path: Path, monkeypatch, text, fragment):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "paperenrich.toml").write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(env={})


def test_bad_env_value():
    with pytest.raises(ConfigError, match="PAPERENRICH_S2_RPS"):
        load_settings(env={"PAPERENRICH_S2_RPS": "fast"})


def test_secrets_not_in_repr():
    s = Settings(s2_api_key="sk-secret-123", github_token="ghp_secret")
    assert "sk-secret-123" not in repr(s) and "ghp_secret" not in repr(s)


def test_s2_pace_depends_on_key():
    assert Settings(s2_api_key="k").effective_s2_rps == 1.0
    assert Settings().effective_s2_rps < 1.0
    assert Settings(s2_rps=20).effective_s2_rps == 20


def test_user_agent_names_tool_and_contact():
    ua = Settings(contact="me@example.org").user_agent
    assert ua.startswith("paperenrich/") and "me@example.org" in ua
