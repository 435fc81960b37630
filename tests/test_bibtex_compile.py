"""The five seeds' default BibTeX compiles with pdflatex + classic BibTeX + natbib (plainnat), with no
error and no warning from either: the export works for the majority of users, who are not on biber.

Needs Debian's texlive-latex-base and texlive-latex-recommended (scripts/test installs them)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from paperenrich.config import Settings
from paperenrich.export.bibtex import to_bibtex
from paperenrich.export.pipeline import gather
from tests.conftest import TEST_S2_KEY

SEEDS = sorted((Path(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))
pytestmark = [
    pytest.mark.skipif(not SEEDS, reason="the seed lists (../shared/seeds) are not present"),
    pytest.mark.skipif(not (shutil.which("pdflatex") and shutil.which("bibtex")),
                       reason="pdflatex/bibtex not installed (Debian: texlive-latex-base texlive-latex-recommended)"),
]

DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{natbib}
\usepackage{url}
\begin{document}
\nocite{*}
\bibliographystyle{plainnat}
\bibliography{refs}
\end{document}
"""


def compile_bibliography(bib: str, where: Path) -> tuple[str, str]:
    """pdflatex, bibtex, pdflatex, pdflatex (the usual sequence); returns the BibTeX and LaTeX logs."""
    (where / "refs.bib").write_text(bib, encoding="utf-8")
    (where / "paper.tex").write_text(DOCUMENT)
    latex = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"]
    subprocess.run(latex, cwd=where, capture_output=True, timeout=120)
    subprocess.run(["bibtex", "paper"], cwd=where, capture_output=True, timeout=120)
    for _ in range(2):
        subprocess.run(latex, cwd=where, capture_output=True, timeout=120)
    return (where / "paper.blg").read_text(errors="replace"), (where / "paper.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def seed_bibtex(scholar_world_session, tmp_path_factory):
    world = scholar_world_session
    settings = Settings(
        arxiv_url=world.arxiv_url, s2_url=world.s2_url, s2_api_key=TEST_S2_KEY,
        arxiv_interval=world.arxiv_interval_scaled, s2_rps=world.s2_rps_scaled,
        cache_dir=tmp_path_factory.mktemp("cache"), http_timeout=5.0,
    )
    return {path.name: to_bibtex(gather(path, settings, check_links=False).resolutions) for path in SEEDS}


@pytest.mark.parametrize("seed", [p.name for p in SEEDS])
def test_seed_bibtex_compiles_without_errors_or_warnings(seed, seed_bibtex, tmp_path):
    bib = seed_bibtex[seed]
    assert bib.isascii()  # LaTeX-safe by default: accents and symbols as commands
    blg, log = compile_bibliography(bib, tmp_path)
    assert "Warning--" not in blg and "error message" not in blg, blg[-2000:]
    errors = [line for line in log.splitlines() if line.startswith("!")]
    assert errors == [], errors
    warnings = [line for line in log.splitlines() if re.search(r"\bWarning\b", line)]
    assert warnings == [], warnings
    # Every entry made it into the bibliography (nothing silently dropped by BibTeX).
    assert (tmp_path / "paper.bbl").read_text().count(r"\bibitem") == bib.count("\n@")  + bib.startswith("@")
