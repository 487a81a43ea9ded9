"""SQLite files only their owner can read: the service's state, shared query vectors and answers.

``sqlite3.connect`` creates a missing file with the process's umask (often readable by every user),
and in WAL mode SQLite gives the ``-wal`` and ``-shm`` files the mode of the database file — the
``-wal`` holds recent rows in clear. ``connect_private`` creates the file owner-only before SQLite
opens it, and narrows an older file and its companions that were made readable by others.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

MODE = 0o600
log = logging.getLogger(__name__)
_CREATING = threading.Lock()


def connect_private(path: Path, timeout: float) -> sqlite3.Connection:
    """A connection to ``path`` (created owner-only if missing) in WAL mode, autocommit, usable
    from any thread."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _CREATING:  # no connection of this process is being opened while the new file's descriptor is
        try:
            # Only a file that does not exist yet is opened here: SQLite's locks are the process's
            # POSIX locks, which closing *any* descriptor of the file would drop.
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, MODE))
        except FileExistsError:
            pass
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            try:
                if name.stat().st_mode & 0o077:
                    os.chmod(name, MODE)  # by name: no descriptor opened
            except FileNotFoundError:
                pass
        db = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


class CacheFile:
    """A SQLite file many threads use as a cache: one connection per thread, made on first use. A
    file that cannot be opened (locked, full, damaged, not a file) is left alone for ``retry``
    seconds and said once in the log: its users compute what they would have read instead."""

    def __init__(self, path: Path, schema: str, busy: float, what: str, retry: float = 60.0) -> None:
        self.path = Path(path)
        self.schema, self.busy, self.what, self.retry = schema, busy, what, retry
        self._local = threading.local()
        self._lock = threading.Lock()
        self._failed_at: float | None = None

    def connection(self) -> sqlite3.Connection | None:
        db = getattr(self._local, "db", None)
        if db is not None:
            return db
        failed_at = self._failed_at
        if failed_at is not None and time.monotonic() - failed_at < self.retry:
            return None
        try:
            db = connect_private(self.path, self.busy)
            db.executescript(self.schema)
        except (sqlite3.Error, OSError) as exc:
            with self._lock:
                if self._failed_at is None or time.monotonic() - self._failed_at >= self.retry:
                    log.warning("%s %s unavailable (%s): going on without it", self.what, self.path, exc)
                self._failed_at = time.monotonic()
            return None
        self._failed_at = None
        self._local.db = db
        return db
