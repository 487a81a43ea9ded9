"""Aggregate metrics over a scored run: retrieval, accuracy, citations, abstention, latency.

Definitions where SCHEMA.md is silent:
- retrieval metrics count answerable questions with at least one evidence string; a question
  is hit at rank r when ANY of its evidence strings is contained in the passage at rank r;
  ``recall_all@5`` needs EVERY evidence string contained in some passage of the top 5;
- ``citation_recall``: among answerable questions with evidence that were not abstained on,
  the share where some citation's ``text`` contains some evidence string;
- ``abstention_unanswerable``: share of unanswerable questions abstained on;
  ``false_abstention``: share of answerable questions abstained on;
- latency percentiles interpolate linearly (numpy's default);
- a retrieval-only run reports answer metrics as None (dicts as {}), keeping the keys stable;
- a metric with an empty denominator is None; ratios are rounded to 4 decimals, ms to 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from assistant.errors import DatasetError
from assistant.evaluation.dataset import DIFFICULTIES, MAX_RETRIEVED, QUESTION_TYPES, Prediction, Question
from assistant.evaluation.scoring import contains, is_correct

RECALL_KS = (1, 5, 10)


def has_evidence(q: Question) -> bool:
    """Whether the question takes part in retrieval metrics."""
    return q.answerable and bool(q.evidence)


def first_hit_rank(q: Question, p: Prediction, k: int = MAX_RETRIEVED) -> int | None:
    """1-based rank of the first retrieved passage holding any evidence string, or None."""
    if not has_evidence(q):
        return None
    for rank, passage in enumerate(p.retrieved[:k], start=1):
        text = str(passage.get("text", ""))
        if any(contains(text, e) for e in q.evidence):
            return rank
    return None


def all_evidence_within(q: Question, p: Prediction, k: int) -> bool:
    texts = [str(passage.get("text", "")) for passage in p.retrieved[:k]]
    return all(any(contains(t, e) for t in texts) for e in q.evidence)


def cites_evidence(q: Question, p: Prediction) -> bool:
    return any(contains(str(c.get("text", "")), e) for c in p.citations for e in q.evidence)


def pair_up(questions: Sequence[Question], predictions: Iterable[Prediction]) -> list[tuple[Question, Prediction]]:
    """Each question with its prediction (matched by id); every question needs one."""
    by_id = {p.id: p for p in predictions}
    missing = [q.id for q in questions if q.id not in by_id]
    if missing:
        listed = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise DatasetError(
            f"Thiếu dự đoán cho {len(missing)} câu hỏi: {listed}.",
            hint="Chạy lại đánh giá trên đúng bộ câu hỏi đã dùng để tạo dự đoán.",
        )
    return [(q, by_id[q.id]) for q in questions]


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _grouped_accuracy(
    scored: list[tuple[Question, bool]], key: Callable[[Question], str], order: Sequence[str] | None = None
) -> dict[str, float | None]:
    groups: dict[str, list[bool]] = {}
    for q, ok in scored:
        groups.setdefault(key(q), []).append(ok)
    names = [g for g in order if g in groups] if order else sorted(groups)
    return {g: _ratio(sum(groups[g]), len(groups[g])) for g in names}


def _counts(
    questions: Sequence[Question], key: Callable[[Question], str], order: Sequence[str] | None = None
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in questions:
        counts[key(q)] = counts.get(key(q), 0) + 1
    names = [g for g in order if g in counts] if order else sorted(counts)
    return {g: counts[g] for g in names}


def compute_metrics(
    questions: Sequence[Question], predictions: Iterable[Prediction], *, retrieval_only: bool = False, label: str = ""
) -> dict[str, Any]:
    """All metrics of a run as a plain JSON-able dict with stable keys."""
    pairs = pair_up(questions, predictions)
    answerable = [(q, p) for q, p in pairs if q.answerable]
    unanswerable = [(q, p) for q, p in pairs if not q.answerable]
    with_evidence = [(q, p) for q, p in pairs if has_evidence(q)]

    ranks = [first_hit_rank(q, p) for q, p in with_evidence]
    recall = {f"recall@{k}": _ratio(sum(1 for r in ranks if r is not None and r <= k), len(ranks)) for k in RECALL_KS}
    recall_all = _ratio(sum(all_evidence_within(q, p, 5) for q, p in with_evidence), len(with_evidence))
    mrr = round(sum(1.0 / r for r in ranks if r is not None) / len(ranks), 4) if ranks else None

    if retrieval_only:
        accuracy = citation_recall = abstention = false_abstention = None
        by_type: dict[str, float | None] = {}
        by_difficulty: dict[str, float | None] = {}
        by_doc: dict[str, float | None] = {}
    else:
        scored = [(q, is_correct(q, p)) for q, p in pairs]
        accuracy = _ratio(sum(ok for _, ok in scored), len(scored))
        by_type = _grouped_accuracy(scored, lambda q: q.type, QUESTION_TYPES)
        by_difficulty = _grouped_accuracy(scored, lambda q: q.difficulty, DIFFICULTIES)
        by_doc = _grouped_accuracy(scored, lambda q: q.doc)
        cited = [(q, p) for q, p in with_evidence if not p.abstained]
        citation_recall = _ratio(sum(cites_evidence(q, p) for q, p in cited), len(cited))
        abstention = _ratio(sum(p.abstained for _, p in unanswerable), len(unanswerable))
        false_abstention = _ratio(sum(p.abstained for _, p in answerable), len(answerable))

    latencies = np.array([p.latency_ms for _, p in pairs], dtype=float)

    def latency(stat: Callable[[np.ndarray], float]) -> float | None:
        return round(float(stat(latencies)), 2) if latencies.size else None

    return {
        "label": label,
        "retrieval_only": retrieval_only,
        "n": len(pairs),
        "n_answerable": len(answerable),
        "n_unanswerable": len(unanswerable),
        "n_with_evidence": len(with_evidence),
        "accuracy": accuracy,
        "accuracy_by_type": by_type,
        "accuracy_by_difficulty": by_difficulty,
        "accuracy_by_doc": by_doc,
        **recall,
        "recall_all@5": recall_all,
        "mrr@10": mrr,
        "citation_recall": citation_recall,
        "abstention_unanswerable": abstention,
        "false_abstention": false_abstention,
        "latency_p50_ms": latency(lambda a: np.percentile(a, 50)),
        "latency_p95_ms": latency(lambda a: np.percentile(a, 95)),
        "latency_mean_ms": latency(np.mean),
        "n_by_type": _counts([q for q, _ in pairs], lambda q: q.type, QUESTION_TYPES),
        "n_by_difficulty": _counts([q for q, _ in pairs], lambda q: q.difficulty, DIFFICULTIES),
        "n_by_doc": _counts([q for q, _ in pairs], lambda q: q.doc),
    }


def recall_curve(
    questions: Sequence[Question], predictions: Iterable[Prediction], max_k: int = MAX_RETRIEVED
) -> list[float]:
    """recall@k for k = 1..max_k (an empty list when no question has evidence)."""
    ranks = [first_hit_rank(q, p) for q, p in pair_up(questions, predictions) if has_evidence(q)]
    if not ranks:
        return []
    return [sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in range(1, max_k + 1)]
