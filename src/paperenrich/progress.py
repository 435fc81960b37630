"""Progress on a terminal, silence when piped: a rich progress bar on standard error.

`Progress.for_stderr()` shows a live bar only when standard error is a terminal; otherwise every call
is a no-op, so logs and pipes stay clean. The link checker can reuse it with its own counters.
"""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A bar of `done/total` with free-form counters shown beside it (requests, rate-limit wait)."""

    def __init__(self, label: str, total: int, enabled: bool):
        self.label = label
        self.total = total
        self._bar = None
        self._task = None
        if enabled and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
                console=Console(file=sys.stderr), transient=True,
            )
            self._task = self._bar.add_task(label, total=total, info="")

    @classmethod
    def for_stderr(cls, label: str, total: int, enabled: bool | None = None) -> "Progress":
        if enabled is None:
            enabled = sys.stderr.isatty()
        return cls(label, total, enabled)

    def __enter__(self) -> "Progress":
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, *, of: int | None = None, **counters: Any) -> None:
        """`done` of the total (`of`: a new total, when more work has joined since the start)."""
        if self._bar is None:
            return
        info = "  ".join(f"{name.replace('_', ' ')} {value}" for name, value in counters.items())
        self._bar.update(self._task, completed=done, info=info, **({"total": of} if of is not None else {}))
