"""``assistant train``: rebuild the answerer's model files from the question sets, deterministically.

Docstrings and help texts are user-facing, hence Vietnamese.
"""

# No ``from __future__ import annotations``: typer reads these annotations at runtime.

import time
from pathlib import Path
from typing import Annotated, Optional

import typer

DEFAULT_SETS = ("eval/datasets/train/*.jsonl", "eval/datasets/dev.jsonl", "eval/datasets/holdout.jsonl")


def train_command(
    sets: Annotated[
        Optional[list[Path]], typer.Argument(help="Các bộ câu hỏi JSONL (mặc định: train/, dev, holdout).")
    ] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Thư mục ghi mô hình (mặc định: trong gói).")] = None,
    report: Annotated[Path, typer.Option("--report", help="Thư mục ghi báo cáo.")] = Path("eval/reports/training"),
    folds: Annotated[int, typer.Option("--folds", min=2, max=10, help="Số phần kiểm định chéo.")] = 5,
    lodo: Annotated[bool, typer.Option("--lodo/--no-lodo", help="Đo thêm bỏ-một-tài-liệu.")] = True,
) -> None:
    """Huấn luyện lại các mô hình trả lời từ bộ câu hỏi; đo bằng kiểm định chéo và bỏ-một-tài-liệu.

    Ví dụ: assistant train
    """
    from assistant.answering.answerer import DefaultAnswerer
    from assistant.answering.learned import TRAINED
    from assistant.errors import AssistantError, shown
    from assistant.pipeline import Pipeline
    from assistant.settings import Settings
    from assistant.training.evaluate import (
        choose_threshold,
        cross_validate,
        grouped_folds,
        leave_one_document_out,
        metrics_at,
    )
    from assistant.training.fit import NEGATIVES, WEIGHTING, require_training_packages
    from assistant.training.items import data_digest, load_sets, prepare
    from assistant.training.procedure import fit_models, read_all
    from assistant.training.report import firing, write_report

    try:  # before minutes of reading questions, not at the first fit
        require_training_packages()
    except AssistantError as exc:
        typer.secho(f"Lỗi: {shown(exc, limit=None)}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from exc
    paths = sorted({p for pattern in DEFAULT_SETS for p in Path(".").glob(pattern)}) if not sets else list(sets)
    if not paths:
        typer.secho("Lỗi: không tìm thấy bộ câu hỏi nào.", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2)
    settings = Settings()
    pipeline = Pipeline(settings)
    started = time.time()
    questions = load_sets(paths)
    items = prepare(questions, pipeline, DefaultAnswerer(settings))
    cases = read_all(items)
    typer.echo(f"Kiểm định chéo {folds} phần …", err=True)
    cv = cross_validate(cases, grouped_folds(cases, folds), progress=lambda k: typer.echo(f"  phần {k + 1}", err=True))
    threshold = choose_threshold(cv)
    asked = [c for c in cases if not c.item.augmented]
    summary = {
        "questions": len(asked),
        "read_without_similarities": len(cases) - len(asked),
        "sets": [str(p) for p in paths],
        "folds": folds,
        "threshold": threshold,
        "cross_validation": metrics_at(cv, threshold),
    }
    if lodo:
        typer.echo("Bỏ một tài liệu …", err=True)
        _, lo = leave_one_document_out(cases, threshold)
        summary["leave_one_document_out"] = lo["all"]
        summary["leave_one_document_out_by_document"] = lo["by_document"]
    fired = firing(cv)
    typer.echo("Huấn luyện mô hình cuối trên toàn bộ câu hỏi …", err=True)
    models = fit_models(cases)
    models.threshold = threshold
    digest = data_digest(paths)
    models.manifest = {
        "trained_on": summary["sets"],
        "questions": len(asked),
        "data_sha256": digest,
        "index_build": pipeline.snapshot().build,
        "embedding_model": pipeline.snapshot().manifest.embedding_model,
        "cross_validation_accuracy": summary["cross_validation"]["accuracy"],
        "leave_one_document_out_accuracy": summary.get("leave_one_document_out", {}).get("accuracy"),
        "wrong_candidates_fitted": NEGATIVES,
        "wrong_candidates_weighting": WEIGHTING,
    }
    models.save(out or TRAINED)
    write_report(report, summary, cv, fired)
    cvm = summary["cross_validation"]
    typer.echo(
        f"Xong trong {time.time() - started:.0f} giây. Kiểm định chéo: độ chính xác {cvm['accuracy']:.3f}, "
        f"từ chối nhầm {cvm['false_abstention']:.3f}. Báo cáo: {report / 'report.md'}"
    )
