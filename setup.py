"""The scanner's hot modules, compiled with mypyc (C extensions) in a regular install or a wheel.

`pip install .` builds them: the same Python source, type-checked and compiled, about a quarter
faster a line of Markdown (bench/bench_scan.py prints both builds). Everything else, and every
editable install (`pip install -e .`, where a compiled copy beside the source would shadow the
developer's edits), stays plain Python. Without a C compiler, or with PAPERENRICH_PURE_PYTHON=1,
the install goes on in plain Python (`paperenrich --version` says which build is installed): the
compiled build changes speed, never results
(tests/test_scan_compiled.py compares the two on every list of the corpus).
"""

from __future__ import annotations

import contextlib
import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = [
    "src/paperenrich/scanner/analyze.py",
    "src/paperenrich/scanner/classify.py",
    "src/paperenrich/scanner/duplicates.py",
    "src/paperenrich/scanner/pieces.py",
    "src/paperenrich/scanner/units.py",
    "src/paperenrich/scanner/walk.py",
    "src/paperenrich/titles.py",
    "src/paperenrich/venues.py",
    "src/paperenrich/ids.py",
]


class _OptionalBuildExt(build_ext):
    """A failed compile (no C compiler, no Python headers) leaves the plain Python modules: all of
    them, since a compiled module without the shared library mypyc builds beside it cannot load."""

    def run(self) -> None:
        if self.inplace:  # (`setup.py build_ext --inplace`: compiled copies in src/ would shadow its edits)
            _warn("no compiled build in place: the source tree stays plain Python")
            return
        try:
            super().run()
        except Exception as exc:  # (setuptools raises several kinds: any of them means no compiled build)
            for path in self.get_outputs():
                with contextlib.suppress(OSError):
                    os.remove(path)
            _warn(f"the compiled scanner could not be built ({str(exc)[:160]}); installing plain Python")


def _warn(message: str) -> None:
    print(f"paperenrich: {message}", file=sys.stderr)


def _ext_modules() -> list:
    # (setup.py also runs to read the metadata: only a command that builds compiles, and never an
    # editable one)
    building = any(command in sys.argv for command in ("bdist_wheel", "build", "build_ext", "install"))
    editable = any(command in sys.argv for command in ("editable_wheel", "develop"))
    if not building or editable or os.environ.get("PAPERENRICH_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # (a build without isolation, in an environment without mypy)
        _warn("mypy is not installed; installing plain Python")
        return []
    try:
        # (the compiled modules import packages the build environment need not have)
        return mypycify(["--ignore-missing-imports", *COMPILED], opt_level="3")
    except (Exception, SystemExit) as exc:  # (mypyc exits on a type error: the install must not; Ctrl-C stops it)
        _warn(f"mypyc failed ({exc!r}); installing plain Python")
        return []


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": _OptionalBuildExt})
