"""Dense vectors in FAISS (inner product on L2-normalized vectors), filters pushed into the search.

The index type is a setting (``ASSISTANT_VECTOR_INDEX``), recorded in the manifest and beside the
index file (``vectors.json``):

==========  ==================================================================================
flat        exact search (``IndexIDMap2`` over ``IndexFlatIP``); 1,536 bytes a vector at 384-d
ivf         inverted lists over k-means cells (``nlist`` ≈ 4 √n), ``nprobe`` cells searched
ivf-sq8     the same with 8-bit codes (4× smaller in memory); the candidates are scored again
            exactly from the float vectors, kept on disk beside the index (retrieval/float_rows.py)
ivf-pq      the same with product quantization (48 bytes a vector; recall is lower)
hnsw        an HNSW graph (M 32) over full vectors: the fastest at a million vectors
hnsw-sq8    the same graph over 8-bit vectors
auto        ``flat`` up to :data:`AUTO_EXACT_MAX` vectors, ``ivf-sq8`` above (see docs/scaling.md)
==========  ==================================================================================

Labels are the table's rows. Every type adds and removes vectors: IVF lists remove natively; an
HNSW graph cannot drop a node, so a removed vector becomes a tombstone (its label set to -1 and
left out of every search) until the next build writes a fresh graph and publishes it (the index
store's atomic switch). A filter narrowing to few rows is searched exactly: IVF reads those rows'
vectors back through its direct map and scores them; HNSW scans its stored vectors, skipping rows
outside the filter before any distance.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.filters import Where
from assistant.retrieval.float_rows import FileRows, MemoryRows
from assistant.retrieval.table import ChunkTable

FILE = "vectors.faiss"
#: The float vectors of a re-scored type, by table row (read with ``pread`` when served).
FULL = "vectors.full.npy"
META = "vectors.json"
LABELS = "vectors.labels.npy"

KINDS = ("flat", "ivf", "ivf-sq8", "ivf-pq", "hnsw", "hnsw-sq8")
#: ``auto`` keeps exact search up to this many vectors (a flat scan of 50,000 × 384 takes ~3 ms).
AUTO_EXACT_MAX = 50_000
#: Below this share of allowed rows a filtered search is exact (IVF: every cell; HNSW: a scan).
EXACT_FILTER_SHARE = 0.05
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
PQ_BYTES = 48
#: Types whose codes only choose candidates; the float vectors score them (8-bit codes alone lose the
#: order among near-duplicate passages: recall@10 saturates at 0.967 at 10^5, docs/scaling.md).
RESCORED = frozenset({"ivf-sq8"})
#: A re-scored search takes this many candidates at least (or as many as asked) from the codes.
RESCORE_MIN = 100


def choose_kind(kind: str, n: int) -> str:
    """The concrete index type for ``n`` vectors (``auto`` decides by size)."""
    if kind != "auto":
        if kind not in KINDS:
            raise ValueError(f"unknown vector index type {kind!r}; expected auto or one of {', '.join(KINDS)}")
        return kind
    # IVF: recall@10 0.998 at nprobe 64 and 10^6 vectors where HNSW loses near-duplicate passages
    # (0.80 at 10^5), and it removes natively; 8-bit codes with the candidates scored again from the
    # float vectors on disk keep that recall in a quarter of the memory (docs/scaling.md).
    return "flat" if n <= AUTO_EXACT_MAX else "ivf-sq8"


def nlist_for(n: int) -> int:
    """IVF cells for ``n`` vectors: about 4 √n, at least 1, and at most n / 39 (FAISS's training floor)."""
    return max(1, min(int(4 * math.sqrt(max(n, 1))), max(n // 39, 1)))


class FaissVectorIndex:
    """Vectors labelled by table row, of one of :data:`KINDS`."""

    def __init__(
        self,
        index,
        table: ChunkTable,
        kind: str = "flat",
        *,
        nprobe: int = 64,
        ef_search: int = 256,
        labels: np.ndarray | None = None,
        dimension: int | None = None,
        full: MemoryRows | FileRows | None = None,
        codes_only: bool = False,
    ) -> None:
        self.index = index  # None until the first add for trained types (IVF needs data to train)
        self.table = table
        self.kind = kind
        self.nprobe = nprobe
        self.ef_search = ef_search
        self.dimension = dimension if dimension is not None else (index.d if index is not None else 0)
        # HNSW only: table row of each graph node in insertion order, -1 once removed (a tombstone).
        self.labels = labels if labels is not None else np.zeros(0, dtype=np.int64)
        # Re-scored types only: the float vector of every table row (zeros for rows never added).
        self.full = full
        self.codes_only = codes_only

    # --- making ----------------------------------------------------------------
    @classmethod
    def empty(
        cls, dimension: int, table: ChunkTable, kind: str = "flat", *, nprobe: int = 64, ef_search: int = 256
    ) -> "FaissVectorIndex":
        """An index with no vectors; ``auto`` resolves with the table's size."""
        kind = choose_kind(kind, len(table))
        index = _new_index(kind, dimension, 0) if kind in ("flat", "hnsw", "hnsw-sq8") else None
        return cls(index, table, kind, nprobe=nprobe, ef_search=ef_search, dimension=dimension)

    @classmethod
    def build(
        cls, ids: Sequence[str], vectors: np.ndarray, table: ChunkTable, kind: str = "auto", **params
    ) -> "FaissVectorIndex":
        """An index holding ``vectors`` (rows of ``ids``), its type resolved by their number."""
        index = cls.empty(int(vectors.shape[1]), table, choose_kind(kind, len(ids)), **params)
        index.add(ids, vectors)
        return index

    @classmethod
    def load(cls, directory: Path, table: ChunkTable) -> "FaissVectorIndex":
        import faiss

        directory = Path(directory)
        meta = json.loads((directory / META).read_text(encoding="utf-8")) if (directory / META).is_file() else {}
        kind = meta.get("kind", "flat")
        index = faiss.read_index(str(directory / FILE))
        if kind.startswith("ivf"):
            _direct_map(index)
        labels = np.load(directory / LABELS, allow_pickle=False) if kind.startswith("hnsw") else None
        # a build made before its type was re-scored has no float vectors: it searches by its codes
        full = FileRows(directory / FULL) if kind in RESCORED and (directory / FULL).is_file() else None
        if full is not None and full.shape[0] != len(table):
            raise ValueError(f"{directory / FULL}: {full.shape[0]} rows for a table of {len(table)}")
        return cls(
            index,
            table,
            kind,
            nprobe=int(meta.get("nprobe", 64)),
            ef_search=int(meta.get("ef_search", 256)),
            labels=labels,
            full=full,
            codes_only=kind in RESCORED and full is None,
        )

    def save(self, directory: Path) -> None:
        import faiss

        directory = Path(directory)
        index = self.index if self.index is not None else _new_index("flat", self.dimension, 0)
        faiss.write_index(index, str(directory / FILE))
        kind = self.kind if self.index is not None else "flat"
        meta = {"kind": kind, "nprobe": self.nprobe, "ef_search": self.ef_search, "vectors": len(self)}
        (directory / META).write_text(json.dumps(meta), encoding="utf-8")
        if kind.startswith("hnsw"):
            np.save(directory / LABELS, self.labels, allow_pickle=False)
        if kind in RESCORED and self.full is not None:
            self.full.save(directory / FULL)

    # --- changing --------------------------------------------------------------
    def __len__(self) -> int:
        if self.index is None:
            return 0
        if self.kind.startswith("hnsw"):
            return int((self.labels >= 0).sum())
        return int(self.index.ntotal)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        if not len(ids):
            return
        labels = np.array([self.table.row_of[i] for i in ids], dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.index is None:  # IVF: made for, and trained on, the first vectors it is given
            self.index = _new_index(self.kind, vectors.shape[1], len(vectors))
        if not self.index.is_trained:  # IVF cells, scalar quantizer ranges
            self.index.train(_training_sample(vectors))
            if self.kind.startswith("ivf"):
                _direct_map(self.index)
        if self.kind.startswith("hnsw"):
            self.index.add(vectors)
            self.labels = np.concatenate([self.labels, labels])
        else:
            self.index.add_with_ids(vectors, labels)
        if self._rescoring():
            if self.full is None and len(labels) == len(self.table) and (labels == np.arange(len(labels))).all():
                self.full = MemoryRows.borrowing(vectors)  # every row, in order: a build
            else:
                self._full().put(labels, vectors)

    def _rescoring(self) -> bool:
        """Whether candidates are scored again from the float vectors (always, but for a build
        loaded from before its type was re-scored: it has none)."""
        return self.kind in RESCORED and not self.codes_only

    def _full(self) -> MemoryRows | FileRows:
        """The float vectors by table row, made (zeros) on first use."""
        if self.full is None:
            self.full = MemoryRows(len(self.table), self.dimension)
        return self.full

    def remove(self, ids: Sequence[str]) -> int:
        import faiss

        labels = np.array([self.table.row_of[i] for i in ids if i in self.table.row_of], dtype=np.int64)
        if not len(labels) or self.index is None:
            return 0
        if self.kind.startswith("hnsw"):
            dead = np.isin(self.labels, labels) & (self.labels >= 0)
            self.labels = np.where(dead, -1, self.labels)
            return int(dead.sum())
        if self.kind.startswith("ivf"):  # the direct map removes by an explicit array
            removed = int(self.index.remove_ids(faiss.IDSelectorArray(len(labels), faiss.swig_ptr(labels))))
            if self._rescoring():  # after the codes: a search never scores a removed row as zeros
                self.full.put(labels, np.zeros((len(labels), self.dimension), dtype=np.float32))
            return removed
        return int(self.index.remove_ids(faiss.IDSelectorBatch(labels)))

    # --- searching -------------------------------------------------------------
    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        import faiss

        n = len(self)
        if n == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        mask = self.table.mask(where)
        if self.kind.startswith("hnsw"):
            return self._search_graph(query, k, mask)
        keep = None
        if mask is not None:
            allowed = int(mask.sum())
            if not allowed:
                return []
            keep = _Bitmap(mask)
        if self.kind == "flat":
            params = faiss.SearchParameters(sel=keep.selector) if keep else None
        else:
            if keep and allowed / max(len(mask), 1) < EXACT_FILTER_SHARE:
                return self._search_rows(query[0], k, np.flatnonzero(mask))
            params = faiss.SearchParametersIVF(
                sel=keep.selector if keep else None, nprobe=min(self.nprobe, self.index.nlist)
            )
        if self._rescoring():
            _, labels = self.index.search(query, min(max(k, RESCORE_MIN), n), params=params)
            return self._rescored(query[0], k, labels[0][labels[0] >= 0])
        scores, labels = self.index.search(query, min(k, n), params=params)
        ids = self.table.ids
        return [(ids[label], float(s)) for s, label in zip(scores[0], labels[0]) if label >= 0]

    def _rescored(
        self, query: np.ndarray, k: int, rows: np.ndarray, vectors: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """The best ``k`` of ``rows`` by their exact scores (ties keep the codes' order); ``vectors``
        are the rows' float vectors when already read."""
        rows = rows.astype(np.int64)
        if vectors is not None:
            scores = vectors @ query
        else:
            order = np.argsort(rows, kind="stable")
            scores = np.empty(len(rows), dtype=np.float32)
            scores[order] = self.full.take(rows[order]) @ query  # read in file order
        top = np.argsort(-scores, kind="stable")[:k]
        ids = self.table.ids
        return [(ids[rows[i]], float(scores[i])) for i in top]

    def _search_rows(self, query: np.ndarray, k: int, rows: np.ndarray) -> list[tuple[str, float]]:
        """Exact scores of the few allowed rows, their vectors read back through the IVF direct map
        (from the float vectors for a re-scored type)."""
        rows = rows.astype(np.int64)
        if self._rescoring():  # a removed row's float vector is zeros
            rows = np.sort(rows)
            vectors = self.full.take(rows)
            held = vectors.any(axis=1)
            return self._rescored(query, k, rows[held], vectors[held])
        try:
            vectors = self.index.reconstruct_batch(rows)
        except RuntimeError:  # some rows were removed: keep those still held
            rows = np.array([r for r in rows.tolist() if self._holds(r)], dtype=np.int64)
            if not len(rows):
                return []
            vectors = self.index.reconstruct_batch(rows)
        scores = vectors @ query
        top = np.argsort(-scores, kind="stable")[:k]
        ids = self.table.ids
        return [(ids[rows[i]], float(scores[i])) for i in top]

    def _holds(self, row: int) -> bool:
        try:
            self.index.direct_map.get(row)
        except RuntimeError:
            return False
        return True

    def _search_graph(self, query: np.ndarray, k: int, mask: np.ndarray | None) -> list[tuple[str, float]]:
        import faiss

        alive = self.labels >= 0
        tombstones = not alive.all()
        keep = None
        if mask is not None:
            nodes = alive.copy()
            nodes[alive] = mask[self.labels[alive]]
            if not nodes.any():
                return []
            keep = _Bitmap(nodes)
        elif tombstones:
            keep = _Bitmap(alive)
        selector = keep.selector if keep else None
        share = keep.count / max(len(self.labels), 1) if keep else 1.0
        k = min(k, len(self))
        if mask is not None and share < EXACT_FILTER_SHARE:
            storage = faiss.downcast_index(self.index.storage)
            scores, nodes = storage.search(query, k, params=faiss.SearchParameters(sel=selector))
        else:
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, k))
            scores, nodes = self.index.search(query, k, params=params)
        ids = self.table.ids
        return [(ids[self.labels[node]], float(s)) for s, node in zip(scores[0], nodes[0]) if node >= 0]


class _Bitmap:
    """A FAISS selector over a boolean mask (kept alive with the packed bits it points to)."""

    def __init__(self, mask: np.ndarray) -> None:
        import faiss

        self.bits = np.packbits(mask, bitorder="little")
        self.count = int(mask.sum())
        self.selector = faiss.IDSelectorBitmap(len(self.bits), faiss.swig_ptr(self.bits))


def _new_index(kind: str, dimension: int, n: int):
    import faiss

    ip = faiss.METRIC_INNER_PRODUCT
    if kind == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, ip)
    elif kind == "hnsw-sq8":
        index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M, ip)
    else:
        nlist = nlist_for(n)
        quantizer = faiss.IndexFlatIP(dimension)
        if kind == "ivf":
            index = faiss.IndexIVFFlat(quantizer, dimension, nlist, ip)
        elif kind == "ivf-sq8":
            index = faiss.IndexIVFScalarQuantizer(quantizer, dimension, nlist, faiss.ScalarQuantizer.QT_8bit, ip)
        elif kind == "ivf-pq":
            m = PQ_BYTES if dimension % PQ_BYTES == 0 else 1
            index = faiss.IndexIVFPQ(quantizer, dimension, nlist, m, 8 if n >= 10_000 else 4, ip)
        else:
            raise ValueError(f"unknown vector index type {kind!r}")
        return index  # (FAISS's Python constructor keeps the quantizer referenced)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    return index


def _direct_map(index) -> None:
    """Lets an IVF index read a vector back by label (exact filtered search) and still remove."""
    import faiss

    if index.direct_map.type == faiss.DirectMap.NoMap:
        index.set_direct_map_type(faiss.DirectMap.Hashtable)


def _training_sample(vectors: np.ndarray, size: int = 100_000) -> np.ndarray:
    if len(vectors) <= size:
        return vectors
    rows = np.random.default_rng(0).choice(len(vectors), size, replace=False)
    return vectors[np.sort(rows)]
