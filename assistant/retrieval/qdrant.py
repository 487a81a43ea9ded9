"""Qdrant behind ``VectorIndex`` and ``LexicalIndex``: one collection per build.

Each chunk is one point (id: its table row) with a dense vector (``dense``, dot product on our
L2-normalized embeddings), a sparse vector (``bm25``) carrying OUR Vietnamese BM25 document
weights, and a payload for pushed-down filters: ``chunk``, ``document``, ``province`` (lower
case), ``years`` and ``groups`` (access groups, empty until access control uses them).

BM25 on the engine: a passage stores ``tf / (tf + k1 (1 - b + b len/avgdl))`` per token (token ids
are a 32-bit hash of our tokens: no shared vocabulary, so any worker can write); the query sends
each token's count; the collection's ``idf`` modifier multiplies by Qdrant's idf, which is the
same formula as ours. So a score is our BM25 score, with two differences: ``avgdl`` is that of the
whole collection when it was written, and idf is collection-wide unless the search asks for
another corpus. A restricted caller's search does: its idf is computed over the documents it may
see (``SearchParams(idf=IdfCorpusParams(corpus=…))``), so a hidden document's terms do not shift
its scores (only ``avgdl`` still counts every passage).

A build writes a new collection, named in the build directory's ``qdrant.json``; the index store
publishes the build atomically and :func:`prune` drops collections of builds it removed.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.errors import ConfigurationError
from assistant.filters import Where
from assistant.retrieval.lexical import K1, B
from assistant.retrieval.table import ChunkTable
from assistant.settings import Settings

COLLECTION_FILE = "qdrant.json"
DENSE = "dense"
SPARSE = "bm25"
BATCH = 256

_clients: dict[str, object] = {}
_clients_lock = threading.Lock()


@atexit.register
def _close_clients() -> None:
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def client_for(settings: Settings):
    """One client per Qdrant location and process (embedded mode allows one per directory)."""
    try:
        from qdrant_client import QdrantClient
    except ImportError as exc:
        raise ConfigurationError(
            "Chưa cài qdrant-client (ASSISTANT_BACKEND=qdrant).", hint='Chạy: pip install -e ".[qdrant]"'
        ) from exc
    if settings.qdrant_url:
        key = settings.qdrant_url
    else:
        path = settings.qdrant_path or (settings.index_dir / "qdrant")
        key = str(Path(path).resolve())
    with _clients_lock:
        if key not in _clients:
            if settings.qdrant_url:
                _clients[key] = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
            else:
                Path(key).mkdir(parents=True, exist_ok=True)
                _clients[key] = QdrantClient(path=key)
        return _clients[key]


def token_id(token: str) -> int:
    """A token's sparse index: 32 bits of its BLAKE2b hash."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=4).digest(), "little")


def sparse_query(tokens: Sequence[str]):
    """The query's sparse vector: each distinct token (as :func:`token_id`) with its count."""
    from qdrant_client import models

    counts = Counter(token_id(t) for t in tokens)
    return models.SparseVector(indices=list(counts), values=[float(c) for c in counts.values()])


def query_filter(where: Where | None):
    """``where`` as a Qdrant payload filter (None when it allows everything)."""
    from qdrant_client import models

    if where is None or where.unrestricted:
        return None
    must = []
    if where.visible is not None:
        must.append(models.FieldCondition(key="document", match=models.MatchAny(any=sorted(where.visible))))
    f = where.filters
    if f.documents is not None:
        must.append(models.FieldCondition(key="document", match=models.MatchAny(any=sorted(f.documents))))
    if f.province:
        must.append(models.FieldCondition(key="province", match=models.MatchValue(value=f.province.lower())))
    if f.years:
        must.append(models.FieldCondition(key="years", match=models.MatchAny(any=sorted(f.years))))
    return models.Filter(must=must)


