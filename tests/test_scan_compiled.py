"""The compiled scanner (setup.py: mypyc, what `pip install .` gives) scans exactly as the plain
Python one: every entry and every skipped item, field for field, on the corpus lists, the seeds,
the test lists, the adversarial constructs, a generated long list (scanned by two processes) and
a thousand seeded random documents mixing the constructs real lists use.

mypyc checks annotations at run time, compiles classes to fixed layouts, and runs some generator
expressions to a list before their consumer sees them (a `lst.extend(x for x in y if x not in lst)`
added a repeated link twice): behaviour that differs shows here only.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# Pieces of entries and blocks as real lists write them (tests/test_scan_termination.py and the
# corpus notes name where each is from); the random documents are made of them.
_ATOMS = [
    "[OSDI'22]", "[Survey]", "NeurIPS'22", "20200529 TNNLS", "AAAI-20", "(ICML 2023)", "(2021)", "2019.",
    "[Title of a Paper Here](https://arxiv.org/abs/2101.00001)", "[Some Web Page Title Here](https://example.com/x.html)",
    "[paper](https://x.org/a.pdf)", "[pdf](https://x.org/a.pdf)", "[code](https://github.com/a/b)", "[[pdf]](u)",
    "[](https://img)", "[x]()", "[a](#sec)", "**Bold Title: Something Deep**", "*em*", "~~st~~", "`code`", "<br>",
    "<a href=\"https://d.org/doi/10.1/x\">A linked html title</a>", "<a href='x'>", "</a>", "<b>", "</b>",
    "https://bare.url/path", "<https://auto.link/%41%42>", "[Perseus](u): Removing Energy Bloat from Training",
    "| SOSP' 24", "Norman, D. A. (1986). Cognitive engineering. In", "Authors A, B and C. *ICCV*, 2021.",
    "\"A quoted title of a paper\"", "{PRETZEL}: Opening", "迁移成分分析方法(Transfer component analysis, TCA)",
    "发表在CVPR-12上", "[[DCN] Deep & Cross](u)", "Chapter 2: The Psychology", "Code: https://g.com",
    "[ref link][r1]", "[ü](https://ü.example/%C3%BC)", "[![badge](https://img.shields.io/x)](https://github.com/a/b)",
    "[![](https://img.shields.io/y)](https://github.com/a/b)", "Slides", "Handbook",
    "[Goldreich. Providing Sound Foundations for Cryptography](https://www.wisdom.weizmann.ac.il/~oded/sst.html)",
    "[A Book About Things Here](https://mitpress.mit.edu/9780262045308/x/)", "x ( ( (", "(2023", "[ICML", "Title)",
    "$S^{3}$", "4. HOTR: End", "🌟", "et al.", "&", " and ", ",", ":", " - ", " | ", "\\[", "*", "__x__", "Cluster1908: x",
    "&amp;", "\t", "\u00a0", "İ", "<", ">",
]
_HEADINGS = ["Papers", "Surveys & Monographs", "Books", "Tools", "2022", "sp2025", "News", "Table of Contents", "Articles",
             "Lecture Notes", "Survey", "Call for Papers"]


def _random_document(rng) -> str:
    def line() -> str:
        return " ".join(rng.choice(_ATOMS) for _ in range(rng.randint(1, 8)))

    blocks = [
        lambda: "- " + line(), lambda: "1. " + line(), lambda: "  - " + line(), lambda: "\t- " + line(), line, lambda: "",
        lambda: "#" * rng.randint(1, 4) + " " + rng.choice(_HEADINGS + [line()]),
        lambda: f"| Title | Venue | Code |\n|---|---|---|\n| {line()} | {rng.choice(['OSDI', '', '2021'])} | {line()} |",
        lambda: f"| a | b |\n|--|--|\n| {line()}<br>{line()}<br>{line()} | {line()} |",
        lambda: f"<details><summary>x</summary>\n\n- {line()}\n\n</details>",
        lambda: f"<table>\n<tr><th>Paper</th><th>Year</th></tr>\n<tr><td>{line()}</td><td>2020</td></tr>\n</table>",
        lambda: f"[r1]: https://arxiv.org/abs/2001.0000{rng.randint(0, 9)}", lambda: "> " + line(),
        lambda: f"- **{line()}**\n  - {line()}\n  - {line()}", lambda: f"- {line()}\n\n  {line()}",
    ]
    return "\n".join(rng.choice(blocks)() for _ in range(rng.randint(1, 40)))


# Run in a fresh interpreter with the build under test first on sys.path: prints which files the
# scanner's modules came from, then every input's scan result as JSON.
_SCAN_ALL = r"""
import importlib, json, random, sys
from pathlib import Path
root, modules, files = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
sys.path.insert(1, root + "/bench")
sys.path.insert(1, root + "/tests")
loaded = [importlib.import_module(m).__file__ for m in modules]
from paperenrich.scanner import scan_text
from bench_adversarial import CONSTRUCTS
from bench_scan import generate
from test_scan_compiled import _random_document

