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
        doc_years = {d.id: set(d.metadata.years_reported) | set(d.metadata.years_planned) for d in documents.values()}
        self._columns(
            [c.id for c in chunks],
            list(dict.fromkeys([*documents, *(c.document for c in chunks)])),
            [c.document for c in chunks],
            [c.province or "" for c in chunks],
            # A chunk that names no year stands for the years of its document.
            [c.years if c.years else doc_years.get(c.document, ()) for c in chunks],
        )

    @classmethod
    def from_columns(
        cls,
        ids: list[str],
        documents: Sequence[str],
        provinces: Sequence[str],
        years: Sequence[Sequence[int]],
    ) -> "ChunkTable":
        """A table from per-row columns, without chunk objects (large corpora, benchmarks)."""
        table = cls.__new__(cls)
        table._columns(list(ids), list(dict.fromkeys(documents)), documents, provinces, years)
        return table

    def _columns(self, ids, document_names, documents, provinces, years) -> None:
        self.ids: list[str] = ids
        self.row_of: dict[str, int] = {cid: i for i, cid in enumerate(self.ids)}
        self.document_names: list[str] = document_names
        code = {name: i for i, name in enumerate(self.document_names)}
        self.document_codes = np.fromiter((code[d] for d in documents), dtype=np.int32, count=len(ids))
        names = {p: p.lower() for p in dict.fromkeys(provinces)}
        self._province_names = sorted(set(names.values()))
        at = {p: i for i, p in enumerate(self._province_names)}
        self._province_codes = np.fromiter((at[names[p]] for p in provinces), dtype=np.int32, count=len(ids))
        per_row = np.fromiter((len(y) for y in years), dtype=np.int64, count=len(ids))
        self._year_values = np.fromiter((y for ys in years for y in ys), dtype=np.int32, count=int(per_row.sum()))
        self._year_rows = np.repeat(np.arange(len(ids), dtype=np.int64), per_row)
        self._year_ptr = np.concatenate([[0], np.cumsum(per_row)])
        self._code = code
        self.document_rows = lru_cache(maxsize=256)(self._document_rows)

    def document_of(self, row: int) -> str:
        return self.document_names[int(self.document_codes[row])]

    def province_of(self, row: int) -> str:
        """The row's province, lower case ("" when unknown)."""
        return self._province_names[int(self._province_codes[row])]

    def years_of(self, row: int) -> list[int]:
        """The years a row stands for (its own, else its document's)."""
        return self._year_values[self._year_ptr[row] : self._year_ptr[row + 1]].tolist()

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
            name = f.province.lower()
            code = self._province_names.index(name) if name in self._province_names else -1
            mask &= self._province_codes == code
        if f.years:
            in_years = np.zeros(len(self.ids), dtype=bool)
            # Years outside int32 cannot occur in any passage; dropping them keeps numpy from overflowing.
            wanted = np.array(sorted(y for y in f.years if -(2**31) <= y < 2**31), dtype=np.int32)
            in_years[self._year_rows[np.isin(self._year_values, wanted)]] = True
            mask &= in_years
        return mask
