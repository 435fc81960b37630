"""The SQLite store behind every rerun: one file, `<cache_dir>/paperenrich.db`, via sqlite-utils.

Every finished lookup is written (and committed) the moment it arrives, so a killed run loses
nothing that finished and a rerun resumes. WAL mode lets two runs share one cache.

The generic table is `lookups`: (namespace, key) -> JSON value with `fetched_at`. A value of
None is a negative result ("asked, not found"), cached with the short negative TTL.
Namespaces in use: "arxiv" (arXiv records by id), "s2" (S2 records by lookup key),
"title" (title-search results), "links" (link-check results).
Secrets never reach this file: keys are not part of any lookup key or value.

A damaged file (SQLite says "malformed" or "not a database", on opening or at any later read or
write) is moved aside as `paperenrich.db.damaged-<time>` with one warning line, and the run goes on
with a fresh cache: a cache only saves requests, it must never stop a run. A single value that is
not JSON is a miss.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from paperenrich.errors import ConfigError


def _load_sqlite_utils():
    """sqlite-utils, loaded without numpy and pandas: it imports them when they are installed only to
    map their column types, which this cache never writes, and numpy alone is about 0.3 s of every
    command's start. They are hidden only while sqlite_utils loads; a later `import numpy` works."""
    import sys

    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))  # None: "import numpy" raises ImportError
    try:
        import sqlite_utils
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return sqlite_utils


sqlite_utils = _load_sqlite_utils()

DB_NAME = "paperenrich.db"
_DAMAGE_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
log = logging.getLogger("paperenrich.cache")


@dataclass(frozen=True)
class Cached:
    value: Any  # None for a negative result
    fetched_at: float


def _retry_while_locked(work, patience: float = 30.0) -> None:
    """Run `work`, again while SQLite says the database is locked (up to `patience` seconds).

    SQLite's busy timeout covers ordinary writes, but not every case: while one process switches
    a new database to WAL mode, another one's CREATE TABLE fails at once with "locked".
    """
    deadline = time.monotonic() + patience
    delay = 0.01
    while True:
        try:
            return work()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)


def _encode(value: Any) -> str:
    """JSON text of a value; a record (anything with `to_json`, e.g. sources.records) as its JSON form."""
    def as_json(obj: Any) -> Any:
        if hasattr(obj, "to_json"):
            return obj.to_json()
        raise TypeError(f"cannot cache a {type(obj).__name__}")

    return json.dumps(value, ensure_ascii=False, default=as_json)