class QdrantIndexes:
    """One build's collection; ``vectors`` and ``lexical`` are its two protocol faces."""

    def __init__(self, client, collection: str, table: ChunkTable, ef_search: int | None = None) -> None:
        self.client = client
        self.collection = collection
        self.table = table
        self.ef_search = ef_search
        self.vectors = QdrantVectorIndex(self)
        self.lexical = QdrantLexicalIndex(self)

    @classmethod
    def create(cls, settings: Settings, table: ChunkTable, dimension: int) -> "QdrantIndexes":
        from qdrant_client import models

        client = client_for(settings)
        name = f"{settings.qdrant_collection}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        client.create_collection(
            name,
            vectors_config={DENSE: models.VectorParams(size=dimension, distance=models.Distance.DOT)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
        )
        if settings.qdrant_url:  # payload indexes (embedded mode has none and warns)
            for key, schema in (("document", "keyword"), ("province", "keyword"), ("years", "integer")):
                client.create_payload_index(name, key, field_schema=schema)
            client.create_payload_index(name, "groups", field_schema="keyword")
        return cls(client, name, table, settings.vector_ef_search if settings.qdrant_url else None)

    @classmethod
    def open(cls, settings: Settings, directory: Path, table: ChunkTable) -> "QdrantIndexes":
        meta = json.loads((Path(directory) / COLLECTION_FILE).read_text(encoding="utf-8"))
        ef = settings.vector_ef_search if settings.qdrant_url else None  # embedded mode searches exactly
        return cls(client_for(settings), meta["collection"], table, ef)

    def save(self, directory: Path) -> None:
        (Path(directory) / COLLECTION_FILE).write_text(json.dumps({"collection": self.collection}), encoding="utf-8")

    def payload(self, row: int) -> dict:
        t = self.table
        return {
            "chunk": t.ids[row],
            "document": t.document_of(row),
            "province": t.province_of(row),
            "years": t.years_of(row),
            "groups": [],
        }

    def upsert(self, vectors: np.ndarray, token_lists: Sequence[list[str]]) -> None:
        """Write every row of the table: its vector, its BM25 weights and its payload."""
        from qdrant_client import models

        lengths = np.array([len(t) for t in token_lists], dtype=np.float64)
        avg = float(lengths.mean()) if len(lengths) else 1.0
        points = []
        for row, (vector, tokens) in enumerate(zip(vectors, token_lists)):
            norm = K1 * ((1 - B) + B * lengths[row] / avg)
            tf = Counter(token_id(t) for t in tokens)
            sparse = models.SparseVector(indices=list(tf), values=[c / (norm + c) for c in tf.values()])
            vec = {DENSE: np.asarray(vector, dtype=np.float32).tolist(), SPARSE: sparse}
            points.append(models.PointStruct(id=row, vector=vec, payload=self.payload(row)))
            if len(points) == BATCH:
                self.client.upsert(self.collection, points=points, wait=True)
                points = []
        if points:
            self.client.upsert(self.collection, points=points, wait=True)

    def rows(self, points) -> list[tuple[str, float]]:
        ids = self.table.ids
        return [(ids[int(p.id)], float(p.score)) for p in points if int(p.id) < len(ids)]

    def hybrid(self, vector: np.ndarray, tokens: list[str], k: int, where: Where | None = None, rrf_k: int = 60):
        """Both candidate lists fused on the engine by reciprocal rank, ranked as our ``fusion.rrf`` with
        ``k=rrf_k`` ranks them (Qdrant counts positions from 0, we count ranks from 1: its k is ours + 1)."""
        from qdrant_client import models

        flt = query_filter(where)
        n = max(k, 200)
        prefetch = [
            models.Prefetch(query=np.asarray(vector, np.float32).tolist(), using=DENSE, filter=flt, limit=n),
            models.Prefetch(query=sparse_query(tokens), using=SPARSE, filter=flt, limit=n, params=self._idf(where)),
        ]
        found = self.client.query_points(
            self.collection, prefetch=prefetch, query=models.RrfQuery(rrf=models.Rrf(k=rrf_k + 1)), limit=k
        )
        return self.rows(found.points)

    def _idf(self, where: Where | None):
        from qdrant_client import models

        if where is None or where.visible is None:
            return None
        return models.SearchParams(idf=models.IdfCorpusParams(corpus=query_filter(Where(visible=where.visible))))


