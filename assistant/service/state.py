"""The service's own state in one SQLite file (WAL, one transaction per write): API keys (hashed),
feedback on answers, and indexing jobs. Every worker process of the server reads the same file."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from assistant.private_db import connect_private

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, groups TEXT NOT NULL,
    hash TEXT NOT NULL, created REAL NOT NULL, revoked REAL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL, rating INTEGER NOT NULL,
    comment TEXT NOT NULL, question TEXT, answer TEXT, key_id TEXT, created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, document TEXT NOT NULL, status TEXT NOT NULL,
    progress REAL NOT NULL, message TEXT NOT NULL, key_id TEXT, created REAL NOT NULL, updated REAL NOT NULL
);
"""


class StateStore:
    """Thread-safe: one connection per thread, short transactions."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect_private(self.path, 30)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def _write(self, sql: str, args: tuple) -> sqlite3.Cursor:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            cur = db.execute(sql, args)
            db.execute("COMMIT")
            return cur
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # --- keys ------------------------------------------------------------------------------
    def add_key(self, key_id: str, name: str, role: str, groups: list[str], digest: str) -> bool:
        """False when a key with this id exists already (ids are short: the caller draws another)."""
        try:
            self._write(
                "INSERT INTO keys (id, name, role, groups, hash, created) VALUES (?, ?, ?, ?, ?, ?)",
                (key_id, name, role, json.dumps(groups, ensure_ascii=False), digest, time.time()),
            )
        except sqlite3.IntegrityError:
            return False
        return True

    def key(self, key_id: str) -> sqlite3.Row | None:
        return self._connect().execute("SELECT * FROM keys WHERE id = ? AND revoked IS NULL", (key_id,)).fetchone()

    def keys(self) -> list[sqlite3.Row]:
        return self._connect().execute("SELECT * FROM keys ORDER BY created").fetchall()

    def revoke_key(self, key_id: str) -> bool:
        cur = self._write("UPDATE keys SET revoked = ? WHERE id = ? AND revoked IS NULL", (time.time(), key_id))
        return cur.rowcount > 0

    def has_keys(self) -> bool:
        return self._connect().execute("SELECT 1 FROM keys WHERE revoked IS NULL LIMIT 1").fetchone() is not None

    # --- feedback --------------------------------------------------------------------------
    def add_feedback(
        self, answer_id: str, rating: int, comment: str, question: str | None, answer: str | None, key_id: str | None
    ) -> int:
        cur = self._write(
            "INSERT INTO feedback (answer_id, rating, comment, question, answer, key_id, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (answer_id, rating, comment, question, answer, key_id, time.time()),
        )
        return int(cur.lastrowid)

    def feedback(self) -> list[sqlite3.Row]:
        return self._connect().execute("SELECT * FROM feedback ORDER BY id").fetchall()

    # --- jobs ------------------------------------------------------------------------------
    def add_job(self, job_id: str, kind: str, document: str, key_id: str | None, message: str) -> None:
        now = time.time()
        self._write(
            "INSERT INTO jobs (id, kind, document, status, progress, message, key_id, created, updated)"
            " VALUES (?, ?, ?, 'queued', 0, ?, ?, ?, ?)",
            (job_id, kind, document, message, key_id, now, now),
        )

    def update_job(
        self, job_id: str, *, status: str | None = None, progress: float | None = None, message: str | None = None
    ) -> None:
        self._write(
            "UPDATE jobs SET status = COALESCE(?, status), progress = COALESCE(?, progress),"
            " message = COALESCE(?, message), updated = ? WHERE id = ?",
            (status, progress, message, time.time(), job_id),
        )

    def claim_job(self, job_id: str) -> bool:
        """Mark a queued job running; False when another worker took it first."""
        cur = self._write(
            "UPDATE jobs SET status = 'running', updated = ? WHERE id = ? AND status = 'queued'", (time.time(), job_id)
        )
        return cur.rowcount == 1

    def requeue_job(self, job_id: str, message: str) -> None:
        """A job left running by a process that died goes back to the queue."""
        self._write(
            "UPDATE jobs SET status = 'queued', message = ?, updated = ? WHERE id = ? AND status = 'running'",
            (message, time.time(), job_id),
        )

    def job(self, job_id: str) -> sqlite3.Row | None:
        return self._connect().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()

    def unfinished_jobs(self) -> list[sqlite3.Row]:
        return self._connect().execute("SELECT * FROM jobs WHERE status IN ('queued', 'running')").fetchall()