def is_damage(exc: BaseException) -> bool:
    """SQLite's verdict that the file is not a sound database (not a passing "locked")."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    return code in _DAMAGE_CODES or (code is None and ("malformed" in str(exc) or "not a database" in str(exc)))


def _recovering(method):
    """Run a cache operation; if it finds the file damaged, move it aside and run it once more
    on a fresh cache."""

    @functools.wraps(method)
    def wrapper(self: "Cache", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self._recover(exc)
            return method(self, *args, **kwargs)

    return wrapper


class Cache:
    def __init__(self, cache_dir: Path | str, *, enabled: bool = True):
        self.enabled = enabled
        self.path = Path(cache_dir) / DB_NAME
        self.moved_aside: Path | None = None  # where a damaged file went (None: it was sound)
        self._db: sqlite_utils.Database | None = None
        if enabled:
            try:
                self._open()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise ConfigError(f"cannot open cache {self.path}: {exc}") from None
                self._recover(exc)
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"cannot open cache {self.path}: {exc}") from None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self._db = sqlite_utils.Database(conn)
        _retry_while_locked(self._set_up)
        # Garbage inside the file shows only when its page is read: look at every page once.
        verdict = self._db.execute("PRAGMA quick_check(1)").fetchone()
        if not verdict or verdict[0] != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict[0] if verdict else 'no answer'})")

    def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                self._db.conn.close()
            except sqlite3.Error:
                pass
            self._db = None

    def _recover(self, exc: BaseException) -> None:
        """Move the damaged file aside, say so in one line, and start a fresh cache."""
        self._close_quietly()
        aside = self.path.with_name(f"{DB_NAME}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            self.path.replace(aside)
            for suffix in ("-wal", "-shm", "-journal"):
                self.path.with_name(DB_NAME + suffix).unlink(missing_ok=True)
        except OSError as err:
            raise ConfigError(f"cache {self.path} is damaged ({exc}) and cannot be moved aside: {err.strerror or err}") from None
        self.moved_aside = aside
        log.warning(f"warning: cache {self.path} was damaged ({exc}); moved it to {aside.name} and started a fresh one")
        try:
            self._open()
        except (OSError, sqlite3.Error) as err:
            raise ConfigError(f"cannot open cache {self.path}: {err}") from None

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            raise RuntimeError("cache is disabled")
        return self._db

    def _set_up(self) -> None:
        """WAL mode and the schema; safe to repeat, as two runs may open a new cache at once."""
        self.db.enable_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        if "lookups" not in self.db.table_names():
            self.db["lookups"].create(
                {"namespace": str, "key": str, "value": str, "fetched_at": float},
                pk=("namespace", "key"),
                if_not_exists=True,
            )

    # --- reads --------------------------------------------------------------------------------
    def get(self, namespace: str, key: str, max_age: float | None = None, negative_max_age: float | None = None) -> Cached | None:
        """The cached value if present and fresh enough, else None (a miss)."""
        found = self.get_many(namespace, [key], max_age, negative_max_age)
        return found.get(key)

    @_recovering
    def get_many(
        self, namespace: str, keys: Iterable[str], max_age: float | None = None, negative_max_age: float | None = None
    ) -> dict[str, Cached]:
        if not self.enabled:
            return {}
        keys = list(dict.fromkeys(keys))
        now = time.time()
        out: dict[str, Cached] = {}
        for start in range(0, len(keys), 500):  # stay under SQLite's host-parameter limit
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"select key, value, fetched_at from lookups where namespace = ? and key in ({marks})",
                [namespace, *chunk],
            ).fetchall()
            for key, raw, fetched_at in rows:
                try:
                    value = json.loads(raw)
                except (TypeError, ValueError):
                    continue  # an unreadable value is a miss: asked again, then overwritten
                if not isinstance(fetched_at, (int, float)):
                    continue
                limit = negative_max_age if (value is None and negative_max_age is not None) else max_age
                if limit is not None and now - fetched_at > limit:
                    continue
                out[key] = Cached(value, fetched_at)
        return out

    # --- writes -------------------------------------------------------------------------------
    def put(self, namespace: str, key: str, value: Any) -> None:
        self.put_many(namespace, {key: value})

    @_recovering
    def put_many(self, namespace: str, items: dict[str, Any]) -> None:
        """Write and commit at once: what finished is never lost."""
        if not self.enabled or not items:
            return
        now = time.time()
        rows = [{"namespace": namespace, "key": k, "value": _encode(v), "fetched_at": now} for k, v in items.items()]
        with self.db.conn:
            self.db["lookups"].upsert_all(rows, pk=("namespace", "key"))

    # --- maintenance (`paperenrich cache stats|clear|prune`) -----------------------------------
    @_recovering
    def stats(self) -> dict[str, Any]:
        if not self.enabled or not self.path.exists():
            return {"path": str(self.path), "exists": False}
        rows = self.db.execute(
            "select namespace, count(*), sum(value = 'null'), min(fetched_at), max(fetched_at) from lookups group by namespace"
        ).fetchall()
        return {
            "path": str(self.path),
            "exists": True,
            "bytes": self.path.stat().st_size,
            "namespaces": {
                ns: {"entries": n, "negative": int(neg or 0), "oldest": oldest, "newest": newest}
                for ns, n, neg, oldest, newest in rows
            },
        }

    @_recovering
    def clear(self, namespace: str | None = None) -> int:
        if not self.enabled:
            return 0
        with self.db.conn:
            if namespace:
                cur = self.db.execute("delete from lookups where namespace = ?", [namespace])
            else:
                cur = self.db.execute("delete from lookups")
        self.db.execute("vacuum")
        return cur.rowcount

    @_recovering
    def prune(self, max_age_by_namespace: dict[str, float], negative_max_age: float | None = None) -> int:
        """Delete entries older than their namespace's TTL (and negatives past theirs)."""
        if not self.enabled:
            return 0
        now = time.time()
        removed = 0
        with self.db.conn:
            for ns, age in max_age_by_namespace.items():
                removed += self.db.execute(
                    "delete from lookups where namespace = ? and fetched_at < ?", [ns, now - age]
                ).rowcount
            if negative_max_age is not None:
                removed += self.db.execute(
                    "delete from lookups where value = 'null' and fetched_at < ?", [now - negative_max_age]
                ).rowcount
        return removed

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None