class QdrantVectorIndex:
    """The dense side (``VectorIndex``)."""

    def __init__(self, store: QdrantIndexes) -> None:
        self.store = store

    def __len__(self) -> int:
        return int(self.store.client.count(self.store.collection, exact=True).count)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """New rows get a point (no BM25 weights yet); existing ones get their dense vector replaced."""
        from qdrant_client import models

        s = self.store
        rows = [s.table.row_of[i] for i in ids]
        known = {int(p.id) for p in s.client.retrieve(s.collection, rows, with_payload=False)}
        dense = {r: np.asarray(v, np.float32).tolist() for r, v in zip(rows, vectors)}
        if known:
            s.client.update_vectors(
                s.collection, points=[models.PointVectors(id=r, vector={DENSE: dense[r]}) for r in known], wait=True
            )
        new = [models.PointStruct(id=r, vector={DENSE: dense[r]}, payload=s.payload(r)) for r in rows if r not in known]
        if new:
            s.client.upsert(s.collection, points=new, wait=True)

    def remove(self, ids: Sequence[str]) -> int:
        """Deletes the points (both sides: a chunk is one point)."""
        from qdrant_client import models

        s = self.store
        rows = [s.table.row_of[i] for i in ids if i in s.table.row_of]
        known = [int(p.id) for p in s.client.retrieve(s.collection, rows, with_payload=False)] if rows else []
        if known:
            s.client.delete(s.collection, points_selector=models.PointIdsList(points=known), wait=True)
        return len(known)

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        from qdrant_client import models

        s = self.store
        found = s.client.query_points(
            s.collection,
            query=np.asarray(vector, np.float32).reshape(-1).tolist(),
            using=DENSE,
            query_filter=query_filter(where),
            limit=k,
            search_params=models.SearchParams(hnsw_ef=max(s.ef_search, k)) if s.ef_search else None,
        )
        return s.rows(found.points)

    def save(self, directory: Path) -> None:
        self.store.save(directory)


class QdrantLexicalIndex:
    """The BM25 side (``LexicalIndex``): sparse vectors with our token weights."""

    def __init__(self, store: QdrantIndexes) -> None:
        self.store = store

    def search(self, tokens: list[str], k: int, where: Where | None = None) -> list[tuple[str, float]]:
        s = self.store
        if not tokens or k <= 0:
            return []
        found = s.client.query_points(
            s.collection,
            query=sparse_query(tokens),
            using=SPARSE,
            query_filter=query_filter(where),
            limit=k,
            search_params=s._idf(where),
        )
        return [(cid, score) for cid, score in s.rows(found.points) if score > 0]

    def save(self, directory: Path) -> None:
        self.store.save(directory)


def prune(settings: Settings, index_dir: Path) -> None:
    """Drop this deployment's collections that no build directory names any more."""
    client = client_for(settings)
    named = set()
    for meta in (Path(index_dir) / "builds").glob(f"*/{COLLECTION_FILE}"):
        named.add(json.loads(meta.read_text(encoding="utf-8"))["collection"])
    prefix = f"{settings.qdrant_collection}-"
    recent = time.strftime("%Y%m%dT%H%M%S", time.localtime(time.time() - 3600))
    for c in client.get_collections().collections:
        stamp = c.name[len(prefix) :].split("-")[0]
        # A collection younger than an hour may belong to a build still being written elsewhere.
        if c.name.startswith(prefix) and c.name not in named and stamp < recent:
            client.delete_collection(c.name)
