"""Relative links of lists on disk: the file or folder must exist, resolved as GitHub does (from
the list's folder; `/x` from the repository's root), each place judged on its own, nothing
outside the repository looked at, and the excludes apply."""

from __future__ import annotations

import subprocess
import sys

from paperenrich.config import Settings
from paperenrich.linkcheck import check_lists


def repository(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "docs" / "a.md").write_text("# A\n")
    (root / "docs" / "with space.md").write_text("x\n")
    (root / "LICENSE").write_text("MIT\n")
    (root / "CONTRIBUTING.md").write_text("be nice\n")
    (root / "sub").mkdir()
    (root / "README.md").write_text(
        "# List\n"
        "- [ok](docs/a.md) [folder](docs/) [fragment](docs/a.md#a) [encoded](docs/with%20space.md)\n"
        "- [missing](docs/nope.md) [root](/LICENSE) [escape](../../../etc/passwd)\n"
        "- [Contributing](CONTRIBUTING.md) [anchor](#list)\n")
    (root / "sub" / "README.md").write_text("- [Contributing](CONTRIBUTING.md) [up](../LICENSE)\n")
    return root


def results_of(report):
    return {(r.url, tuple((p.file.rsplit("repo/", 1)[-1], p.line) for p in r.places)): (r.status, r.detail) for r in report.results}


def test_relative_links_are_judged_by_the_files_they_name(tmp_path):
    root = repository(tmp_path)
    report = check_lists([root / "README.md", root / "sub" / "README.md"], Settings(use_cache=False))
    got = results_of(report)
    assert got[("docs/a.md", (("README.md", 2),))] == ("ok", "docs/a.md exists")
    assert got[("docs/", (("README.md", 2),))] == ("ok", "docs exists")
    assert got[("docs/a.md#a", (("README.md", 2),))][0] == "ok"
    assert got[("docs/with%20space.md", (("README.md", 2),))][0] == "ok"
    assert got[("docs/nope.md", (("README.md", 3),))] == ("broken", "no such file or folder: docs/nope.md")
    assert got[("/LICENSE", (("README.md", 3),))] == ("ok", "LICENSE exists")
    assert got[("../../../etc/passwd", (("README.md", 3),))] == ("skipped", "relative link outside the repository (not checked)")
    # the same link, fine in the root README and broken in the subfolder's: one result each
    assert got[("CONTRIBUTING.md", (("README.md", 4),))] == ("ok", "CONTRIBUTING.md exists")
    assert got[("CONTRIBUTING.md", (("sub/README.md", 1),))] == ("broken", "no such file or folder: sub/CONTRIBUTING.md")
    assert got[("../LICENSE", (("sub/README.md", 1),))][0] == "ok"
    assert got[("#list", (("README.md", 4),))] == ("skipped", "in-page anchor")
    assert all(r.verified_by == "file" for r in report.results if not r.url.startswith("#") and r.status != "skipped")
    assert report.summary["requests"] == 0


def test_the_excludes_apply_and_outside_a_repository_the_list_folder_is_the_limit(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "here.md").write_text("x\n")
    (folder / "list.md").write_text("- [a](here.md) [b](gone.md) [c](/etc/hostname) [d](../plain/here.md) [e](../elsewhere.md)\n")
    got = {r.url: (r.status, r.detail) for r in check_lists([folder / "list.md"], Settings(use_cache=False, exclude=("gone",))).results}
    assert got["here.md"][0] == "ok" and got["../plain/here.md"][0] == "ok"
    assert got["gone.md"] == ("skipped", "excluded by pattern 'gone'")
    assert got["/etc/hostname"] == ("skipped", "root-relative link outside a git repository (not checked)")
    assert got["../elsewhere.md"] == ("skipped", "relative link outside the list folder (not checked)")


def test_a_broken_relative_link_fails_the_run(tmp_path):
    root = repository(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "paperenrich", "check", "README.md", "--no-cache"], cwd=root,
                          capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                                                             "PYTHONPATH": ":".join(sys.path)})
    assert proc.returncode == 2, proc.stderr
    assert "broken: docs/nope.md (no such file or folder: docs/nope.md)" in proc.stdout
