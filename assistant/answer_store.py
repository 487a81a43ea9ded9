"""Answers shared by the server's worker processes, and prepared before a build is swapped in.

Each snapshot keeps the answers it gave in memory (``answer_cache.py``), but a question one worker
answered is new to the other, and every publish used to start both with nothing: under steady
questions and uploads, each build's questions were answered again twice, on the cores the questions
were waiting for. ``AnswerStore`` is one SQLite file under the state directory (WAL: readers never
wait for the writer) holding, per build, the answers computed on it, so that:

- a worker that misses in memory looks here before answering (the other worker may have answered
  it on the same build), and stores what it had to compute;
- the child process that makes a new build answers, on it and at its low CPU priority, the
  questions most recently answered on the build it replaces (``Pipeline.prefill``) and marks it
  warm; workers swap a build in once it is warm (or after a bounded wait), so the questions that
  keep coming find their answers ready.

An answer is the same whichever process computes it on the same build (the default answerer is
deterministic), so this changes when an answer is computed, never what it is. Only answers for
callers who see every document are stored (a restricted caller's stay in its worker's memory) and
only those of the default answerer. Like the query vector store, it is a cache: a locked, damaged
or unreadable file or entry means the answer is computed, never the request's error. The file is
readable by its owner only; only the builds in use keep rows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.conversation import Resolved
from assistant.filters import Filters
from assistant.models import Answer, Chunk, Hit
from assistant.private_db import CacheFile

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    build TEXT NOT NULL, key TEXT NOT NULL, question TEXT NOT NULL, search TEXT NOT NULL,
    filters TEXT NOT NULL, k INTEGER NOT NULL, hits TEXT NOT NULL, answer TEXT NOT NULL,
    used REAL NOT NULL, PRIMARY KEY (build, key)
);
CREATE INDEX IF NOT EXISTS answers_used ON answers (build, used);
CREATE TABLE IF NOT EXISTS warming (build TEXT PRIMARY KEY, started REAL NOT NULL, finished REAL);
"""
#: How long a read or write may wait for the file before the answer is computed instead.
BUSY_SECONDS = 0.05
#: After the file could not be opened, how long to go without it before trying again.
RETRY_SECONDS = 60.0
#: A build being warmed is kept this long even when no process uses it yet.
WARMING_KEPT_SECONDS = 600.0
#: A question asked again is marked so in the file at most this often per process.
TOUCH_SECONDS = 60.0


@dataclass(frozen=True)
class StoredQuestion:
    """What a stored answer answers: the question (completed from its conversation), what was
    searched, the request's filters and how many passages."""

    resolved: Resolved
    filters: Filters
    k: int

    @property
    def key(self) -> str:
        f = self.filters
        parts = [
            self.resolved.question,
            self.resolved.search,
            sorted(f.documents) if f.documents else None,
            f.province,
            sorted(f.years) if f.years else None,
            self.k,
        ]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()


def stored_question(key) -> StoredQuestion | None:
    """The storable part of an answer cache key ``(mode, resolved, visible, filters, k)``: None for
    an LLM's answer or a caller who does not see every document."""
    if not isinstance(key, tuple) or len(key) != 5:
        return None
    mode, resolved, visible, filters, k = key
    if mode != "default" or visible is not None or not isinstance(resolved, Resolved):
        return None
    return StoredQuestion(resolved, filters if isinstance(filters, Filters) else Filters(), int(k))


