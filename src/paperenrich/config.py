"""One Settings object for the whole tool: endpoints, keys, paces, limits and TTLs.

Precedence, lowest to highest: built-in defaults < config file < environment < command-line flags.
The config file is `paperenrich.toml` in the working directory (top-level keys), or the
`[tool.paperenrich]` table of `pyproject.toml`, or the file named by `--config`/`PAPERENRICH_CONFIG`.

Endpoints are settings, never constants, so the same code runs against the real services,
against the local emulator in tests, and against the emulator at the real pace in benchmarks.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from paperenrich import __version__
from paperenrich.errors import ConfigError


def user_cache_dir() -> Path:
    """The user's cache directory for paperenrich (platformdirs: `$XDG_CACHE_HOME/paperenrich`, else
    `~/.cache/paperenrich` on Linux; `~/Library/Caches/paperenrich` on macOS; `%LOCALAPPDATA%` on
    Windows). One cache for every list and every working directory, and never inside a list's
    repository (a `cache/` there showed in its `git status`)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("paperenrich", appauthor=False))


@dataclass(frozen=True)
class HostRule:
    """Per-host link-checking overrides (from the `[hosts."example.org"]` config tables)."""

    max_concurrency: int | None = None
    interval: float | None = None  # seconds between request starts to this host
    accept: tuple[int, ...] = ()  # extra status codes that count as ok for this host
    headers: tuple[tuple[str, str], ...] = ()
    method: str | None = None  # "head" | "get": how the link checker asks this host first


@dataclass(frozen=True)
class Settings:
    # --- services ---------------------------------------------------------------------------
    arxiv_url: str = "https://export.arxiv.org/api/query"
    s2_url: str = "https://api.semanticscholar.org/graph/v1"
    arxiv_interval: float = 3.0  # seconds between arXiv requests (their rule: one every 3 s)
    s2_rps: float | None = None  # requests/s; None = 1.0 with a key, the shared-pool pace without
    s2_api_key: str | None = field(default=None, repr=False)  # never printed
    contact: str | None = None  # e-mail put in the User-Agent, as the APIs ask
    http_timeout: float = 30.0
    max_retries: int = 6
    retry_after_cap: float = 60.0
    # Bounds on what a service may cost: far above any real answer (S2 refuses batches over 10 MB;
    # an arXiv page of 100 entries is under 1 MB), far below what would hurt the machine.
    max_response_bytes: int = 16 * 1024 * 1024  # one answer, on the wire and decoded
    request_deadline: float = 300.0  # seconds for one request, its retries and waits included

    # --- cache -----------------------------------------------------------------------------
    cache_dir: Path = field(default_factory=user_cache_dir)  # --cache DIR / PAPERENRICH_CACHE override it
    use_cache: bool = True
    refresh: bool = False  # ignore cached lookups (still write new ones)
    offline: bool = False
    ttl_metadata: float = 90 * 86400.0  # seconds
    ttl_citations: float = 7 * 86400.0
    ttl_negative: float = 2 * 86400.0
    ttl_links: float = 86400.0
    pace_file: Path | None = None  # the machine-wide pace of arXiv and S2; None: per-user state dir (pacing.py)

    # --- resolution ------------------------------------------------------------------------
    overrides_file: Path | None = None

    # --- link checking -----------------------------------------------------------------------
    link_timeout: float = 20.0
    max_concurrency: int = 128
    host_concurrency: int = 8
    host_interval: float = 0.05
    allow_private: bool = False
    check_fragments: bool = False
    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    accept: tuple[int, ...] = ()
    github_token: str | None = field(default=None, repr=False)  # never printed
    hosts: Mapping[str, HostRule] = field(default_factory=dict)
    max_body_bytes: int = 512 * 1024
    link_retries: int = 2  # extra tries after a 408, 429 or 5xx (a timeout or a reset: one at most)
    link_backoff: float = 0.25  # first backoff delay (s); doubles per try
    link_deadline: float = 45.0  # seconds for everything one URL costs: redirects, retries, pauses
    forbidden_stop: int = 5  # a host answering 403 to this many GETs in a row is not asked again (0: never stop)
    verify_by: str = "auto"  # auto: arXiv ids, DOIs and OpenReview ids by their services' APIs; http: every page
    doi_api_url: str = "https://doi.org/api/handles"  # the DOI handle API (<url>/<doi>)
    openreview_api_url: str = "https://api2.openreview.net"  # OpenReview's API (/notes?ids=...)
    doi_interval: float = 0.1  # seconds between DOI API requests (4 at once)
    openreview_interval: float = 1.0  # seconds between OpenReview API requests (one at a time)
    link_method: str = "auto"  # auto: HEAD for file-like URLs, GET (first bytes only) for pages; head | get
    max_redirects: int = 10
    max_list_bytes: int = 16 * 1024 * 1024  # a list given as a URL: 64x the largest real list (250 KB)

    @property
    def user_agent(self) -> str:
        contact = f"; mailto:{self.contact}" if self.contact else ""
        return f"paperenrich/{__version__} (+https://github.com/paperenrich/paperenrich{contact})"

    @property
    def effective_s2_rps(self) -> float:
        if self.s2_rps is not None:
            return self.s2_rps
        # With a key S2 grants 1 request/s; without one, requests share a small public pool
        # (about 100 requests per 5 minutes), so pace ourselves at that rate.
        return 1.0 if self.s2_api_key else 100 / 300

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


