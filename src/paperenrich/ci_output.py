"""The CI formats that `check` and `lint` share: GitHub workflow-command escaping and the SARIF envelope.

Each command renders its own results; only the wire rules of the formats live here, once.
"""

from __future__ import annotations

import json
from typing import Any

from paperenrich import __version__

SARIF_LEVEL = {"error": "error", "warning": "warning", "notice": "note"}  # our CI level -> SARIF's


def gh_data(text: str) -> str:
    """Text after `::` in a workflow command: %, CR and LF escaped (a line break would end the command)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_property(text: str) -> str:
    """A property value (file=, title=): also ':' and ',' escaped, which separate properties."""
    return gh_data(text).replace(":", "%3A").replace(",", "%2C")


def sarif_rule(rule_id: str, title: str) -> dict[str, Any]:
    return {"id": rule_id, "name": title.replace(" ", ""), "shortDescription": {"text": title}}


def sarif_document(tool: str, rules: list[dict[str, Any]], results: list[dict[str, Any]]) -> str:
    """One SARIF 2.1.0 log with one run of `tool`."""
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": tool, "version": __version__,
                                      "informationUri": "https://github.com/paperenrich/paperenrich", "rules": rules}},
                  "results": results}],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
