"""Replacing a file in one rename, so a reader (or a crash) never sees it half-written.

- A symlink is followed: its target is replaced, and the link stays a link.
- A read-only file is refused unless `force` (the rename would replace it all the same).
- The data is fsynced before the rename and the directory after it: a power cut leaves the old
  file or the new one, never an empty one.
- The temporary file (`.NAME.<pid>.<random>.tmp`, beside the target) is removed on every exit
  path the process lives through; one left by a killed process (its pid no longer runs) is removed
  by the next write beside it.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path

from paperenrich.errors import InputError, PaperenrichError


def _fail(path: Path, exc: OSError) -> PaperenrichError:
    return PaperenrichError(f"cannot write {path}: {exc.strerror or exc}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


def remove_stale_temporaries(target: Path) -> None:
    """Temporary files of `target` left by writers that were killed (their pid is gone)."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(\d+)\.[^.]+\.tmp$")
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        match = pattern.match(name)
        if match and int(match.group(1)) != os.getpid() and not _pid_alive(int(match.group(1))):
            try:
                (target.parent / name).unlink()
            except OSError:
                pass


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # not every platform opens directories
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace_file(path: Path, data: bytes, *, force: bool = False, force_flag: str | None = None) -> None:
    """Write `data` to a temporary file beside the file `path` names (through symlinks), fsync it,
    then rename it over that file.

    An existing file keeps its permissions; a new one gets the usual ones (0666 less the umask).
    A read-only file is an InputError unless `force` (its message names `force_flag`, the
    command's way to force). Failures are one-line errors.
    """
    path = Path(path)
    target = Path(os.path.realpath(path))  # a symlink's target (a chain, relative or absolute)
    try:
        info = target.stat()
        mode = info.st_mode & 0o7777
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"cannot write {path}: not a regular file")
        if not force and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            how = f"; {force_flag} replaces it anyway" if force_flag else ""
            raise InputError(f"{path} is read-only: not replaced{how}")
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    except OSError as exc:
        raise _fail(path, exc) from None
    remove_stale_temporaries(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise _fail(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _fail(path, exc) from None
        raise
    _fsync_dir(target.parent)
