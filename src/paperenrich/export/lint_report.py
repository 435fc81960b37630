"""Lint findings rendered for a person or a CI: text, json, github (workflow annotations), sarif, junit. Pure.

The same family as `check`'s reports (linkcheck/report.py), over findings instead of link results.
Each finding travels with the list it is about: (source, Finding) pairs, in the order given.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Callable, Collection, Sequence

from paperenrich.ci_output import SARIF_LEVEL, gh_data, gh_property, sarif_document, sarif_rule
from paperenrich.export.lint import KINDS, Finding

FORMATS = ("text", "json", "github", "sarif", "junit")

# How loud each kind is in CI outputs: a link that does not work is an error; what a maintainer
# should look at, a warning; an entry we could not match may well be fine (a blog post, a thesis).
LEVEL = {"broken": "error", "published": "warning", "venue": "warning", "year": "warning", "duplicate": "warning",
         "soft_404": "warning", "invalid": "warning", "unresolved": "notice"}
TITLE = {"published": "Published version exists", "venue": "Venue disagrees", "year": "Year disagrees",
         "duplicate": "Duplicate paper", "unresolved": "Unresolved entry", "broken": "Broken link",
         "soft_404": "Soft 404", "invalid": "Invalid link"}

Located = tuple[str, Finding]  # (the list's name as given, the finding)


def _message(f: Finding) -> str:
    subject = f" - {f.url}" if f.url else (f' - "{f.title}"' if f.title else "")
    return f"{f.message}{subject}"


def _counts_line(located: Sequence[Located], lists: int) -> str:
    counts = Counter(f.kind for _, f in located)
    shown = ", ".join(f"{counts[k]} {k}" for k in KINDS if counts.get(k))
    return f"{len(located)} finding(s) in {lists} list(s)" + (f": {shown}" if shown else "")


def to_text(located: Sequence[Located], lists: int) -> str:
    """One line per finding, "LIST.md:12: published: listed as arXiv'23, now published at SOSP 2023", then a count."""
    lines = [f"{source}:{f.line}: {f.kind}: {_message(f)}" for source, f in located]
    lines.append(_counts_line(located, lists))
    return "\n".join(lines)


def to_json(located: Sequence[Located], lists: int) -> str:
    counts = Counter(f.kind for _, f in located)
    doc = {"findings": [{"file": source, **f.to_dict()} for source, f in located],
           "summary": {"lists": lists, "findings": len(located), "counts": {k: counts.get(k, 0) for k in KINDS}}}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def to_github(located: Sequence[Located], lists: int) -> str:
    """GitHub Actions workflow commands: one annotation on the line of each finding."""
    lines = [f"::{LEVEL[f.kind]} file={gh_property(source)},line={max(f.line, 1)},"
             f"title={gh_property(TITLE[f.kind])}::{gh_data(_message(f))}" for source, f in located]
    lines.append(_counts_line(located, lists))
    return "\n".join(lines)


def to_sarif(located: Sequence[Located], lists: int) -> str:
    rules = [sarif_rule(kind, TITLE[kind]) for kind in KINDS]
    results = [{
        "ruleId": f.kind,
        "level": SARIF_LEVEL[LEVEL[f.kind]],
        "message": {"text": _message(f)},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": source},
                                            "region": {"startLine": max(f.line, 1)}}}],
    } for source, f in located]
    return sarif_document("paperenrich lint", rules, results)


def to_junit(located: Sequence[Located], lists: int, failing: Collection[str] = ()) -> str:
    """One test case per finding: a failure when its kind is one that fails the run (`--fail-on`)."""
    failures = sum(1 for _, f in located if f.kind in failing)
    suite = ET.Element("testsuite", name="paperenrich lint", tests=str(max(len(located), 1)),
                       failures=str(failures), errors="0", skipped="0")
    for source, f in located:
        case = ET.SubElement(suite, "testcase", classname=source, name=f"{f.kind} at line {f.line}",
                             file=source, line=str(f.line))
        if f.kind in failing:
            ET.SubElement(case, "failure", message=_message(f), type=f.kind).text = _message(f)
        else:
            ET.SubElement(case, "system-out").text = f"{f.kind}: {_message(f)}"
    if not located:
        ET.SubElement(suite, "testcase", classname="lint", name=f"{lists} list(s): no findings")
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


RENDERERS: dict[str, Callable[..., str]] = {
    "text": to_text, "json": to_json, "github": to_github, "sarif": to_sarif, "junit": to_junit,
}


def render(located: Sequence[Located], lists: int, fmt: str, failing: Collection[str] = ()) -> str:
    if fmt == "junit":
        return to_junit(located, lists, failing)
    return RENDERERS[fmt](located, lists)
