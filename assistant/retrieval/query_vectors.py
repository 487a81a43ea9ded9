"""Query vectors shared by the server's worker processes.

Each worker keeps its own in-memory cache of query vectors (the retriever's LRU), but a question
one worker embedded is new to the others, and to every worker after a restart. ``SharedQueryVectors``
wraps an embedder so that ``embed_query`` first looks in one SQLite file under the state
directory (WAL: readers never wait for the writer), and stores what it had to compute. Documents
are embedded by the wrapped embedder as before.

The store is a cache: a locked, full, unreadable or damaged file, or a damaged entry, falls back to
the model and is never the request's error (a file that cannot be opened is left alone for a
minute, and said once in the log). Entries are keyed by a hash of what the vectors depend on (the
embedder's class, model id or fingerprint, query prompt) and the exact question text; question
texts themselves are not stored. The file is readable by its owner only; the least recently used
entries are dropped past ``limit``.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

from assistant.private_db import CacheFile
from assistant.protocols import Embedder

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS query_vectors (
    key BLOB PRIMARY KEY, vector BLOB NOT NULL, used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS query_vectors_used ON query_vectors (used);
"""
#: Vectors kept (≈ 1.6 kB each for 384 dimensions).
LIMIT = 200_000
#: How long a read or write may wait for the file before the model is used instead.
BUSY_SECONDS = 0.05
#: After the file could not be opened, how long to embed without it before trying again.
RETRY_SECONDS = 60.0
#: A hit refreshes its entry's last use at most this often (a hit is a read, not a write).
TOUCH_SECONDS = 86_400.0


def fingerprint(embedder: Embedder) -> str:
    """What an embedder's query vectors depend on, beyond the question."""
    kind = f"{type(embedder).__module__}.{type(embedder).__qualname__}"
    model = getattr(embedder, "fingerprint", None) or embedder.model_id
    return f"{kind}\0{model}\0{getattr(embedder, 'query_prompt', '')}"


class SharedQueryVectors:
    """An :class:`~assistant.protocols.Embedder` whose query vectors live in a shared SQLite file."""

    def __init__(self, embedder: Embedder, path: Path, limit: int = LIMIT, prune_every: int = 1000) -> None:
        self.embedder = embedder
        self.path = Path(path)
        self.limit = limit
        self.prune_every = prune_every
        self._file = CacheFile(self.path, SCHEMA, BUSY_SECONDS, "query vector store", RETRY_SECONDS)
        self._lock = threading.Lock()
        self._writes = 0
        self._fingerprint: str | None = None
        # The dimension when the embedder states it without loading a model (not a property).
        stated = inspect.getattr_static(embedder, "dimension", None)
        self._dimension = stated if isinstance(stated, int) else None
        self.hits = 0
        self.misses = 0

    def __getattr__(self, name: str):  # dimension, embed_batches, … of the wrapped embedder
        if name == "embedder":  # not set yet (during unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.embedder, name)

    @property
    def model_id(self) -> str:
        return self.embedder.model_id

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.embedder)
        key = hashlib.sha256(f"{self._fingerprint}\0{text}".encode()).digest()
        stored = self._read(key)
        if stored is not None:
            with self._lock:
                self.hits += 1
            return stored.tolist()
        with self._lock:
            self.misses += 1
        vector = np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        self._write(key, vector)
        return vector.tolist()  # float32 values, as a stored one returns (and as retrieval uses them)

    # --- the file ------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection | None:
        return self._file.connection()

    def _read(self, key: bytes) -> np.ndarray | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT vector, used FROM query_vectors WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            log.warning("query vector store read failed (%s)", exc)
            return None
        if row is None:
            return None
        blob, used = row
        if not isinstance(blob, bytes) or not blob or len(blob) % 4:
            return None  # damaged entry: embed again (and overwrite it)
        vector = np.frombuffer(blob, dtype=np.float32)
        if (self._dimension is not None and len(vector) != self._dimension) or not np.isfinite(vector).all():
            return None
        if not isinstance(used, (int, float)) or time.time() - used > TOUCH_SECONDS:
            self._run(db, "UPDATE query_vectors SET used = ? WHERE key = ?", (time.time(), key))
        return vector

    def _write(self, key: bytes, vector: np.ndarray) -> None:
        db = self._db()
        if db is None:
            return
        sql = "INSERT OR REPLACE INTO query_vectors (key, vector, used) VALUES (?, ?, ?)"
        if not self._run(db, sql, (key, vector.tobytes(), time.time())):
            return
        with self._lock:
            self._writes += 1
            prune = self._writes % self.prune_every == 0
        if prune:
            self._prune(db)

    def _run(self, db: sqlite3.Connection, sql: str, args: tuple) -> bool:
        try:
            db.execute(sql, args)
            return True
        except sqlite3.Error as exc:
            log.warning("query vector store write failed (%s)", exc)
            return False

    def _prune(self, db: sqlite3.Connection) -> None:
        try:
            (count,) = db.execute("SELECT COUNT(*) FROM query_vectors").fetchone()
        except sqlite3.Error:
            return
        if count > self.limit:
            self._run(
                db,
                "DELETE FROM query_vectors WHERE key IN (SELECT key FROM query_vectors ORDER BY used LIMIT ?)",
                (count - self.limit,),
            )
