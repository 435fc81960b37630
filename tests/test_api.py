"""The public Python API: its surface (`__all__`, as httpx checks its own), the README's example run
against the emulators, and the command line calling only the API and the renderers."""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import inspect
import io
import re
from pathlib import Path

import pytest

import paperenrich
from paperenrich import api

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("scan", "enrich", "check", "lint", "bibtex", "fix", "report")


def test_all_lists_the_public_surface():
    assert set(COMMANDS) <= set(api.__all__)  # one function per command (issue 11)
    assert len(api.__all__) == len(set(api.__all__))
    for name in api.__all__:
        assert hasattr(api, name), name
    # Every public function or class defined in api.py, and every model class it re-exports, is listed.
    defined = {name for name, value in vars(api).items() if not name.startswith("_")
               and (inspect.isfunction(value) or inspect.isclass(value))
               and (value.__module__ == "paperenrich.api" or dataclasses.is_dataclass(value))}
    assert defined - {"Path", "Any", "Iterator", "Sequence", "Union", "dataclass", "datetime", "timezone"} <= set(api.__all__)


def test_the_package_re_exports_the_api():
    for name in api.__all__:
        assert getattr(paperenrich, name) is getattr(api, name), name
    assert set(api.__all__) <= set(paperenrich.__all__)


def _readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- api-example -->\n```python\n(.*?)```", readme, re.S)
    assert match, "README.md lost its API example"
    return match.group(1)


def test_readme_example_runs_against_the_emulators(scholar_world, tmp_path, monkeypatch):
    from tests.emulator.webhosts import WebHosts

    for name, value in scholar_world.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PAPERENRICH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    with WebHosts(1, time_scale=1.0, first_host=141) as hosts:
        # Links on loopback only (tests send nothing further); the config file lets check reach them.
        (tmp_path / "paperenrich.toml").write_text("allow_private = true\nlink_timeout = 3.0\n")
        (tmp_path / "LIST.md").write_text(
            "# Reading list\n\n"
            f"- Attention Is All You Need (NeurIPS'17) [paper]({hosts.url(0, 'ok/attention')})\n"
            f"- A Paper Nobody Has Heard Of (OSDI'22) [paper]({hosts.url(0, 'status/404/nobody')})\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(_readme_example(), "README.md", "exec"), {})
    printed = out.getvalue()
    assert "3 Attention Is All You Need -> " in printed
    assert "4 A Paper Nobody Has Heard Of -> not found" in printed
    assert re.search(r"@\w+\{vaswani2017attention,", printed)  # the BibTeX of the resolved paper
    assert "LIST.md:4: unresolved: not found" in printed
    assert "'broken': 1" in printed and "'ok': 1" in printed  # check's counts


def test_api_takes_text_and_returns_the_models_dataclasses(scholar_world, scholar_settings):
    text = "# L\n\n- Attention Is All You Need (NeurIPS'17) [paper](https://arxiv.org/abs/1706.03762)\n"
    (scanned,) = api.scan(text)
    assert isinstance(scanned, api.ScanResult) and scanned.entries[0].title == "Attention Is All You Need"
    result = api.enrich(text, scholar_settings)
    (resolution,) = list(result)
    assert isinstance(resolution, api.Resolution) and isinstance(resolution.paper, api.Paper)
    assert resolution.paper.arxiv == "1706.03762"
    (fixed,) = api.fix(text, scholar_settings, check_links=False, additions=("authors",))
    assert isinstance(fixed, api.FixResult) and fixed.changed and fixed.diff.startswith("--- a/")
    assert api.lint(text, scholar_settings, check_links=False) == []


# The command modules may import only these parts of the library: the API, the renderers, the
# errors, and what parses their own flags or writes their output.
CLI_MAY_IMPORT = {
    "paperenrich", "paperenrich.api", "paperenrich.errors",
    "paperenrich.export.tabular", "paperenrich.export.render", "paperenrich.export.lint_report",
    "paperenrich.linkcheck.report", "paperenrich.export.report",  # renderers
    "paperenrich.export.lint",  # format_findings (the findings as lines) and KINDS (what --fail-on names)
    "paperenrich.export.bibtex",  # BibOptions and the key-pattern check of --key-pattern
    "paperenrich.export.markdown",  # ADDITIONS, the names --add accepts
    "paperenrich.linkcheck.options",  # parsing check's --accept / --ignore-file / patterns
    "paperenrich.atomic",  # writing -o FILE and fix --write
    "paperenrich.cache", "paperenrich.resolve",  # `cache stats|clear|prune` looks after the cache itself
    "paperenrich.config",  # Settings from the config file, the environment and the flags
    "paperenrich.listfile",  # is_list_url: fix --write refuses a URL, scan loads settings only for one
}


def test_the_command_line_calls_only_the_api_and_the_renderers():
    seen = {}
    for path in sorted((ROOT / "src" / "paperenrich" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("paperenrich"):
                if not node.module.startswith("paperenrich.cli"):
                    seen.setdefault(node.module, set()).add(path.name)
    outside = {module: files for module, files in seen.items() if module not in CLI_MAY_IMPORT}
    assert outside == {}
    assert seen.get("paperenrich.resolve", {"cache_cmd.py"}) == {"cache_cmd.py"}
    assert seen.get("paperenrich.cache", {"cache_cmd.py"}) == {"cache_cmd.py"}
