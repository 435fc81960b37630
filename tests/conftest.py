"""Shared fixtures. Keep them generic: module-specific fixtures belong in their test modules.

`scholar_world`: the arXiv + Semantic Scholar emulators (tests/emulator), started once per
session at time scale 0.01 (arXiv's 3 s interval becomes 30 ms), reset before each test: empty
log, no faults, fresh rate windows. `scholar_settings`: paperenrich Settings pointing at it,
with a per-test cache directory and pace file.
"""

from __future__ import annotations

import pytest

from tests.emulator import ScholarWorld

TEST_S2_KEY = "test-key"
TEST_TIME_SCALE = 0.01


@pytest.fixture(scope="session")
def scholar_world_session():
    with ScholarWorld(time_scale=TEST_TIME_SCALE, s2_api_key=TEST_S2_KEY) as world:
        yield world


@pytest.fixture
def scholar_world(scholar_world_session):
    scholar_world_session.reset()
    yield scholar_world_session
    scholar_world_session.reset()


@pytest.fixture
def scholar_settings(scholar_world, tmp_path):
    from paperenrich.config import Settings

    return Settings(
        arxiv_url=scholar_world.arxiv_url,
        s2_url=scholar_world.s2_url,
        s2_api_key=TEST_S2_KEY,
        arxiv_interval=scholar_world.arxiv_interval_scaled,
        s2_rps=scholar_world.s2_rps_scaled,
        cache_dir=tmp_path / "cache",
        pace_file=tmp_path / "pace.db",  # each test starts on fresh lanes, as the world's rate windows do
        http_timeout=5.0,
    )


@pytest.fixture(autouse=True)
def sandboxed_user_cache(tmp_path_factory, monkeypatch):
    """The default cache is the user's cache directory (platformdirs reads XDG_CACHE_HOME on Linux):
    in tests, a fresh one per test, so no test reads another's answers or the developer's own cache.
    The machine-wide pace file (XDG_STATE_HOME) too: each test starts on fresh lanes, as the world's
    rate windows do."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("user-state")))


_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch):
    """The services' client honours the environment's proxies (http.make_client): a proxy set on
    the machine running the tests must not carry the emulators' loopback traffic. Tests of the
    proxy path set their own (tests/test_proxy.py)."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli_env(scholar_world, tmp_path, monkeypatch):
    """For running the command line in-process: the emulators' endpoints in the environment, a cache of the
    test's own, and the test's folder as the working directory (returned)."""
    for name, value in scholar_world.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PAPERENRICH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
