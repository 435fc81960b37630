"""The service and cache flags shared by every command that resolves a list (enrich, bibtex, fix,
report), defined once so their names, help and behaviour cannot drift apart.

Usage: decorate the command with `@service_options`, take `**service` and build its settings
with `settings_from(**service)`. A flag not given is None, so config file and environment win.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import click

_OPTIONS = (
    click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False), default=None,
                 help="Config file (default: paperenrich.toml, or [tool.paperenrich] in pyproject.toml)."),
    click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                 help="Cache directory (default: the user cache, e.g. ~/.cache/paperenrich; $PAPERENRICH_CACHE)."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    click.option("--offline", is_flag=True, help="No network: use only the cache; say which entries it could not fill."),
    click.option("--refresh", is_flag=True, help="Ignore cached answers (new answers are still cached)."),
    click.option("--overrides", "overrides_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                 help="TOML file pinning or rejecting matches."),
    click.option("--contact", default=None, help="E-mail address put in the User-Agent."),
    click.option("--arxiv-url", default=None, help="arXiv API endpoint (default: $PAPERENRICH_ARXIV_URL or the real service)."),
    click.option("--s2-url", default=None,
                 help="Semantic Scholar Graph API base (default: $PAPERENRICH_S2_URL or the real service)."),
    click.option("--arxiv-interval", type=click.FloatRange(min=0), default=None,
                 help="Seconds between arXiv requests (default 3)."),
    click.option("--s2-rps", type=click.FloatRange(min=0.001), default=None,
                 help="S2 requests per second (default 1 with a key, 1/3 without)."),
)


def service_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags that choose how to reach arXiv and Semantic Scholar, and the cache."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


# Whether the running command keeps what it finishes in a cache: the Ctrl-C message must say the truth.
_CACHING = {"on": False}


def note_caching(settings):
    """Record the command's settings for `interrupted_message`; returns them unchanged."""
    _CACHING["on"] = bool(settings.use_cache)
    return settings


def interrupted_message() -> str:
    if _CACHING["on"]:
        return "interrupted; everything finished so far is in the cache"
    return "interrupted; nothing was cached (the cache was off)"


def settings_from(config: Path | None, cache_dir: Path | None, no_cache: bool, offline: bool, refresh: bool,
                  overrides_file: Path | None, contact: str | None, arxiv_url: str | None, s2_url: str | None,
                  arxiv_interval: float | None, s2_rps: float | None):
    """Settings from the config file, the environment and these flags (flags win when given)."""
    from paperenrich.config import load_settings

    return note_caching(load_settings(
        config, cache_dir=cache_dir, use_cache=False if no_cache else None, offline=offline or None,
        refresh=refresh or None, overrides_file=overrides_file, contact=contact, arxiv_url=arxiv_url,
        s2_url=s2_url, arxiv_interval=arxiv_interval, s2_rps=s2_rps,
    ))


_LINK_OPTIONS = (
    click.option("--check-links/--no-check-links", default=None,
                 help="Check the list's links too (default: on, off with --offline)."),
    click.option("--allow-private", is_flag=True, default=None,
                 help="Let the link check request private and loopback addresses (intranets, tests)."),
)


def link_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags of the optional link check that fix and report run."""
    for option in reversed(_LINK_OPTIONS):
        command = option(command)
    return command


def wants_link_check(check_links: bool | None, offline: bool) -> bool:
    """Links are checked unless asked not to, or when offline (no network to check them with)."""
    return (not offline) if check_links is None else check_links


@dataclass(frozen=True)
class Verbosity:
    """How much a command says on standard error: -q only errors, -v details, -vv every HTTP request.

    Standard output (the result) never changes with these flags; only standard error does.
    """

    level: int = 0  # -1 quiet, 0 normal, 1 verbose, 2 very verbose
    progress: bool | None = None  # None: a progress bar only when standard error is a terminal

    @property
    def quiet(self) -> bool:
        return self.level < 0

    @property
    def show_progress(self) -> bool | None:
        return False if self.quiet else self.progress

    def bar_wanted(self) -> bool:
        """Whether to draw a progress bar now (an explicit --progress/--no-progress wins, else a terminal)."""
        import sys

        shown = self.show_progress
        return sys.stderr.isatty() if shown is None else shown

    def say(self, message: str) -> None:
        """A summary or a finding: shown unless -q."""
        if not self.quiet:
            _stderr(message)

    def detail(self, message: str) -> None:
        """Shown only with -v."""
        if self.level >= 1:
            _stderr(message)


def _stderr(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


_VERBOSITY_OPTIONS = (
    click.option("-q", "--quiet", is_flag=True, help="Nothing on standard error but errors and warnings."),
    click.option("-v", "--verbose", count=True, help="More on standard error: -v details, -vv every HTTP request."),
    click.option("--progress/--no-progress", default=None, help="Progress bar (default: only on a terminal)."),
)


def verbosity_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """-q, -v and --progress/--no-progress for a long command; it receives them as `verbosity`."""

    @functools.wraps(command)
    def wrapper(*args: Any, quiet: bool, verbose: int, progress: bool | None, **kwargs: Any) -> Any:
        if quiet and verbose:
            from paperenrich.errors import UsageError

            raise UsageError("-q and -v do not go together")
        verbosity = Verbosity(level=-1 if quiet else min(verbose, 2), progress=progress)
        with _request_log(verbosity.level):
            return command(*args, verbosity=verbosity, **kwargs)

    for option in reversed(_VERBOSITY_OPTIONS):
        wrapper = option(wrapper)
    return wrapper


@contextlib.contextmanager
def _request_log(level: int) -> Iterator[None]:
    """-vv: httpx logs every request it sends (method, URL, status) at INFO; show those on standard
    error for the length of the command (then the loggers are as they were). Keys travel in headers,
    never in URLs, so nothing secret is printed."""
    if level < 2:
        yield
        return
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in ("httpx", "paperenrich")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, old in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(old)
