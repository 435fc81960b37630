"""What users tell `check` about URLs and statuses: accepted status codes, the ignore file, URL patterns.

Pure helpers with one-line errors (UsageError/ConfigError), shared by the CLI and the config path.
"""

from __future__ import annotations

import re
from pathlib import Path

from paperenrich.errors import ConfigError, UsageError

IGNORE_FILE = ".paperenrichignore"


_MIN_CODE, _MAX_CODE = 100, 999  # as lychee
# lychee's syntax: 403; 200..=299 (inclusive); 200..300 (end excluded); ..=399 or 500.. (open ends).
# 200-299 (inclusive) is kept from our own earlier syntax.
_ACCEPT_PART = re.compile(r"(?P<single>\d+)|(?P<start>\d+)?\s*\.\.(?P<inclusive>=)?\s*(?P<end>\d+)?|(?P<low>\d+)\s*-\s*(?P<high>\d+)")


def parse_accept(text: str, what: str = "--accept", error: type[Exception] = UsageError) -> tuple[int, ...]:
    """'200..=299,403' (lychee's syntax) or '200-299, 403' -> the status codes; `error` on anything else."""
    codes: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _ACCEPT_PART.fullmatch(part)
        if not match:
            raise error(f"{what}: {part!r} is not a status code or a range like 200..=299")
        if match["single"]:
            low = high = int(match["single"])
        elif match["low"]:
            low, high = int(match["low"]), int(match["high"])
        else:
            low = int(match["start"]) if match["start"] else _MIN_CODE
            high = int(match["end"]) if match["end"] else _MAX_CODE
            if match["end"] and not match["inclusive"]:
                high -= 1  # 200..300 stops before 300
        if not (_MIN_CODE <= low <= _MAX_CODE and _MIN_CODE <= high <= _MAX_CODE):
            raise error(f"{what}: {part!r} is outside the status codes {_MIN_CODE}..={_MAX_CODE}")
        if low > high:
            raise error(f"{what}: empty range {part!r}")
        codes.extend(range(low, high + 1))
    return tuple(codes)


def accept_setting(value: object, what: str) -> tuple[int, ...]:
    """The `accept` of a config file: a list of codes (`[403, 429]`), a list of lychee strings
    (`["200..=299", "403"]`) or one string; a list mixing both is refused (ConfigError)."""
    if isinstance(value, str):
        return parse_accept(value, what, ConfigError)
    if not isinstance(value, (list, tuple)):
        raise ConfigError(f"{what}: expected a list of status codes or ranges, got {value!r}")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return parse_accept(",".join(str(v) for v in value), what, ConfigError)
    if all(isinstance(v, str) for v in value):
        return parse_accept(",".join(value), what, ConfigError)
    raise ConfigError(f"{what}: mixes numbers and strings ({value!r}); write every item as a string, "
                      f'e.g. ["200..=299", "403"]')


def read_ignore_file(path: Path) -> tuple[str, ...]:
    """One regular expression per line; blank lines and '#' comments are ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read ignore file {path}: {exc}") from None
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def check_patterns(patterns: tuple[str, ...], what: str) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"{what}: bad regular expression {pattern!r} ({exc})") from None
