"""Fusion of candidate lists: each side returns its own top candidates, best first.

``weighted``: each side's scores are min-max scaled over its best ``pool`` candidates (everything
below them maps to 0; a side with fewer candidates than ``pool`` scales from 0, the score of a
passage it did not return) and mixed with the dense weight. ``rrf``: reciprocal rank fusion.
A chunk missing from a list scores 0 on that side. Arithmetic is float32, like the scores.
"""

from __future__ import annotations

import numpy as np

Candidates = list[tuple[str, float]]


def weighted(dense: Candidates, lexical: Candidates, *, dense_weight: float, pool: int) -> dict[str, float]:
    ids = list(dict.fromkeys(cid for cid, _ in (*dense, *lexical)))
    d = _scaled(dense, ids, pool)
    lex = _scaled(lexical, ids, pool)
    fused = dense_weight * d + (1 - dense_weight) * lex
    return dict(zip(ids, fused.tolist()))


def rrf(dense: Candidates, lexical: Candidates, *, k: int) -> dict[str, float]:
    fused: dict[str, float] = {}
    for side in (dense, lexical):
        for rank, (cid, _) in enumerate(side, start=1):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (k + rank)
    return fused


def _scaled(side: Candidates, ids: list[str], pool: int) -> np.ndarray:
    """The side's min-max scaled scores, aligned with ``ids`` (0 where the side has no score)."""
    out = np.zeros(len(ids), dtype=np.float32)
    if not side:
        return out
    position = {cid: i for i, cid in enumerate(ids)}
    scores = np.array([s for _, s in side], dtype=np.float32)
    hi = float(scores[0])
    lo = float(scores[pool - 1]) if len(scores) >= pool else min(0.0, float(scores[-1]))
    if hi - lo < 1e-9:
        scaled = (scores >= hi).astype(np.float32)
    else:
        scaled = np.clip((scores - lo) / (hi - lo), 0.0, 1.0)
    out[[position[cid] for cid, _ in side]] = scaled
    return out
