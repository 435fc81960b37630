"""The link checker's public API (the implementation lives in the `paperenrich.linkcheck` package).

    check_lists(paths, settings, *, progress=None) -> CheckReport
    await check_urls(places_by_url, settings, client=None) -> list[LinkResult]

Pass `client=build_client(settings)` (or none) to `check_urls`: a client built elsewhere does not
carry the guard that refuses private addresses.
"""

from paperenrich.linkcheck import CheckReport, check_lists, check_urls
from paperenrich.linkcheck.engine import build_client

__all__ = ["CheckReport", "build_client", "check_lists", "check_urls"]
