"""The quality gate: a run must not fall more than a few points below the baseline.

``baseline.json``: ``{"accuracy": 0.72, "recall@5": 0.85, "mrr@10": 0.64, …,
"dataset": "eval/datasets/dev.jsonl", "updated": "YYYY-MM-DD"}``. Only the gated metrics
the baseline holds are checked; a gated metric the run lacks (None, e.g. accuracy in a
retrieval-only run) fails rather than passing silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

#: Gated metrics and their Vietnamese names.
GATED: tuple[tuple[str, str], ...] = (("accuracy", "Độ chính xác (accuracy)"), ("recall@5", "Truy hồi recall@5"))
#: Metrics copied into a new baseline.
BASELINE_KEYS = (
    "accuracy",
    "recall@1",
    "recall@5",
    "recall@10",
    "recall_all@5",
    "mrr@10",
    "citation_recall",
    "abstention_unanswerable",
    "false_abstention",
)


def check_gate(metrics: Mapping[str, Any], baseline: Mapping[str, Any], tolerance_points: float = 2.0) -> list[str]:
    """Failure messages (Vietnamese); empty when the run passes.

    A metric fails when it is more than ``tolerance_points`` percentage points (2.0 = 0.02)
    below the baseline's value.
    """
    tolerance = tolerance_points / 100
    failures = []
    for key, name in GATED:
        base = baseline.get(key)
        if not isinstance(base, (int, float)):
            continue
        now = metrics.get(key)
        if not isinstance(now, (int, float)):
            failures.append(
                f"{name}: lượt chạy không có chỉ số này (baseline {100 * base:.1f}%). "
                "Hãy chạy đánh giá đầy đủ (không dùng --retrieval-only)."
            )
        elif now < base - tolerance - 1e-9:
            failures.append(
                f"{name} giảm {100 * (base - now):.1f} điểm: {100 * now:.1f}% so với "
                f"baseline {100 * base:.1f}% (cho phép giảm tối đa "
                f"{tolerance_points:g} điểm)."
            )
    return failures


def baseline_from_metrics(metrics: Mapping[str, Any], dataset: str, updated: dt.date | None = None) -> dict[str, Any]:
    """A new baseline.json object from a run's metrics."""
    out: dict[str, Any] = {k: metrics.get(k) for k in BASELINE_KEYS if k in metrics}
    out["dataset"] = dataset
    out["updated"] = (updated or dt.date.today()).isoformat()
    return out