# Environment variables and the settings they set (with their parser).
_ENV: dict[str, tuple[str, Any]] = {
    "PAPERENRICH_ARXIV_URL": ("arxiv_url", str),
    "PAPERENRICH_S2_URL": ("s2_url", str),
    "PAPERENRICH_ARXIV_INTERVAL": ("arxiv_interval", float),
    "PAPERENRICH_S2_RPS": ("s2_rps", float),
    "S2_API_KEY": ("s2_api_key", str),
    "PAPERENRICH_CONTACT": ("contact", str),
    "PAPERENRICH_CACHE": ("cache_dir", Path),
    "PAPERENRICH_PACE_FILE": ("pace_file", Path),
    "PAPERENRICH_TIMEOUT": ("http_timeout", float),
    "GITHUB_TOKEN": ("github_token", str),
}

_SECRET_KEYS = {"s2_api_key", "github_token"}


def _coerce(name: str, value: Any) -> Any:
    """Convert a config-file value to the type of the Settings field `name`."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    if name not in fields:
        raise ConfigError(f"unknown setting {name!r} in config file")
    default = getattr(Settings(), name)
    from paperenrich.linkcheck.options import accept_setting

    try:
        if name == "accept":
            return accept_setting(value, "accept")
        if name == "hosts":
            return {
                host: HostRule(
                    max_concurrency=rule.get("max_concurrency"),
                    interval=rule.get("interval"),
                    accept=accept_setting(rule.get("accept", []), f'hosts."{host}".accept'),
                    headers=tuple((str(k), str(v)) for k, v in rule.get("headers", {}).items()),
                    method=rule.get("method"),
                )
                for host, rule in dict(value).items()
            }
        if isinstance(default, Path) or name in ("cache_dir", "overrides_file", "pace_file"):
            return Path(value)
        if isinstance(default, tuple):
            return tuple(value)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise TypeError
            return value
        if isinstance(default, float) or name == "s2_rps":
            return float(value)
        if isinstance(default, int):
            return int(value)
        return value
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"bad value for setting {name!r}: {value!r}") from exc


def _find_config(explicit: Path | None) -> tuple[Path, dict[str, Any]] | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        candidates = [explicit]
    else:
        candidates = [Path("paperenrich.toml"), Path("pyproject.toml")]
    for path in candidates:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        if path.name == "pyproject.toml" and path != explicit:
            data = data.get("tool", {}).get("paperenrich")
            if data is None:
                continue
        return path, data
    return None


def load_settings(config: Path | None = None, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Build Settings from defaults, the config file, the environment and flags (None = not given)."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    explicit = config or (Path(env["PAPERENRICH_CONFIG"]) if env.get("PAPERENRICH_CONFIG") else None)
    found = _find_config(explicit)
    if found:
        path, data = found
        for key, value in data.items():
            key = key.replace("-", "_")
            if key in _SECRET_KEYS:
                raise ConfigError(f"{path}: keep {key} out of config files; use the environment instead")
            values[key] = _coerce(key, value)
    for var, (name, parse) in _ENV.items():
        raw = env.get(var)
        if raw:
            try:
                values[name] = parse(raw)
            except ValueError:
                raise ConfigError(f"bad value for {var}: {raw!r}") from None
    values.update({k: v for k, v in flags.items() if v is not None})
    unknown = set(values) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return Settings(**values)
