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
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=2,
            help="Số tiến trình: 2 = một tiến trình con làm một nửa số phần kiểm định chéo trong khi tiến "
            "trình chính làm nửa còn lại rồi huấn luyện mô hình cuối (cần gấp đôi bộ nhớ).",
        ),
    ] = 2,
) -> None:
    """Huấn luyện lại các mô hình trả lời từ bộ câu hỏi; đo bằng kiểm định chéo và bỏ-một-tài-liệu.

    Ví dụ: assistant train
    """
    from assistant.answering.answerer import DefaultAnswerer
    from assistant.answering.learned import TRAINED
    from assistant.pipeline import Pipeline
    from assistant.settings import Settings
    from assistant.training.evaluate import (
        choose_threshold,
        fold_outcomes,
        grouped_folds,
        leave_one_document_out,
        metrics_at,
    )
    from assistant.training.forked import can_fork, in_child, room_for_a_child
    from assistant.training.items import data_digest, load_sets, prepare
    from assistant.training.procedure import fit_models, read_all
    from assistant.training.report import firing, write_report

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
    fold_of = grouped_folds(cases, folds)
    every = sorted(set(fold_of))

    def done(k: int) -> None:
        typer.echo(f"  phần {k + 1} xong", err=True)

    two = workers > 1 and can_fork() and len(every) > 1
    if two and not room_for_a_child():
        typer.echo("Không đủ bộ nhớ cho hai tiến trình: kiểm định chéo chạy trong một tiến trình.", err=True)
        two = False
    if two:
        # the child: half the folds (the larger half); the parent: the rest, then the final models
        theirs, mine = every[: (len(every) + 1) // 2], every[(len(every) + 1) // 2 :]
        with in_child(lambda: fold_outcomes(cases, fold_of, theirs, progress=done)) as child:
            results = fold_outcomes(cases, fold_of, mine, progress=done)
            typer.echo("Huấn luyện mô hình cuối trên toàn bộ câu hỏi …", err=True)
            models = fit_models(cases)
            try:
                results.update(child.result())
            except RuntimeError as failed:  # its folds are answered here instead (no fold depends on another)
                typer.echo(f"{failed}\nCác phần của tiến trình con được làm lại ở đây …", err=True)
                results.update(fold_outcomes(cases, fold_of, theirs, progress=done))
    else:
        results = fold_outcomes(cases, fold_of, every, progress=done)
        typer.echo("Huấn luyện mô hình cuối trên toàn bộ câu hỏi …", err=True)
        models = fit_models(cases)
    cv = [results[i] for i in sorted(results)]
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
    if lodo:  # its fits rewrite the readings' features; the final models are already fitted
        typer.echo("Bỏ một tài liệu …", err=True)
        _, lo = leave_one_document_out(cases, threshold)
        summary["leave_one_document_out"] = lo["all"]
        summary["leave_one_document_out_by_document"] = lo["by_document"]
    fired = firing(cv)
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
    }
    models.save(out or TRAINED)
    write_report(report, summary, cv, fired)
    cvm = summary["cross_validation"]
    typer.echo(
        f"Xong trong {time.time() - started:.0f} giây. Kiểm định chéo: độ chính xác {cvm['accuracy']:.3f}, "
        f"từ chối nhầm {cvm['false_abstention']:.3f}. Báo cáo: {report / 'report.md'}"
    )
