"""Evaluation: question sets and predictions (shared/eval/SCHEMA.md), scoring, metrics,
reports, run comparison and the quality gate."""

from assistant.evaluation.compare import compare_metrics
from assistant.evaluation.dataset import Prediction, Question, load_questions
from assistant.evaluation.gate import check_gate
from assistant.evaluation.metrics import compute_metrics
from assistant.evaluation.runner import AnswerPipeline, EvalResult, run_eval

__all__ = [
    "AnswerPipeline",
    "EvalResult",
    "Prediction",
    "Question",
    "check_gate",
    "compare_metrics",
    "compute_metrics",
    "load_questions",
    "run_eval",
]
