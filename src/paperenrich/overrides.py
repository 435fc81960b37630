"""The overrides file: the user pins an entry to a paper, or rules a paper out for an entry.

TOML, named by `--overrides FILE` or the `overrides_file` setting:

    [[pin]]                                  # this entry is this paper (no verification)
    title = "Attention Is All You Need"      # the entry, by its title as the list writes it
    arxiv = "1706.03762"                     # exactly one of: arxiv, doi, s2 (a Semantic Scholar paperId)

    [[reject]]                               # never attach this paper to this entry
    title = "Orca: A Distributed Serving System for Transformer-Based Generative Models"
    doi = "10.1145/1234.5678"                # one or more of: arxiv, doi, s2

Titles are compared after normalisation (case, punctuation, markup), so small edits to the list keep
an override in force. A malformed file is a configuration error (exit 3), reported in one line.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from paperenrich.errors import ConfigError
from paperenrich.model import Entry
from paperenrich.titles import normalize_title

ID_KINDS = ("arxiv", "doi", "s2")


@dataclass(frozen=True)
class Overrides:
    pins: dict[str, tuple[str, str]] = field(default_factory=dict)  # normalised title -> (kind, id)
    rejects: dict[str, frozenset[str]] = field(default_factory=dict)  # normalised title -> {"doi:…", …}

    def pin_for(self, entry: Entry) -> tuple[str, str] | None:
        return self.pins.get(normalize_title(entry.title))

    def rejected_for(self, entry: Entry) -> frozenset[str]:
        return self.rejects.get(normalize_title(entry.title), frozenset())


def _ids(item: dict, where: str) -> list[tuple[str, str]]:
    found = []
    for kind in ID_KINDS:
        value = item.get(kind)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: {kind} must be a non-empty string")
        value = value.strip()
        found.append((kind, value.lower() if kind == "doi" else value))
    unknown = set(item) - {"title", *ID_KINDS}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return found


def _title(item: dict, where: str) -> str:
    title = item.get("title")
    if not isinstance(title, str) or not normalize_title(title):
        raise ConfigError(f"{where}: needs a title (the entry's title as the list writes it)")
    return normalize_title(title)


def parse_overrides(text: str, name: str = "overrides") -> Overrides:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML ({exc})") from None
    unknown = set(data) - {"pin", "reject"}
    if unknown:
        raise ConfigError(f"{name}: unknown table(s) {', '.join(sorted(unknown))}; expected [[pin]] and [[reject]]")
    pins: dict[str, tuple[str, str]] = {}
    rejects: dict[str, set[str]] = {}
    for kind in ("pin", "reject"):
        items = data.get(kind, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ConfigError(f"{name}: write each {kind} as a [[{kind}]] table")
        for n, item in enumerate(items, 1):
            where = f"{name}: [[{kind}]] #{n}"
            title = _title(item, where)
            ids = _ids(item, where)
            if kind == "pin":
                if len(ids) != 1:
                    raise ConfigError(f"{where}: give exactly one of {', '.join(ID_KINDS)}")
                pins[title] = ids[0]
            else:
                if not ids:
                    raise ConfigError(f"{where}: give at least one of {', '.join(ID_KINDS)}")
                rejects.setdefault(title, set()).update(f"{k}:{v}" for k, v in ids)
    return Overrides(pins, {t: frozenset(v) for t, v in rejects.items()})


def load_overrides(path: Path | None) -> Overrides:
    if path is None:
        return Overrides()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read overrides file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_overrides(text, str(path))
