"""Query vectors shared by the server's worker processes.

Each worker keeps its own in-memory cache of query vectors (the retriever's LRU), but a question
one worker embedded is new to the others, and to every worker after a restart. ``SharedQueryVectors``
wraps an embedder so that ``embed_query`` first looks in one SQLite file under the state
directory (WAL, readers never wait for the writer), and stores what it had to compute. Documents
are embedded by the wrapped embedder as before.

The store is a cache: any failure to read or write it (a locked, full or damaged file) falls back
to the model and is never the request's error. Entries are keyed by the embedder's model id and the
exact question text; the oldest are dropped past ``limit``.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from pathlib import Path

import numpy as np

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
BUSY_SECONDS = 0.2


class SharedQueryVectors:
    """An :class:`~assistant.protocols.Embedder` whose query vectors live in a shared SQLite file."""

    def __init__(self, embedder: Embedder, path: Path, limit: int = LIMIT, prune_every: int = 1000) -> None:
        self.embedder = embedder
        self.path = Path(path)
        self.limit = limit
        self.prune_every = prune_every
        self._local = threading.local()
        self._writes = 0
        self._lock = threading.Lock()
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
        key = hashlib.sha256(f"{self.model_id}\0{text}".encode()).digest()
        stored = self._read(key)
        if stored is not None:
            self.hits += 1
            return stored.tolist()
        self.misses += 1
        vector = self.embedder.embed_query(text)
        self._write(key, np.asarray(vector, dtype=np.float32))
        return vector

    # --- the file ------------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection | None:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.executescript(SCHEMA)
            except (sqlite3.Error, OSError) as exc:
                log.warning("query vector store %s unavailable (%s): embedding without it", self.path, exc)
                return None
            self._local.db = db
        return db

    def _read(self, key: bytes) -> np.ndarray | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT vector FROM query_vectors WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            log.warning("query vector store read failed (%s)", exc)
            return None
        if row is None:
            return None
        vector = np.frombuffer(row[0], dtype=np.float32)
        dimension = getattr(self.embedder, "dimension", None)
        if not len(vector) or (dimension and len(vector) != dimension) or not np.isfinite(vector).all():
            return None  # damaged entry: embed again (and overwrite it)
        return vector

    def _write(self, key: bytes, vector: np.ndarray) -> None:
        db = self._db()
        if db is None:
            return
        try:
            db.execute(
                "INSERT OR REPLACE INTO query_vectors (key, vector, used) VALUES (?, ?, ?)",
                (key, vector.tobytes(), time.time()),
            )
            with self._lock:
                self._writes += 1
                prune = self._writes % self.prune_every == 0
            if prune:
                self._prune(db)
        except sqlite3.Error as exc:
            log.warning("query vector store write failed (%s)", exc)

    def _prune(self, db: sqlite3.Connection) -> None:
        (count,) = db.execute("SELECT COUNT(*) FROM query_vectors").fetchone()
        if count > self.limit:
            db.execute(
                "DELETE FROM query_vectors WHERE key IN (SELECT key FROM query_vectors ORDER BY used LIMIT ?)",
                (count - self.limit,),
            )
