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
import threading
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
BLOCK = 65_536  # passages a build block holds
CHEAP = 4_096  # postings scored without first checking whether the token can still matter
BUDGET = 300_000
MARGIN = 1e-5  # relative slack on bounds, above float32 rounding of a sum of query tokens


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
        budget: int = BUDGET,
    ) -> None:
        self.vocabulary = vocabulary
        # Plain views of memory-mapped arrays: the same pages, without np.memmap's per-slice cost.
        self.indptr = np.asarray(indptr)  # postings of token t: rows[indptr[t]:indptr[t + 1]], ascending
        self.rows = np.asarray(rows)
        self.tf = np.asarray(tf)
        self.lengths = lengths  # tokens per passage
        self.table = table
        self.prune_from = prune_from
        self.budget = budget  # postings a whole-corpus query scores in full (see _top_candidates)
        self._avg = float(np.asarray(lengths, dtype=np.float64).mean()) if len(lengths) else 0.0
        self._norm = K1 * ((1 - B) + B * np.asarray(lengths, dtype=np.float64) / self._avg) if self._avg else None
        # Per token, the largest tf / (norm + tf) of its postings (whole-corpus statistics).
        self.bound = bound if bound is not None else _bounds(indptr, rows, tf, self._norm)
        self._local = threading.local()

    @classmethod
    def build(cls, token_lists: Iterable[list[str] | dict[str, int]], table: ChunkTable) -> "BM25Index":
        """Postings of ``token_lists`` (any iterable: one passage's tokens at a time stay in memory).

        Passages are read in blocks; each block keeps its (token, count) pairs as two small
        arrays, and the postings are then laid out token by token in one pass over the blocks,
        so the build holds about 10 bytes a posting (a million passages: ~3 GB)."""
        vocabulary: dict[str, int] = {}
        blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # per block: terms, counts, pairs per row
        lengths = array("i")
        terms, counts, distinct = array("i"), array("i"), array("i")
        for tokens in token_lists:
            bag = tokens if isinstance(tokens, dict) else Counter(tokens)  # a passage's tokens, or their counts
            terms.extend(vocabulary.setdefault(t, len(vocabulary)) for t in bag)
            counts.extend(bag.values())
            distinct.append(len(bag))
            lengths.append(sum(bag.values()))
            if len(distinct) == BLOCK:
                blocks.append(_block(terms, counts, distinct))
                terms, counts, distinct = array("i"), array("i"), array("i")
        if len(distinct):
            blocks.append(_block(terms, counts, distinct))
        per_term = np.zeros(len(vocabulary), dtype=np.int64)
        for block_terms, _, _ in blocks:
            per_term += np.bincount(block_terms, minlength=len(vocabulary))
        indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(per_term)
        wide = any(len(c) and c.max() >= 2**16 for _, c, _ in blocks)
        rows = np.empty(int(indptr[-1]), dtype=np.int32)
        tf = np.empty(int(indptr[-1]), dtype=np.float32 if wide else np.uint16)  # exact either way
        filled = indptr[:-1].copy()  # next free slot of each token
        first_row = 0
        for block_terms, block_counts, pairs in blocks:
            order = np.argsort(block_terms, kind="stable")  # by token, rows ascending within a token
            sorted_terms = block_terms[order]
            starts = np.flatnonzero(np.r_[True, sorted_terms[1:] != sorted_terms[:-1]])
            rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
            dest = filled[sorted_terms] + rank
            block_rows = np.repeat(np.arange(first_row, first_row + len(pairs), dtype=np.int32), pairs)
            rows[dest] = block_rows[order]
            tf[dest] = block_counts[order]
            filled += np.bincount(block_terms, minlength=len(vocabulary))
            first_row += len(pairs)
        return cls(vocabulary, indptr, rows, tf, np.array(lengths, dtype=np.float32), table)

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
        """MaxScore over whole-corpus statistics: the rows that may be in the top ``k`` (sorted) and
        their scores, summed in query order as :meth:`scores` sums them.

        Tokens are scored cheapest first (shortest postings). Before an expensive token, the k-th
        score of the best passages so far, scored in full, is a lower bound of the final k-th
        score; once the tokens left cannot add up to it, a passage holding only them cannot reach
        the top k, and the result is exact. From there the tokens left are only looked up for the
        passages already seen, and a passage is dropped as soon as it cannot reach the k-th best.

        A query whose tokens are frequent may not get there within ``budget`` postings. Then the
        frequent tokens left only add to the scores of passages the rarer ones found (Lucene's
        "common terms" rule): a passage sharing nothing but frequent words with the question is
        not a candidate. benchmarks/scale.py measures how often that changes the top k."""
        n = len(self.lengths)
        times = Counter(ids)
        df = {t: int(self.indptr[t + 1] - self.indptr[t]) for t in times}
        idf = {t: _idf(n, df[t]) for t in times}
        bound = {t: times[t] * float(idf[t]) * float(self.bound[t]) * (1 + MARGIN) for t in times}
        partial, seen, slot = self._scratch(n)
        found: list[np.ndarray] = []  # rows first reached by each scored token
        scored: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # token -> its rows and contributions
        rest, count, floor, spent = sum(bound.values()), 0, 0.0, 0
        try:
            for t in sorted(times, key=lambda t: (df[t], t)):
                if count >= k and df[t] > CHEAP:
                    seen_rows = np.concatenate(found)
                    if not floor:  # the k best so far, scored in full: their k-th score is a lower bound
                        top = np.sort(seen_rows[np.argpartition(-partial[seen_rows], k - 1)[:k]])
                        floor = float(self._complete(top, partial[top], times, idf, scored).min())
                    threshold = float(np.partition(partial[seen_rows], len(seen_rows) - k)[len(seen_rows) - k])
                    if rest < max(threshold, floor) * (1 - MARGIN) or spent + df[t] > self.budget:
                        break  # exact: the tokens left cannot lift a new passage into the top k
                rows, tf = self._postings(t)
                rows, tf = np.asarray(rows), np.asarray(tf)
                if mask is not None:
                    keep = mask[rows]
                    rows, tf = rows[keep], tf[keep]
                contribution = _contribution(idf[t], tf, self._norm[rows])
                scored[t] = (rows, contribution)
                partial[rows] += times[t] * contribution.astype(np.float64)
                new = rows[~seen[rows]]
                seen[new] = True
                found.append(new)
                count += len(new)
                spent += df[t]
                rest -= bound[t]
            candidates = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)
            best = partial[candidates]
        finally:
            for rows in found:  # leave the scratch arrays zeroed for the next query
                partial[rows] = 0.0
                seen[rows] = False
        # The tokens left, looked up for the candidates only, most promising first.
        for t in sorted((t for t in times if t not in scored), key=lambda t: -bound[t]):
            if len(candidates) > k:
                threshold = max(float(np.partition(best, len(best) - k)[len(best) - k]), floor)
                keep = best + rest >= threshold * (1 - MARGIN)
                candidates, best = candidates[keep], best[keep]
            at, has = self._lookup(t, candidates, slot)
            if len(at):
                tf = np.asarray(self.tf[at])
                best[has] += times[t] * _contribution(idf[t], tf, self._norm[candidates[has]])
            rest -= bound[t]
        if len(candidates) > k:
            threshold = max(float(np.partition(best, len(best) - k)[len(best) - k]), floor)
            candidates = candidates[best >= threshold * (1 - MARGIN)]
        exact = np.zeros(len(candidates), dtype=np.float32)
        values: dict[int, np.ndarray] = {}
        for t in times:
            value = values[t] = np.zeros(len(candidates), dtype=np.float32)
            if t in scored:
                rows, contribution = scored[t]
                at = np.minimum(np.searchsorted(rows, candidates), max(len(rows) - 1, 0))
                has = rows[at] == candidates if len(rows) else np.zeros(len(candidates), dtype=bool)
                value[has] = contribution[at[has]]
            else:
                at, has = self._lookup(t, candidates, slot)
                if len(at):
                    value[has] = _contribution(idf[t], np.asarray(self.tf[at]), self._norm[candidates[has]])
        for t in ids:  # query order, repeated tokens again: the same float32 sums as scores()
            exact += values[t]
        return candidates, exact

    def _complete(self, rows: np.ndarray, partial: np.ndarray, times: Counter, idf: dict, scored: dict) -> np.ndarray:
        """``partial`` scores of (sorted) ``rows`` plus what the tokens not yet scored add."""
        full = partial.astype(np.float64)
        for t in times:
            if t not in scored:
                lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
                postings = self.rows[lo:hi]
                at = np.minimum(np.searchsorted(postings, rows), hi - lo - 1)
                has = np.asarray(postings[at]) == rows
                if has.any():
                    tf = np.asarray(self.tf[lo + at[has]])
                    full[has] += times[t] * _contribution(idf[t], tf, self._norm[rows[has]])
        return full

    def _lookup(self, t: int, candidates: np.ndarray, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where token ``t``'s postings hold the (sorted) ``candidates``: the posting positions, and
        which candidates have one. A binary search per candidate, or one pass over the postings
        when they are not much longer than the candidates."""
        lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
        if not len(candidates) or hi == lo:
            return np.zeros(0, dtype=np.int64), np.zeros(len(candidates), dtype=bool)
        if hi - lo > 16 * len(candidates):
            rows = self.rows[lo:hi]
            at = np.minimum(np.searchsorted(rows, candidates), hi - lo - 1)
            has = np.asarray(rows[at]) == candidates
            return lo + at[has], has
        slot[candidates] = np.arange(len(candidates), dtype=np.int32)
        try:
            where = slot[np.asarray(self.rows[lo:hi])]
        finally:
            slot[candidates] = -1
        hit = np.flatnonzero(where >= 0)
        has = np.zeros(len(candidates), dtype=bool)
        has[where[hit]] = True
        return lo + hit, has

    def _scratch(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-thread arrays over all rows, reset between queries (only touched rows are reset)."""
        local = self._local
        if getattr(local, "partial", None) is None or len(local.partial) != n:
            local.partial = np.zeros(n, dtype=np.float64)
            local.seen = np.zeros(n, dtype=bool)
            local.slot = np.full(n, -1, dtype=np.int32)
        return local.partial, local.seen, local.slot


def _block(terms: array, counts: array, distinct: array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    c = np.array(counts, dtype=np.int32)
    c = c.astype(np.uint16) if not len(c) or c.max() < 2**16 else c
    return np.array(terms, dtype=np.int32), c, np.array(distinct, dtype=np.int32)


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
