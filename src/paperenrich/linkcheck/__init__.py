"""The link checker, in small parts: collect (Markdown -> URLs with places), safety (what is never
requested), classify (answers -> status classes), suggest (replacements), engine (requests, pacing,
retries), run (cache + engine: the library API), report (output formats)."""

from paperenrich.linkcheck.run import CheckReport, check_lists, check_urls

__all__ = ["CheckReport", "check_lists", "check_urls"]
