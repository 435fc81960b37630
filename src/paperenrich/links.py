"""The link checker's public API (the implementation lives in the `paperenrich.linkcheck` package).

    check_lists(paths, settings, *, progress=None) -> CheckReport
    await check_urls(places_by_url, settings, client=None) -> list[LinkResult]
"""

from paperenrich.linkcheck import CheckReport, check_lists, check_urls

__all__ = ["CheckReport", "check_lists", "check_urls"]
