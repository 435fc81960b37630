"""Build the compiled scanner (setup.py: mypyc) into a folder that can go first on PYTHONPATH.

The tests and bench/bench_scan.py use it to run the build `pip install .` gives, beside the plain
Python of the source tree. The build runs in a copy of the project's build files, so the source
tree gets no build/ or egg-info of it, and with pip's build isolation, as `pip install .` builds it
(the build requirements, mypy among them, come from the package index).

    python3 scripts/build_compiled.py DEST
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD_FILES = ("setup.py", "pyproject.toml", "README.md", "src")


def build(dest: Path) -> list[str]:
    """Build and unpack the wheel into `dest`; the paths of the compiled modules it holds, mypyc's
    shared library among them (none: the build fell back to plain Python, setup.py said why)."""
    with tempfile.TemporaryDirectory(prefix="paperenrich-build-") as tmp:
        project, wheels = Path(tmp) / "project", Path(tmp) / "wheels"
        project.mkdir()
        for name in BUILD_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.so"))
            else:
                shutil.copy2(source, project / name)
        subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--disable-pip-version-check",
                        "-w", str(wheels), str(project)], check=True)
        (wheel,) = wheels.glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(dest)
    return sorted(str(p.relative_to(dest)) for p in Path(dest).rglob("*.so"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    print("\n".join(build(Path(sys.argv[1]))) or "no compiled module: plain Python (see the messages above)")
