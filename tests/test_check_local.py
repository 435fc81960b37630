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


# Fragments (--check-fragments): in-page anchors and a linked Markdown file's headings ----------------

from paperenrich.markdown import Document, github_slug  # noqa: E402


def test_heading_slugs_are_githubs():
    # github-slugger's rules: lower case, punctuation and symbols dropped, each space a "-", repeats numbered
    assert github_slug("Foo Bar!") == "foo-bar"
    assert github_slug("C++ & Rust") == "c--rust"
    assert github_slug("2.1 DNN job scheduling") == "21-dnn-job-scheduling"
    assert github_slug("Models (LM) System") == "models-lm-system"
    assert github_slug("中文 标题") == "中文-标题"
    text = ("# Awesome List [![Awesome](https://awesome.re/badge.svg)](https://awesome.re)\n\n"
            "## Papers\n\n## Papers\n\nSetext `code` *em*\n---\n\n### Books<a name=machine_books></a>\n\n"
            '<h3 id="html-id">x</h3>\n')
    # (the badge's alt text is not in the slug: GT-RIPL's and seed 003's tables of contents link "#awesome-...-";
    # its spacing trimmed, "awesome-list", is an anchor too; the HTML heading "x" has its own slug besides its id)
    assert Document(text).anchors == {"awesome-list-", "awesome-list", "papers", "papers-1", "setext-code-em", "books",
                                      "machine_books", "html-id", "x"}


def test_fragments_are_checked_against_the_headings_they_name(tmp_path):
    root = repository(tmp_path)
    (root / "docs" / "a.md").write_text("# A\n\n## Set up & run\n")
    (root / "README.md").write_text(
        "# List\n\n## Papers\n"
        "- [toc](#papers) [case](#Papers) [top](#top) [gone](#models) [github's prefix](#user-content-list)\n"
        "- [file](docs/a.md#set-up--run) [no such heading](docs/a.md#install) [not markdown](LICENSE#L1)\n")
    got = results_of(check_lists([root / "README.md"], Settings(use_cache=False, check_fragments=True)))
    assert got[("#papers", (("README.md", 4),))][0] == "ok"
    assert got[("#Papers", (("README.md", 4),))][0] == "ok"
    assert got[("#top", (("README.md", 4),))][0] == "ok"
    assert got[("#user-content-list", (("README.md", 4),))][0] == "ok"
    assert got[("#models", (("README.md", 4),))] == ("broken", "no heading or anchor #models in the list")
    assert got[("docs/a.md#set-up--run", (("README.md", 5),))] == ("ok", "docs/a.md exists and has #set-up--run")
    assert got[("docs/a.md#install", (("README.md", 5),))] == ("broken", "docs/a.md exists, but has no heading or anchor #install")
    assert got[("LICENSE#L1", (("README.md", 5),))] == ("ok", "LICENSE exists")  # (only Markdown files' anchors are read)
    # without the option, in-page anchors are not looked at, as before
    plain = results_of(check_lists([root / "README.md"], Settings(use_cache=False)))
    assert plain[("#models", (("README.md", 4),))] == ("skipped", "in-page anchor")
    assert plain[("docs/a.md#install", (("README.md", 5),))] == ("ok", "docs/a.md exists")


def test_in_page_anchors_of_a_list_read_from_standard_input_are_checked(tmp_path):
    from paperenrich.linkcheck.run import check_texts

    report = check_texts({"-": "# T\n\n## Tools\n\n- [a](#tools) [b](#tool)\n"}, Settings(use_cache=False, check_fragments=True))
    assert {r.url: r.status for r in report.results} == {"#tools": "ok", "#tool": "broken"}


def test_the_broken_anchors_of_real_lists_are_the_ones_read_off_them():
    # Every in-page anchor of the corpus lists and seeds, checked against their own headings. The
    # broken ones, read off the files: francois-marie links "#magic-state:-|cz>" where its heading
    # "#### Magic State: |CZ>" makes "magic-state-cz" (lines 138-144); hzysvilla line 398 names
    # "#atc2024" etc., which no heading or anchor defines (its heading is "## ATC"); keon line 403
    # "#retrieval-for-nlp", a section named "Retrieval and Embeddings"; seed 004 names sections
    # renumbered since ("#21-dl-scheduling": 2.1 is "Empirical study on ML Jobs"). Everything
    # else resolves, GT-RIPL's "#awesome-llm-robotics-" (a badge in the heading) and "#top" among them.
    from pathlib import Path

    from paperenrich.linkcheck.collect import collect_places
    from paperenrich.linkcheck.local import check_local

    shared = Path(__file__).resolve().parents[1].parent / "shared"
    if not (shared / "lists").is_dir():
        import pytest

        pytest.skip("the shared corpus lists are not beside the repository")
    expected = {
        "francois-marie__awesome-quantum-computing-experiments.md": {
            "#magic-state:-|cz>", "#magic-state:-|h>", "#magic-state:-|m>", "#magic-state:-|t>",
            "#protocol:-4-to-2", "#protocol:-5-to-1"},
        "hzysvilla__Academic_Smart_Contract_Papers.md": {"#atc2024", "#atc2022", "#atc2021"},
        "keon__awesome-nlp.md": {"#retrieval-for-nlp"},
        "004_caa25635cc236b13.txt": {"#21-dl-scheduling", "#12-caching", "#210-communication-optimization",
                                     "#25-parallelism--distributed-training", "#26-distributed-training-parallelism"},
    }
    checked = 0
    for path in sorted((shared / "lists").glob("*.md")) + sorted((shared / "seeds").glob("*.txt")):
        if path.name == "SOURCES.md":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        anchors = {url: places for url, places in collect_places({path.name: text}).items() if url.startswith("#")}
        results, rest = check_local(anchors, lambda url: False, {path.name: text})
        assert not rest
        checked += len(results)
        assert {r.url for r in results if r.status == "broken"} == expected.get(path.name, set()), path.name
    assert checked > 700


def test_html_headings_readme_line_anchors_and_other_numbers_raise_no_false_alarm(tmp_path):
    # (a review's cases) a centred HTML heading has an anchor on GitHub, and counts for the
    # numbering of a later heading of the same name; "#readme" is the README's box on a
    # repository page; "#L3" names a source line (?plain=1), not a heading; github-slugger drops
    # "other numbers" such as "₂" ("co-capture"), and the spelling that keeps them is forgiven too.
    root = repository(tmp_path)
    (root / "docs" / "a.md").write_text("# A\n")
    (root / "README.md").write_text(
        '<h2 align="center">Papers</h2>\n\n## Papers\n\n<h1 align="center">\n  <img src="logo.png"> Awesome &amp; <b>Lists</b>\n</h1>\n\n'
        "## CO₂ Capture\n\n"
        "- [a](#papers) [b](#papers-1) [c](#awesome--lists) [d](#readme) [e](#co-capture) [f](#co₂-capture) [g](#papers-2)\n"
        "- [h](docs/a.md?plain=1#L3) [i](docs/a.md#L3-L9)\n")
    got = {url: status for (url, _), (status, _) in
           results_of(check_lists([root / "README.md"], Settings(use_cache=False, check_fragments=True))).items()}
    assert got == {"#papers": "ok", "#papers-1": "ok", "#awesome--lists": "ok", "#readme": "ok", "#co-capture": "ok",
                   "#co₂-capture": "ok", "#papers-2": "broken", "docs/a.md?plain=1#L3": "ok", "docs/a.md#L3-L9": "ok",
                   "logo.png": "broken"}
