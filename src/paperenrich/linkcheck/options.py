"""What users tell `check` about URLs and statuses: accepted status codes, the ignore file, URL patterns.

Pure helpers with one-line errors (UsageError/ConfigError), shared by the CLI and the config path.
"""

from __future__ import annotations

import re
from pathlib import Path

from paperenrich.errors import ConfigError, UsageError

IGNORE_FILE = ".paperenrichignore"


def parse_accept(text: str) -> tuple[int, ...]:
    """'200..299,403' or '200-299, 403' -> the status codes; UsageError on anything else."""
    codes: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(\d{3})\s*(?:\.\.=?|-)\s*(\d{3})|(\d{3})", part)
        if not match:
            raise UsageError(f"--accept: {part!r} is not a status code or a range like 200..299")
        if match.group(3):
            codes.append(int(match.group(3)))
        else:
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise UsageError(f"--accept: empty range {part!r}")
            codes.extend(range(low, high + 1))
    return tuple(codes)


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
