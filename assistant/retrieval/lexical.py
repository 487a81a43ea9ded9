"""Okapi BM25 (the Lucene variant: k1 1.5, b 0.75) over token postings.

The index keeps term frequencies and passage lengths, not precomputed scores, so that the
statistics a score uses (number of passages, document frequency, average length) are those of
the corpus the caller may see: a restricted document changes no score for a caller outside its
groups, exactly as if it did not exist. Arrays are saved as ``.npy`` (no pickle) and the vocabulary
as JSON.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant.filters import Where
from assistant.retrieval.table import ChunkTable

DIRECTORY = "lexical"
K1 = 1.5
B = 0.75


class BM25Index:
    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        rows: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
        table: ChunkTable,
    ) -> None:
        self.vocabulary = vocabulary
        self.indptr = indptr  # postings of token t: rows[indptr[t]:indptr[t + 1]]
        self.rows = rows
        self.tf = tf
        self.lengths = lengths  # tokens per passage
        self.table = table
        self._avg = float(np.asarray(lengths, dtype=np.float64).mean()) if len(lengths) else 0.0

    @classmethod
    def build(cls, token_lists: Sequence[list[str]], table: ChunkTable) -> "BM25Index":
        vocabulary: dict[str, int] = {}
        postings: list[list[tuple[int, int]]] = []
        for row, tokens in enumerate(token_lists):
            for token, count in Counter(tokens).items():
                t = vocabulary.setdefault(token, len(vocabulary))
                if t == len(postings):
                    postings.append([])
                postings[t].append((row, count))
        sizes = np.array([len(p) for p in postings], dtype=np.int64)
        indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        flat = [pair for p in postings for pair in p]
        rows = np.array([r for r, _ in flat], dtype=np.int32)
        tf = np.array([c for _, c in flat], dtype=np.float32)
        lengths = np.array([len(t) for t in token_lists], dtype=np.float32)
        return cls(vocabulary, indptr, rows, tf, lengths, table)

    def save(self, directory: Path) -> None:
        out = Path(directory) / DIRECTORY
        out.mkdir(parents=True, exist_ok=True)
        (out / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        for name in ("indptr", "rows", "tf", "lengths"):
            np.save(out / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, table: ChunkTable) -> "BM25Index":
        src = Path(directory) / DIRECTORY
        vocabulary = json.loads((src / "vocabulary.json").read_text(encoding="utf-8"))
        arrays = {
            name: np.load(src / f"{name}.npy", allow_pickle=False) for name in ("indptr", "rows", "tf", "lengths")
        }
        return cls(vocabulary, table=table, **arrays)

    def __len__(self) -> int:
        return len(self.lengths)

    def scores(self, tokens: list[str], where: Where | None = None) -> np.ndarray:
        """BM25 score of every row for ``tokens`` (repeated tokens count again), with the statistics
        of the rows the caller may see."""
        n_rows = len(self.lengths)
        scores = np.zeros(n_rows, dtype=np.float32)
        ids = [self.vocabulary[t] for t in tokens if t in self.vocabulary]
        if not ids or not n_rows:
            return scores
        hidden = self.table.hidden(where.visible) if where is not None else None
        if hidden is None:
            n, avg = n_rows, self._avg
        else:
            n = int(n_rows - hidden.sum())
            avg = float(np.asarray(self.lengths[~hidden], dtype=np.float64).mean()) if n else 0.0
        if not n:
            return scores
        norm = K1 * ((1 - B) + B * self.lengths.astype(np.float64) / avg)
        for t in ids:
            rows = self.rows[self.indptr[t] : self.indptr[t + 1]]
            df = len(rows) if hidden is None else int(len(rows) - hidden[rows].sum())
            if not df:
                continue
            idf = np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))
            tf = self.tf[self.indptr[t] : self.indptr[t + 1]]
            scores[rows] += (np.float64(idf) * (tf / (norm[rows] + tf))).astype(np.float32)
        return scores

    def search(self, tokens: list[str], k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """The ``k`` best rows ``where`` allows, best first; passages sharing no token are left out."""
        scores = self.scores(tokens, where)
        mask = self.table.mask(where)
        candidates = np.flatnonzero(scores > 0) if mask is None else np.flatnonzero((scores > 0) & mask)
        if not len(candidates) or k <= 0:
            return []
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        ids = self.table.ids
        return [(ids[r], float(scores[r])) for r in order]
