"""Replacing a file in one rename, so a reader (or a crash) never sees it half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from paperenrich.errors import PaperenrichError


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path`.

    An existing file keeps its permissions; a new one gets the usual ones (0666 less the umask).
    The temporary file is removed if anything fails; the failure is a one-line error.
    """
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        raise PaperenrichError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise PaperenrichError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise PaperenrichError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
