"""Dense vectors in FAISS (inner product on L2-normalized vectors), filters pushed into the search."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.filters import Where
from assistant.retrieval.table import ChunkTable

FILE = "vectors.faiss"


class FaissVectorIndex:
    """An ``IndexIDMap2`` over ``IndexFlatIP``: exact search; labels are the table's rows."""

    def __init__(self, index, table: ChunkTable) -> None:
        self.index = index
        self.table = table

    @classmethod
    def empty(cls, dimension: int, table: ChunkTable) -> "FaissVectorIndex":
        import faiss

        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), table)

    @classmethod
    def load(cls, directory: Path, table: ChunkTable) -> "FaissVectorIndex":
        import faiss

        return cls(faiss.read_index(str(Path(directory) / FILE)), table)

    def save(self, directory: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(Path(directory) / FILE))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        if not len(ids):
            return
        labels = np.array([self.table.row_of[i] for i in ids], dtype=np.int64)
        self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), labels)

    def remove(self, ids: Sequence[str]) -> int:
        import faiss

        labels = np.array([self.table.row_of[i] for i in ids if i in self.table.row_of], dtype=np.int64)
        return int(self.index.remove_ids(faiss.IDSelectorBatch(labels))) if len(labels) else 0

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]:
        import faiss

        n = len(self)
        if n == 0 or k <= 0:
            return []
        query = np.ascontiguousarray(np.asarray(vector, dtype=np.float32).reshape(1, -1))
        mask = self.table.mask(where)
        params = None
        if mask is not None:
            allowed = np.flatnonzero(mask).astype(np.int64)
            if not len(allowed):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        scores, labels = self.index.search(query, min(k, n), params=params)
        ids = self.table.ids
        return [(ids[label], float(s)) for s, label in zip(scores[0], labels[0]) if label >= 0]
