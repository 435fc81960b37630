"""Pausing Python's cyclic garbage collector around allocation-heavy work that makes no cycles.

Building many small objects (a parse tree, a document's links, thousands of results) sets off
collections that scan everything alive and find nothing: a full one costs tens of milliseconds
on a large list. Reference counting still frees whatever is dropped while the collector waits.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_collector() -> Iterator[None]:
    """No automatic cyclic collection inside the block; the previous setting is restored after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