class AnswerStore:
    """Per build: stored question → (passages, answer); thread-safe, one connection per thread."""

    def __init__(self, path: Path, limit: int = 4096, prune_every: int = 500) -> None:
        self.path = Path(path)
        self.limit = max(1, limit)  # answers kept per build, the most recently answered
        self.prune_every = prune_every
        self._file = CacheFile(self.path, SCHEMA, BUSY_SECONDS, "answer store", RETRY_SECONDS)
        self._lock = threading.Lock()
        self._writes = 0
        self._warned_at = -RETRY_SECONDS
        self.failures = 0  # reads and writes that failed (the answer was computed instead)

    # --- answers ------------------------------------------------------------------------------
    def get(self, build: str, question: StoredQuestion, chunks: dict[str, Chunk]) -> tuple[list[Hit], Answer] | None:
        """The passages and answer stored for ``question`` on ``build`` (None: none, or unusable)."""
        row = self._fetch("SELECT hits, answer FROM answers WHERE build = ? AND key = ?", (build, question.key))
        if row is None:
            return None
        try:
            hits = [
                Hit(chunk=chunks[c], score=s, dense_score=d, lexical_score=lx, rank=r)
                for c, s, d, lx, r in json.loads(row[0])
            ]
            return hits, Answer.model_validate_json(row[1])
        except (ValueError, TypeError, KeyError):  # a damaged entry, or one of another build's chunks
            return None

    def put(self, build: str, question: StoredQuestion, hits: list[Hit], answer: Answer, used: float | None = None):
        rows = [[h.chunk.id, h.score, h.dense_score, h.lexical_score, h.rank] for h in hits]
        f = question.filters
        filters = {
            "documents": sorted(f.documents) if f.documents else None,
            "province": f.province,
            "years": sorted(f.years) if f.years else None,
        }
        self._run(
            "INSERT OR REPLACE INTO answers (build, key, question, search, filters, k, hits, answer, used) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                build,
                question.key,
                question.resolved.question,
                question.resolved.search,
                json.dumps(filters, ensure_ascii=False),
                question.k,
                json.dumps(rows),
                answer.model_dump_json(),
                time.time() if used is None else used,
            ),
        )
        with self._lock:
            self._writes += 1
            prune = self._writes % self.prune_every == 0
        if prune:
            self._run(
                "DELETE FROM answers WHERE build = ? AND key NOT IN "
                "(SELECT key FROM answers WHERE build = ? ORDER BY used DESC LIMIT ?)",
                (build, build, self.limit),
            )

    def touch(self, build: str, question: StoredQuestion) -> None:
        """``question`` was asked again on ``build`` (its answer found in a worker's memory)."""
        self._run("UPDATE answers SET used = ? WHERE build = ? AND key = ?", (time.time(), build, question.key))

    def recent(self, build: str, limit: int, since: float = 0.0) -> list[tuple[StoredQuestion, float]]:
        """The questions asked on ``build`` since ``since`` (a time), the most recent first, with
        when each was last asked (to within ``TOUCH_SECONDS``)."""
        rows = self._fetch_all(
            "SELECT question, search, filters, k, used FROM answers WHERE build = ? AND used >= ? "
            "ORDER BY used DESC LIMIT ?",
            (build, since, limit),
        )
        questions = []
        for question, search, filters, k, used in rows:
            try:
                f = json.loads(filters)
                stored = StoredQuestion(
                    Resolved(question, search), Filters.of(f["documents"], f["province"], f["years"]), int(k)
                )
            except (ValueError, TypeError, KeyError):
                continue
            questions.append((stored, float(used)))
        return questions

    def count(self, build: str) -> int:
        row = self._fetch("SELECT COUNT(*) FROM answers WHERE build = ?", (build,))
        return int(row[0]) if row else 0

    def keep_only(self, builds: Iterable[str]) -> None:
        """Drop the rows of every build but ``builds`` (the ones in use) and those being warmed
        (started in the last ``WARMING_KEPT_SECONDS``: another process may be making one)."""
        since = time.time() - WARMING_KEPT_SECONDS
        warming = [r[0] for r in self._fetch_all("SELECT build FROM warming WHERE started >= ?", (since,))]
        kept = sorted(set(builds) | set(warming))
        marks = ",".join("?" * len(kept)) or "''"
        self._run(f"DELETE FROM answers WHERE build NOT IN ({marks})", tuple(kept))
        self._run(f"DELETE FROM warming WHERE build NOT IN ({marks})", tuple(kept))

    # --- warming ------------------------------------------------------------------------------
    def start_warming(self, build: str) -> None:
        self._run("INSERT OR REPLACE INTO warming (build, started, finished) VALUES (?, ?, NULL)", (build, time.time()))

    def finish_warming(self, build: str) -> None:
        self._run("UPDATE warming SET finished = ? WHERE build = ?", (time.time(), build))

    def warming(self, build: str) -> tuple[float, float | None] | None:
        """When ``build``'s warming started and finished (None: never started, or unknown)."""
        row = self._fetch("SELECT started, finished FROM warming WHERE build = ?", (build,))
        return (float(row[0]), None if row[1] is None else float(row[1])) if row else None

    # --- the file -----------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection | None:
        return self._file.connection()

    def _warn(self, message: str, exc: Exception) -> None:
        """Log a failed read or write, at most once a minute (under load they come in bursts)."""
        now = time.monotonic()
        with self._lock:
            if now - self._warned_at < RETRY_SECONDS:
                self.failures += 1
                return
            self._warned_at = now
            self.failures += 1
        log.warning(message + " (%d so far)", exc, self.failures)

    def _fetch(self, sql: str, args: tuple):
        db = self._db()
        if db is None:
            return None
        try:
            return db.execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            self._warn("answer store read failed (%s)", exc)
            return None

    def _fetch_all(self, sql: str, args: tuple) -> list:
        db = self._db()
        if db is None:
            return []
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._warn("answer store read failed (%s)", exc)
            return []

    def _run(self, sql: str, args: tuple) -> bool:
        db = self._db()
        if db is None:
            return False
        try:
            db.execute(sql, args)
            return True
        except sqlite3.Error as exc:
            self._warn("answer store write failed (%s)", exc)
            return False
