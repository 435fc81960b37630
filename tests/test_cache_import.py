"""The cache's library (sqlite-utils) loads without numpy and pandas, which it would import only to map
their column types (the cache never writes them): numpy alone was about 0.3 s of every command's start."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_loading_the_cache_does_not_import_numpy_or_pandas():
    code = "import sys, paperenrich.cache; print(sorted(m for m in ('numpy', 'pandas', 'sqlite_utils') if m in sys.modules))"
    assert _run(code) == "['sqlite_utils']"


@pytest.mark.skipif(importlib.util.find_spec("numpy") is None, reason="numpy is not installed")
def test_numpy_still_imports_after_the_cache_and_before_it():
    after = "import paperenrich.cache, numpy; print(numpy.__name__, paperenrich.cache.sqlite_utils.db.np is None)"
    assert _run(after) == "numpy True"
    # A program that already uses numpy keeps its module (nothing is hidden that was loaded).
    before = "import numpy, paperenrich.cache, sys; print(sys.modules['numpy'] is numpy, paperenrich.cache.sqlite_utils.db.np is numpy)"
    assert _run(before) == "True True"
