"""Okapi BM25 (the Lucene variant: k1 1.5, b 0.75) over token postings.

The index keeps term frequencies and passage lengths, not precomputed scores, so that the
statistics a score uses (number of passages, document frequency, average length) are those of
the corpus the caller may see: a restricted document changes no score for a caller outside its
groups, exactly as if it did not exist. Arrays are saved as ``.npy`` (no pickle) and the vocabulary
as JSON; the postings are loaded memory-mapped, so only the pages queries touch stay resident.

A caller who sees every document (filters or not) reads whole-corpus statistics; for a large
corpus its top-k is found without scoring every posting of frequent tokens ("năm", "tỉnh" …):
MaxScore (Turtle & Flood 1995) scores the tokens with the highest possible contribution first,
stops once the rest cannot lift a passage into the top-k, and then scores only the passages that
can still get there. The result is exact: the same passages and scores as scoring everything.
A restricted caller's statistics are computed over its visible rows, posting by posting.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.filters import Where
from assistant.retrieval.table import ChunkTable

DIRECTORY = "lexical"
K1 = 1.5
B = 0.75
#: Queries touching fewer postings than this are scored exhaustively (it is as fast).
PRUNE_FROM = 200_000
ARRAYS = ("indptr", "rows", "tf", "lengths")


class BM25Index:
    def __init__(
        self,
        vocabulary: dict[str, int],
        indptr: np.ndarray,
        rows: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
        table: ChunkTable,
        bound: np.ndarray | None = None,
        *,
        prune_from: int = PRUNE_FROM,
    ) -> None:
        self.vocabulary = vocabulary
        self.indptr = indptr  # postings of token t: rows[indptr[t]:indptr[t + 1]], rows ascending
        self.rows = rows
        self.tf = tf
        self.lengths = lengths  # tokens per passage
        self.table = table
        self.prune_from = prune_from
        self._avg = float(np.asarray(lengths, dtype=np.float64).mean()) if len(lengths) else 0.0
        self._norm = K1 * ((1 - B) + B * np.asarray(lengths, dtype=np.float64) / self._avg) if self._avg else None
        # Per token, the largest tf / (norm + tf) of its postings (whole-corpus statistics).
        self.bound = bound if bound is not None else _bounds(indptr, rows, tf, self._norm)

    @classmethod
    def build(cls, token_lists: Iterable[list[str]], table: ChunkTable) -> "BM25Index":
        """Postings of ``token_lists`` (any iterable: one passage's tokens at a time stay in memory)."""
        vocabulary: dict[str, int] = {}
        terms, counts, lengths, distinct = array("i"), array("i"), array("i"), array("i")
        for tokens in token_lists:
            bag = Counter(tokens)
            terms.extend(vocabulary.setdefault(t, len(vocabulary)) for t in bag)
            counts.extend(bag.values())
            lengths.append(len(tokens))
            distinct.append(len(bag))
        term = np.array(terms, dtype=np.int32)
        row = np.repeat(np.arange(len(lengths), dtype=np.int32), np.array(distinct, dtype=np.int32))
        order = np.argsort(term, kind="stable")  # by token, rows ascending within a token
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(np.bincount(term, minlength=len(vocabulary)))
        tf = np.array(counts, dtype=np.int32)[order]
        tf = tf.astype(np.uint16 if not len(tf) or tf.max() < 2**16 else np.float32)  # exact either way
        return cls(vocabulary, indptr, row[order], tf, np.array(lengths, dtype=np.float32), table)

    def save(self, directory: Path) -> None:
        out = Path(directory) / DIRECTORY
        out.mkdir(parents=True, exist_ok=True)
        (out / "vocabulary.json").write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        for name in (*ARRAYS, "bound"):
            np.save(out / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path, table: ChunkTable) -> "BM25Index":
        """The index with its postings memory-mapped (read-only)."""
        src = Path(directory) / DIRECTORY
        vocabulary = json.loads((src / "vocabulary.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(src / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in ARRAYS}
        bound = np.load(src / "bound.npy", allow_pickle=False) if (src / "bound.npy").is_file() else None
        return cls(vocabulary, table=table, bound=bound, **arrays)

    def __len__(self) -> int:
        return len(self.lengths)

    def _postings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
        return self.rows[lo:hi], self.tf[lo:hi]

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
            n, norm = n_rows, self._norm
        else:
            n = int(n_rows - hidden.sum())
            avg = float(np.asarray(self.lengths[~hidden], dtype=np.float64).mean()) if n else 0.0
            norm = K1 * ((1 - B) + B * np.asarray(self.lengths, dtype=np.float64) / avg) if n else None
        if not n:
            return scores
        for t in ids:
            rows, tf = self._postings(t)
            df = len(rows) if hidden is None else int(len(rows) - hidden[rows].sum())
            if not df:
                continue
            scores[rows] += _contribution(_idf(n, df), tf, norm[rows])
        return scores

    def search(self, tokens: list[str], k: int, where: Where | None = None) -> list[tuple[str, float]]:
        """The ``k`` best rows ``where`` allows, best first; passages sharing no token are left out."""
        if k <= 0:
            return []
        mask = self.table.mask(where)
        ids = [self.vocabulary[t] for t in tokens if t in self.vocabulary]
        whole = where is None or self.table.hidden(where.visible) is None
        touched = sum(int(self.indptr[t + 1] - self.indptr[t]) for t in set(ids))
        if whole and ids and touched >= self.prune_from:
            rows, scores = self._top_candidates(ids, k, mask)
        else:
            every = self.scores(tokens, where)
            rows = np.flatnonzero(every > 0) if mask is None else np.flatnonzero((every > 0) & mask)
            scores = every[rows]
        if not len(rows):
            return []
        if len(rows) > k:  # the k best; of passages tied at the k-th score, the first rows
            kth = np.partition(scores, len(scores) - k)[len(scores) - k]
            above = np.flatnonzero(scores > kth)
            keep = np.concatenate([above, np.flatnonzero(scores == kth)[: k - len(above)]])
            rows, scores = rows[keep], scores[keep]
        order = np.lexsort((rows, -scores))
        names = self.table.ids
        return [(names[r], float(s)) for r, s in zip(rows[order], scores[order])]

    def _top_candidates(self, ids: list[int], k: int, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """MaxScore over whole-corpus statistics: rows that may be in the top ``k`` (sorted) and their
        exact scores, summed in query order as :meth:`scores` does."""
        n = len(self.lengths)
        times = Counter(ids)
        idf = {t: _idf(n, int(self.indptr[t + 1] - self.indptr[t])) for t in times}
        bound = {t: times[t] * float(idf[t]) * float(self.bound[t]) * (1 + 1e-6) for t in times}
        order = sorted(times, key=lambda t: -bound[t])
        partial = np.zeros(n, dtype=np.float64)
        candidates = np.zeros(0, dtype=np.int64)
        rest = sum(bound.values())
        threshold = 0.0
        for t in order:
            rows, tf = self._postings(t)
            if mask is not None:
                keep = mask[rows]
                rows, tf = rows[keep], tf[keep]
            partial[rows] += times[t] * float(idf[t]) * (tf / (self._norm[rows] + tf))
            candidates = np.union1d(candidates, rows)
            rest -= bound[t]
            if len(candidates) >= k:
                threshold = np.partition(partial[candidates], len(candidates) - k)[len(candidates) - k]
                if rest < threshold * (1 - 1e-6):
                    break  # a passage holding only the tokens left cannot reach the top k
        candidates = candidates[partial[candidates] + rest >= threshold * (1 - 1e-6)]
        exact = np.zeros(len(candidates), dtype=np.float32)
        for t in ids:  # query order, like scores(): the same float32 sums
            rows, tf = self._postings(t)
            at = np.minimum(np.searchsorted(rows, candidates), len(rows) - 1)
            has = np.asarray(rows[at]) == candidates
            if has.any():
                hit = candidates[has]
                exact[has] += _contribution(idf[t], np.asarray(tf[at[has]]), self._norm[hit])
        return candidates, exact


def _idf(n: int, df: int) -> np.float32:
    return np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))


def _contribution(idf: np.float32, tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
    return (np.float64(idf) * (tf / (norm + tf))).astype(np.float32)


def _bounds(indptr: np.ndarray, rows: np.ndarray, tf: np.ndarray, norm: np.ndarray | None) -> np.ndarray:
    """Per token, the largest ``tf / (norm + tf)`` among its postings (0 for a token with none)."""
    bound = np.zeros(len(indptr) - 1, dtype=np.float64)
    if norm is None or not len(rows):
        return bound
    step = 20_000_000  # postings at a time, to bound the memory this takes
    for lo in range(0, len(rows), step):
        hi = min(lo + step, len(rows))
        impact = tf[lo:hi] / (norm[rows[lo:hi]] + tf[lo:hi])
        first = np.searchsorted(indptr, lo, side="right") - 1
        starts = np.maximum(indptr[first:-1], lo) - lo
        starts = starts[starts < hi - lo]
        tokens = np.arange(first, first + len(starts))
        bound[tokens] = np.maximum(bound[tokens], np.maximum.reduceat(impact, starts))
    return bound
