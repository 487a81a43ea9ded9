"""CLI command bodies for evaluation, annotated for typer (the app itself lives elsewhere).

The commands that need the assistant take ``make_pipeline`` (a factory, so nothing is
built before the arguments are checked). ``bind_pipeline`` turns such a command into a
function typer can register directly::

    app.command("eval")(bind_pipeline(eval_command, lambda: build_pipeline(settings)))
    app.command("compare")(compare_command)
    app.command("gate")(gate_command)

Docstrings and help texts here are user-facing, hence Vietnamese.
"""

# No ``from __future__ import annotations``: typer reads these annotations at runtime.

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.evaluation.compare import compare_metrics, format_comparison, load_metrics
from assistant.evaluation.dataset import load_questions
from assistant.evaluation.gate import check_gate
from assistant.evaluation.runner import AnswerPipeline, EvalResult, run_eval


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _summary(metrics: dict[str, Any]) -> str:
    parts = []
    if not metrics.get("retrieval_only"):
        parts.append(f"độ chính xác {_pct(metrics.get('accuracy'))}")
    parts += [
        f"recall@5 {_pct(metrics.get('recall@5'))}",
        f"MRR@10 {metrics['mrr@10']:.3f}" if metrics.get("mrr@10") is not None else "MRR@10 —",
        f"p50 {metrics.get('latency_p50_ms') or 0:.1f} ms",
    ]
    return " · ".join(parts)


def eval_command(
    dataset: Annotated[
        Path,
        typer.Argument(
            help="Bộ câu hỏi JSONL theo shared/eval/SCHEMA.md, ví dụ eval/datasets/dev.jsonl.", show_default=False
        ),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="Thư mục ghi predictions.jsonl, metrics.json, report.md và các biểu đồ PNG."),
    ] = Path("eval/reports/latest"),
    retrieval_only: Annotated[
        bool, typer.Option("--retrieval-only", help="Chỉ đánh giá truy hồi (recall@k, MRR@10), không sinh câu trả lời.")
    ] = False,
    compare_to: Annotated[
        Path | None,
        typer.Option(
            "--compare-to",
            help="So sánh với một lượt chạy trước: thư mục của nó hoặc tệp metrics.json, ví dụ eval/reports/baseline.",
        ),
    ] = None,
    *,
    make_pipeline: Callable[[], AnswerPipeline],
) -> EvalResult:
    """Đánh giá trợ lý trên một bộ câu hỏi và ghi báo cáo.

    Ví dụ: assistant eval eval/datasets/dev.jsonl --out eval/reports/latest
    --compare-to eval/reports/baseline
    """
    questions = load_questions(dataset)  # fails on a bad dataset before building anything
    pipeline = make_pipeline()
    result = run_eval(questions, pipeline, out, retrieval_only=retrieval_only, label=dataset.stem)
    typer.echo(f"Đã đánh giá {len(questions)} câu hỏi: {_summary(result.metrics)}")
    typer.echo(f"Báo cáo: {out / 'report.md'}")
    if compare_to is not None:
        before = load_metrics(compare_to)
        typer.echo("")
        typer.echo(format_comparison(compare_metrics(before, result.metrics), str(compare_to), str(out)))
    return result


def compare_command(
    a: Annotated[
        Path,
        typer.Argument(
            help="Lượt chạy gốc: thư mục hoặc metrics.json, ví dụ eval/reports/baseline.", show_default=False
        ),
    ],
    b: Annotated[
        Path,
        typer.Argument(help="Lượt chạy mới: thư mục hoặc metrics.json, ví dụ eval/reports/latest.", show_default=False),
    ],
) -> None:
    """So sánh chỉ số của hai lượt đánh giá (cột Δ = mới − gốc).

    Ví dụ: assistant compare eval/reports/baseline eval/reports/latest
    """
    rows = compare_metrics(load_metrics(a), load_metrics(b))
    typer.echo(format_comparison(rows, str(a), str(b)))


def gate_command(
    run: Annotated[
        Path,
        typer.Argument(
            help="Lượt chạy cần kiểm tra: thư mục hoặc metrics.json, ví dụ eval/reports/latest.", show_default=False
        ),
    ],
    baseline: Annotated[Path, typer.Option("--baseline", help="Tệp baseline.json để so sánh.")] = Path(
        "eval/baseline.json"
    ),
    tolerance: Annotated[
        float, typer.Option("--tolerance", help="Số điểm phần trăm được phép giảm so với baseline.")
    ] = 2.0,
) -> None:
    """Kiểm tra ngưỡng chất lượng: thoát mã 1 khi accuracy hoặc recall@5 giảm quá ngưỡng.

    Ví dụ: assistant gate eval/reports/latest --baseline eval/baseline.json
    """
    failures = check_gate(load_metrics(run), load_metrics(baseline), tolerance)
    for message in failures:
        typer.echo(f"KHÔNG ĐẠT: {message}", err=True)
    if failures:
        raise typer.Exit(code=1)
    typer.echo(f"Đạt ngưỡng chất lượng so với {baseline}.")


def bind_pipeline(command: Callable[..., Any], make_pipeline: Callable[[], AnswerPipeline]) -> Callable[..., Any]:
    """``command`` with ``make_pipeline`` filled in and hidden from typer's signature."""

    @functools.wraps(command)
    def bound(*args: Any, **kwargs: Any) -> Any:
        return command(*args, make_pipeline=make_pipeline, **kwargs)

    signature = inspect.signature(command, eval_str=True)
    bound.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p for p in signature.parameters.values() if p.name != "make_pipeline"]
    )
    return bound
