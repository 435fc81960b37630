"""The pace of each metadata service, in one place for every command that calls it.

`enrich` (resolve) and `check` (paper-aware verdicts) both ask arXiv and Semantic Scholar; they must
share one pace, so both take their pacer from `service_pacer` instead of building their own.
"""

from __future__ import annotations

from paperenrich.config import Settings
from paperenrich.http import Pacer

PACE_MARGIN = (1.02, 0.02)  # factor, seconds: stay a little slower than the documented rule

SERVICES = ("arxiv", "s2")


def service_interval(settings: Settings, service: str) -> float:
    """Seconds between two request starts to `service`, margin included."""
    factor, extra = PACE_MARGIN
    if service == "arxiv":
        return settings.arxiv_interval * factor + extra
    if service == "s2":
        return factor / settings.effective_s2_rps + extra
    raise ValueError(f"unknown service {service!r}")


def service_pacer(settings: Settings, service: str) -> Pacer:
    """The pacer for one service's lane: one request at a time, `service_interval` apart."""
    return Pacer(interval=service_interval(settings, service), concurrency=1)
