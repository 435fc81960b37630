"""The compiled scanner (setup.py: mypyc, what `pip install .` gives) scans exactly as the plain
Python one: every entry and every skipped item, field for field, on the corpus lists, the seeds,
the test lists, the adversarial constructs and a generated long list (scanned by two processes).

mypyc checks the annotations at run time and compiles classes to fixed layouts, so a value of a
type the annotations do not admit would fail there only: this is where it would show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Run in a fresh interpreter with the build under test first on sys.path: prints which files the
# scanner's modules came from, then every input's scan result as JSON.
_SCAN_ALL = r"""
import json, sys
from pathlib import Path
sys.path.insert(1, sys.argv[1] + "/bench")
import paperenrich.scanner.walk as walk, paperenrich.titles as titles
from paperenrich.scanner import scan_text
from bench_adversarial import CONSTRUCTS
from bench_scan import generate

inputs = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in map(Path, sys.argv[2:])}
inputs.update({f"adversarial: {name}": unit * 20 for name, unit in CONSTRUCTS.items()})
inputs["generated 12,000 entries"] = generate(12_000)
print(json.dumps({"modules": [walk.__file__, titles.__file__],
                  "results": {name: scan_text(text, source="x").to_dict(include_skipped=True)
                              for name, text in inputs.items()}}))
"""


def _inputs() -> list[str]:
    files = sorted((ROOT / "tests" / "data").glob("*.md"))
    for folder in (SHARED / "lists", SHARED / "seeds"):
        files += sorted(p for p in folder.glob("*") if p.suffix in (".md", ".txt")) if folder.is_dir() else []
    return [str(p) for p in files]


def _scan_all(path_first: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(path_first)}
    out = subprocess.run([sys.executable, "-c", _SCAN_ALL, str(ROOT), *_inputs()], env=env, check=True,
                         capture_output=True, text=True, timeout=600).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def compiled_build(tmp_path_factory) -> Path:
    if not (shutil.which("cc") or shutil.which("gcc")):
        pytest.skip("no C compiler on this machine: the compiled scanner cannot be built")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from build_compiled import build
    finally:
        sys.path.pop(0)
    dest = tmp_path_factory.mktemp("compiled")
    compiled = build(dest)
    assert any(name.startswith("paperenrich/scanner/walk.") for name in compiled), f"walk was not compiled: {compiled}"
    return dest


def test_the_compiled_scanner_gives_what_the_plain_one_gives(compiled_build):
    compiled = _scan_all(compiled_build)
    plain = _scan_all(ROOT / "src")
    assert all(m.endswith(".so") for m in compiled["modules"]), compiled["modules"]
    assert not any(m.endswith(".so") for m in plain["modules"]), plain["modules"]
    assert compiled["results"].keys() == plain["results"].keys()
    assert len(plain["results"]) >= 5 + len(list((ROOT / "tests" / "data").glob("*.md")))
    differ = [name for name in plain["results"] if compiled["results"][name] != plain["results"][name]]
    assert differ == []
    # (the comparison saw real work: the generated list's entries, and papers in the lists)
    assert len(plain["results"]["generated 12,000 entries"]["entries"]) >= 12_000
