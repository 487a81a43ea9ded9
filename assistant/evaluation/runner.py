"""Running a question set through a pipeline and writing predictions, metrics and report.

Timing: before the timed loop the runner asks one throwaway question (``WARMUP_QUESTION``;
a search in retrieval-only mode) so model loading and caches do not count as latency.
Each question's ``latency_ms`` is then the wall time of its one ``ask`` (or ``search``)
call, measured with ``time.perf_counter``. A question on which the pipeline raises an
``AssistantError`` (e.g. a question judged invalid) gets an empty, non-abstained answer
and is listed under "Lỗi khi chạy" in the report; any other exception stops the run.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tqdm import tqdm

from assistant.errors import AssistantError
from assistant.evaluation.dataset import Prediction, Question, prediction_from_answer, prediction_from_hits
from assistant.evaluation.metrics import compute_metrics, first_hit_rank
from assistant.evaluation.report import write_report
from assistant.evaluation.scoring import is_correct
from assistant.models import Answer, Hit

WARMUP_QUESTION = "Kế hoạch ứng dụng công nghệ thông tin do cơ quan nào ban hành?"
TOP_K = 10


@runtime_checkable
class AnswerPipeline(Protocol):
    """What the evaluation needs from the assistant: answering and plain retrieval."""

    def ask(self, question: str, *, history: list[str] | None = None) -> Answer: ...

    def search(self, query: str, k: int = 10) -> list[Hit]: ...


@dataclass(frozen=True)
class EvalRow:
    """One question of a run. ``correct`` is None in retrieval-only runs."""

    question: Question
    prediction: Prediction
    correct: bool | None
    retrieved_rank: int | None  # rank of the first passage holding evidence, None if absent
    error: str | None = None


@dataclass(frozen=True)
class EvalResult:
    metrics: dict[str, Any]
    rows: list[EvalRow]
    out_dir: Path

    @property
    def predictions(self) -> list[Prediction]:
        return [r.prediction for r in self.rows]


def _predict(q: Question, pipeline: AnswerPipeline, retrieval_only: bool) -> tuple[Prediction, str | None]:
    started = time.perf_counter()
    try:
        if retrieval_only:
            hits = pipeline.search(q.question, k=TOP_K)
            ms = (time.perf_counter() - started) * 1000
            return prediction_from_hits(q, hits, ms), None
        answer = pipeline.ask(q.question, history=q.history or None)
        ms = (time.perf_counter() - started) * 1000
        return prediction_from_answer(q, answer, ms), None
    except AssistantError as exc:
        ms = (time.perf_counter() - started) * 1000
        return prediction_from_hits(q, [], ms), str(exc)


def write_predictions(path: Path, predictions: list[Prediction]) -> None:
    """One JSON object a line, SCHEMA §2 fields in order, UTF-8 text kept readable."""
    with path.open("w", encoding="utf-8") as f:
        for p in predictions:
            f.write(json.dumps(p.model_dump(mode="json"), ensure_ascii=False) + "\n")


def run_eval(
    questions: list[Question],
    pipeline: AnswerPipeline,
    out_dir: str | Path,
    *,
    retrieval_only: bool = False,
    progress: bool = True,
    label: str = "",
) -> EvalResult:
    """Answer (or only retrieve for) every question, then write predictions.jsonl,
    metrics.json, report.md and the plots into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if retrieval_only:
        pipeline.search(WARMUP_QUESTION, k=TOP_K)
    else:
        pipeline.ask(WARMUP_QUESTION)

    predictions: list[Prediction] = []
    errors: dict[str, str] = {}
    bar = tqdm(questions, desc=label or "eval", unit="câu", file=sys.stderr, disable=not progress)
    for q in bar:
        prediction, error = _predict(q, pipeline, retrieval_only)
        predictions.append(prediction)
        if error:
            errors[q.id] = error

    write_predictions(out / "predictions.jsonl", predictions)
    metrics = compute_metrics(questions, predictions, retrieval_only=retrieval_only, label=label)
    title = "Kết quả đánh giá" + (f" – {label}" if label else "")
    write_report(out, questions, predictions, metrics, title, errors=errors)
    rows = [
        EvalRow(
            question=q,
            prediction=p,
            correct=None if retrieval_only else is_correct(q, p),
            retrieved_rank=first_hit_rank(q, p),
            error=errors.get(q.id),
        )
        for q, p in zip(questions, predictions)
    ]
    return EvalResult(metrics=metrics, rows=rows, out_dir=out)
