"""A CheckReport rendered as text, json, markdown, junit, sarif or github (workflow annotations). Pure."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Callable

from paperenrich.ci_output import SARIF_LEVEL, gh_data, gh_property, sarif_document, sarif_rule
from paperenrich.linkcheck.run import STATUSES, CheckReport
from paperenrich.escape import one_line
from paperenrich.model import LinkResult, LinkStatus, LinkTarget

FORMATS = ("text", "json", "markdown", "junit", "sarif", "github")
REPORTED = tuple(s for s in LinkStatus if s.ci_level)  # the statuses CI outputs show (not ok, not skipped)
_ENUM_ORDER = {status: i for i, status in enumerate(LinkStatus)}


def findings(report: CheckReport) -> list[LinkResult]:
    """Results worth showing, most serious first, then in list order (a redirect only when it has a suggestion)."""
    shown = [r for r in report.results if r.status.ci_level and (r.status != LinkStatus.REDIRECTED or r.suggestion)]
    return sorted(shown, key=_finding_order)


def _finding_order(result: LinkResult) -> tuple[int, int, str, int, str]:
    first = result.places[0] if result.places else None
    return (-result.status.severity, _ENUM_ORDER[result.status], first.file if first else "", first.line if first else 0, result.url)


def _message(result: LinkResult) -> str:
    parts = [result.url]
    if result.detail:
        parts.append(f"({result.detail})")
    if result.suggestion:
        parts.append(f"-> use {result.suggestion}")
    return " ".join(parts)


def _counts_line(report: CheckReport) -> str:
    counts = report.summary["counts"]
    shown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts.get(s))
    return f"{report.summary['urls']} URLs in {report.summary['places']} places: {shown or 'nothing to check'}"


def to_text(report: CheckReport) -> str:
    lines = []
    for result in findings(report):
        place = result.places[0] if result.places else None
        where = f"{place.file}:{place.line}: " if place else ""
        more = f" (+{len(result.places) - 1} more places)" if len(result.places) > 1 else ""
        lines.append(f"{where}{result.status}: {_message(result)}{more}")
    lines.append(_counts_line(report))
    return "\n".join(lines)


def to_json(report: CheckReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: CheckReport) -> str:
    counts = report.summary["counts"]
    lines = ["## Link check", "", _counts_line(report), "", "| status | URLs |", "|---|---:|"]
    lines += [f"| {s} | {counts[s]} |" for s in STATUSES if counts.get(s)]
    shown = findings(report)
    if shown:
        lines += ["", "| status | URL | where | detail | suggestion |", "|---|---|---|---|---|"]
        for r in shown:
            where = ", ".join(f"{p.file}:{p.line}" for p in r.places[:5]) + (" …" if len(r.places) > 5 else "")
            lines.append(f"| {r.status} | {_md(r.url)} | {_md(where)} | {_md(r.detail or '')} | {_md(r.suggestion or '')} |")
    return "\n".join(lines)


def to_junit(report: CheckReport) -> str:
    counts = report.summary["counts"]
    suite = ET.Element("testsuite", name="paperenrich check", tests=str(len(report.results)),
                       failures=str(counts.get("broken", 0)), errors="0",
                       skipped=str(counts.get("skipped", 0)), time=str(report.summary.get("elapsed_s", 0)))
    for r in report.results:
        place = r.places[0] if r.places else None
        case = ET.SubElement(suite, "testcase", classname=place.file if place else "links", name=r.url,
                             file=place.file if place else "", line=str(place.line if place else 0))
        if r.status == "broken":
            ET.SubElement(case, "failure", message=_message(r), type=r.status).text = _message(r)
        elif r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.detail or "")
        elif r.status.ci_level:
            ET.SubElement(case, "system-out").text = f"{r.status}: {_message(r)}"
    root = ET.Element("testsuites")
    root.append(suite)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def to_sarif(report: CheckReport) -> str:
    rules = [sarif_rule(status.value, status.display) for status in REPORTED]
    results = []
    for r in findings(report):
        results.append({
            "ruleId": r.status.value,
            "level": SARIF_LEVEL[r.status.ci_level],
            "message": {"text": _message(r)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": p.file}, "region": {"startLine": p.line}}}
                          for p in r.places] or [{"physicalLocation": {"artifactLocation": {"uri": "links"}}}],
        })
    return sarif_document("paperenrich", rules, results)


def to_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: one annotation per place of each finding."""
    lines = []
    for r in findings(report):
        for p in r.places or ():
            lines.append(f"::{r.status.ci_level} file={gh_property(p.file)},line={p.line},"
                         f"title={gh_property(r.status.display)}::{gh_data(_message(r))}")
    lines.append(_counts_line(report))
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[CheckReport], str]] = {
    "text": to_text, "json": to_json, "markdown": to_markdown, "junit": to_junit, "sarif": to_sarif, "github": to_github,
}


def render(report: CheckReport, fmt: str) -> str:
    return RENDERERS[fmt](report)


DUMP_FORMATS = ("text", "json")


def render_dump(targets: list[LinkTarget], fmt: str, with_skipped: bool = False) -> str:
    """`check --dump`: the links that would be asked, one a line (with_skipped: the others too,
    each with its reason), or every link as JSON."""
    if fmt == "json":
        return json.dumps({"links": [t.to_dict() for t in targets]}, ensure_ascii=False, indent=2) + "\n"
    # (one_line: a list's text must not put control characters on a terminal or a CI log)
    lines = [one_line(t.url if t.skipped is None else f"{t.url} ({t.skipped})")
             for t in targets if with_skipped or t.skipped is None]
    return "".join(line + "\n" for line in lines)
