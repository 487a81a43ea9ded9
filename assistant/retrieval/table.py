"""Row metadata of the loaded chunks, for the in-process indexes to push filters down.

Row ``i`` of the FAISS and BM25 indexes is chunk ``i`` of the build. A ``Where`` becomes a boolean
row mask, built from small per-row arrays (document, province, years) so it stays cheap when the
corpus grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from assistant.filters import Where
from assistant.models import Chunk, Document


class ChunkTable:
    def __init__(self, chunks: Sequence[Chunk], documents: Mapping[str, Document]) -> None:
        self.ids: list[str] = [c.id for c in chunks]
        self.row_of: dict[str, int] = {cid: i for i, cid in enumerate(self.ids)}
        self.document_names: list[str] = list(dict.fromkeys([*documents, *(c.document for c in chunks)]))
        code = {name: i for i, name in enumerate(self.document_names)}
        self.document_codes = np.array([code[c.document] for c in chunks], dtype=np.int32)
        self._province = np.array([(c.province or "").lower() for c in chunks], dtype=object)
        doc_years = {d.id: set(d.metadata.years_reported) | set(d.metadata.years_planned) for d in documents.values()}
        # A chunk that names no year stands for the years of its document.
        self._years = [set(c.years) if c.years else doc_years.get(c.document, set()) for c in chunks]
        self._code = code
        self.document_rows = lru_cache(maxsize=256)(self._document_rows)

    def __len__(self) -> int:
        return len(self.ids)

    def _document_rows(self, documents: frozenset[str]) -> np.ndarray:
        codes = [self._code[d] for d in documents if d in self._code]
        return np.isin(self.document_codes, np.array(codes, dtype=np.int32))

    def hidden(self, visible: frozenset[str] | None) -> np.ndarray | None:
        """Rows of documents the caller may not see (None when every row is visible)."""
        if visible is None:
            return None
        hidden = ~self.document_rows(visible)
        return hidden if hidden.any() else None

    def mask(self, where: Where | None) -> np.ndarray | None:
        """Rows ``where`` allows (None when it allows every row)."""
        if where is None or where.unrestricted:
            return None
        mask = np.ones(len(self.ids), dtype=bool)
        if where.visible is not None:
            mask &= self.document_rows(where.visible)
        f = where.filters
        if f.documents is not None:
            mask &= self.document_rows(f.documents)
        if f.province:
            mask &= self._province == f.province.lower()
        if f.years:
            years = f.years
            mask &= np.fromiter((bool(y & years) for y in self._years), dtype=bool, count=len(self._years))
        return mask