inputs = {p: Path(p).read_text(encoding="utf-8", errors="replace") for p in files}
inputs.update({f"adversarial: {name}": unit * 20 for name, unit in CONSTRUCTS.items()})
inputs.update({f"random {seed}": _random_document(random.Random(seed)) for seed in range(1000)})
inputs["generated 12,000 entries"] = generate(12_000)
print(json.dumps({"modules": loaded, "results": {name: scan_text(text, source="x").to_dict(include_skipped=True)
                                                 for name, text in inputs.items()}}))
"""


def _compiled_modules() -> list[str]:
    """The modules setup.py compiles (its COMPILED list of source paths, as module names)."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    paths = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                 and any(getattr(t, "id", None) == "COMPILED" for t in node.targets))
    return [p.removeprefix("src/").removesuffix(".py").replace("/", ".") for p in paths]


def _scan_all(path_first: Path, files: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(path_first)}
    proc = subprocess.run([sys.executable, "-c", _SCAN_ALL, str(ROOT), ",".join(_compiled_modules()), *files],
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


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
    built = build(dest)
    assert any("__mypyc" in name for name in built), f"no mypyc shared library was built: {built}"
    return dest


@pytest.mark.skipif(not (SHARED / "lists").is_dir(), reason="the shared corpus lists are not beside the repository")
def test_the_compiled_scanner_gives_what_the_plain_one_gives(compiled_build):
    files = sorted(str(p) for p in (SHARED / "lists").glob("*.md"))
    files += sorted(str(p) for p in (SHARED / "seeds").glob("*.txt")) + sorted(str(p) for p in (ROOT / "tests" / "data").glob("*.md"))
    assert len(files) >= 25 + 5 + 1
    compiled, plain = _scan_all(compiled_build, files), _scan_all(ROOT / "src", files)
    assert len(compiled["modules"]) == len(_compiled_modules()) >= 8
    assert all(m.endswith(".so") and m.startswith(str(compiled_build)) for m in compiled["modules"]), compiled["modules"]
    assert not any(m.endswith(".so") for m in plain["modules"]), plain["modules"]
    assert compiled["results"].keys() == plain["results"].keys()
    differ = [name for name in plain["results"] if compiled["results"][name] != plain["results"][name]]
    assert differ == []
    # (the comparison saw real work: the corpus's papers, the generated list's, the random ones')
    assert sum(len(plain["results"][f]["entries"]) for f in files) > 5_000
    assert len(plain["results"]["generated 12,000 entries"]["entries"]) >= 12_000
    assert sum(len(r["entries"]) for name, r in plain["results"].items() if name.startswith("random")) > 1000


def test_a_link_repeated_in_a_later_cell_or_paragraph_is_kept_once():
    # (the generator mypyc ran to a list before extending: found by comparing the two builds)
    row = ("| Title | Venue | Code |\n|---|---|---|\n| [Attention Is All You Need](https://arxiv.org/abs/1706.03762) |"
           " NeurIPS 2017 | [![](https://img.shields.io/github/stars/t/t.svg)](https://github.com/t/t)"
           " [![](https://img.shields.io/github/forks/t/t.svg)](https://github.com/t/t) |\n")
    item = "- [A Study of Things in Systems](https://arxiv.org/abs/2101.00001)\n\n  [pdf](https://x.org/a.pdf) [pdf](https://x.org/a.pdf)\n"
    from paperenrich.scanner import scan_text

    assert [link.url for link in scan_text(row).entries[0].links] == ["https://arxiv.org/abs/1706.03762", "https://github.com/t/t"]
    assert [link.url for link in scan_text(item).entries[0].links] == ["https://arxiv.org/abs/2101.00001", "https://x.org/a.pdf"]
