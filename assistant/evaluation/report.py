"""Writing a run's results: metrics.json, report.md and PNG plots (matplotlib, Agg canvas).

A retrieval-only run has no accuracy plot and lists retrieval misses instead of wrong
answers; a retrieval miss is a question whose evidence is not in the top 5 passages.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ConfigurationError
from assistant.evaluation.dataset import QUESTION_TYPES, Prediction, Question
from assistant.evaluation.metrics import first_hit_rank, has_evidence, pair_up, recall_curve
from assistant.evaluation.scoring import is_correct

ACCURACY_PLOT = "accuracy_by_type.png"
RECALL_PLOT = "recall_at_k.png"
LATENCY_PLOT = "latency.png"
MISS_RANK = 5
CELL_CHARS = 160

_HEADLINE = [  # (metric key, Vietnamese label, kind)
    ("n", "Số câu hỏi", "count"),
    ("accuracy", "Độ chính xác (accuracy)", "ratio"),
    ("recall@1", "Truy hồi recall@1", "ratio"),
    ("recall@5", "Truy hồi recall@5", "ratio"),
    ("recall@10", "Truy hồi recall@10", "ratio"),
    ("recall_all@5", "Đủ mọi bằng chứng trong top 5 (recall_all@5)", "ratio"),
    ("mrr@10", "MRR@10", "score"),
    ("citation_recall", "Trích dẫn đúng bằng chứng (citation recall)", "ratio"),
    ("abstention_unanswerable", "Từ chối đúng câu không có đáp án", "ratio"),
    ("false_abstention", "Từ chối nhầm câu có đáp án", "ratio"),
    ("latency_p50_ms", "Thời gian p50 (ms)", "ms"),
    ("latency_p95_ms", "Thời gian p95 (ms)", "ms"),
    ("latency_mean_ms", "Thời gian trung bình (ms)", "ms"),
]


def _fmt(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "ratio":
        return f"{100 * value:.1f}%"
    if kind == "score":
        return f"{value:.3f}"
    if kind == "ms":
        return f"{value:.1f}"
    return str(value)


def _cell(text: str) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _rank_text(rank: int | None, q: Question) -> str:
    if not has_evidence(q):
        return "—"
    if rank is None:
        return "không (ngoài top 10)"
    return f"có (hạng {rank})" if rank <= MISS_RANK else f"không (hạng {rank})"


# --- plots ---------------------------------------------------------------------------------


def _new_figure(width: float = 7.0, height: float = 4.0) -> Any:
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise ConfigurationError(
            "Chưa cài matplotlib nên không vẽ được biểu đồ đánh giá.", hint="Cài thêm: pip install 'assistant[eval]'."
        ) from None
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)  # Agg canvas bound to this figure only: no global backend switch
    return fig


def plot_accuracy_by_type(metrics: Mapping[str, Any], path: Path) -> None:
    by_type = {t: v for t, v in metrics["accuracy_by_type"].items() if v is not None}
    counts = metrics.get("n_by_type", {})
    fig = _new_figure()
    ax = fig.add_subplot()
    names = list(by_type)
    values = [100 * by_type[t] for t in names]
    bars = ax.bar(names, values, color="#3b7dd8")
    for bar, name, value in zip(bars, names, values):
        ax.annotate(
            f"{value:.0f}% (n={counts.get(name, '?')})",
            (bar.get_x() + bar.get_width() / 2, value),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, 110)
    ax.set_ylabel("Độ chính xác (%)")
    ax.set_title("Độ chính xác theo loại câu hỏi")
    ax.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    fig.savefig(path)


def plot_recall_curve(curve: Sequence[float], path: Path) -> None:
    fig = _new_figure()
    ax = fig.add_subplot()
    ks = list(range(1, len(curve) + 1))
    ax.plot(ks, [100 * r for r in curve], marker="o", color="#2a9d5c")
    ax.set_xticks(ks or [1])
    ax.set_ylim(0, 105)
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k (%)")
    ax.set_title("Tỷ lệ tìm thấy bằng chứng trong top k đoạn")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


def plot_latency(latencies: Sequence[float], path: Path, what: str = "trả lời") -> None:
    from matplotlib.ticker import MaxNLocator

    fig = _new_figure()
    ax = fig.add_subplot()
    ax.hist(list(latencies), bins=min(30, max(5, len(latencies))), color="#d8873b")
    for q, style in ((50, "--"), (95, ":")):
        ax.axvline(float(np.percentile(latencies, q)), color="#444", linestyle=style, label=f"p{q}")
    ax.legend()
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"Thời gian {what} (ms)")
    ax.set_ylabel("Số câu hỏi")
    ax.set_title(f"Phân bố thời gian {what}")
    fig.tight_layout()
    fig.savefig(path)


# --- markdown -------------------------------------------------------------------------------


def _per_type_rows(pairs: list[tuple[Question, Prediction]], retrieval_only: bool) -> list[list[str]]:
    rows = []
    present = {q.type for q, _ in pairs}
    for qtype in (t for t in QUESTION_TYPES if t in present):
        group = [(q, p) for q, p in pairs if q.type == qtype]
        correct = None if retrieval_only else sum(is_correct(q, p) for q, p in group)
        found = [first_hit_rank(q, p) for q, p in group if has_evidence(q)]
        hits5 = sum(1 for r in found if r is not None and r <= MISS_RANK)
        rows.append(
            [
                qtype,
                str(len(group)),
                "—" if correct is None else str(correct),
                "—" if correct is None else _fmt(correct / len(group), "ratio"),
                _fmt(hits5 / len(found), "ratio") if found else "—",
            ]
        )
    return rows


def render_markdown(
    title: str,
    pairs: list[tuple[Question, Prediction]],
    metrics: Mapping[str, Any],
    plots: Sequence[tuple[str, str]],
    errors: Mapping[str, str] | None = None,
) -> str:
    retrieval_only = bool(metrics.get("retrieval_only"))
    mode = "chỉ truy hồi (retrieval-only)" if retrieval_only else "đầy đủ (hỏi – đáp)"
    lines = [f"# {title or 'Kết quả đánh giá'}", ""]
    if metrics.get("label"):
        lines += [f"Nhãn lượt chạy: `{metrics['label']}`  "]
    lines += [
        f"Chế độ: {mode}. Số câu hỏi: {metrics['n']} "
        f"({metrics['n_answerable']} có đáp án, "
        f"{metrics['n_unanswerable']} không có đáp án).",
        "",
        "## Chỉ số chính",
        "",
    ]
    lines += _table(
        ["Chỉ số", "Giá trị"],
        [
            [label, _fmt(metrics.get(key), kind)]
            for key, label, kind in _HEADLINE
            if not (retrieval_only and metrics.get(key) is None)
        ],
    )
    lines += ["", "## Biểu đồ", ""]
    lines += [f"![{alt}]({name})\n" for name, alt in plots]
    lines += ["## Theo loại câu hỏi", ""]
    lines += _table(["Loại", "Số câu", "Đúng", "Độ chính xác", "recall@5"], _per_type_rows(pairs, retrieval_only))
    if not retrieval_only:
        for group, name in (("accuracy_by_difficulty", "Theo độ khó"), ("accuracy_by_doc", "Theo tài liệu")):
            lines += ["", f"## {name}", ""]
            lines += _table(["Nhóm", "Độ chính xác"], [[k, _fmt(v, "ratio")] for k, v in metrics[group].items()])
        wrong = [(q, p) for q, p in pairs if not is_correct(q, p)]
        lines += ["", f"## Câu trả lời sai ({len(wrong)})", ""]
        rows = [
            [
                q.id,
                q.type,
                q.question,
                q.answer or "(không có trong tài liệu: phải từ chối)",
                ("(từ chối trả lời) " if p.abstained else "") + p.answer,
                _rank_text(first_hit_rank(q, p), q),
            ]
            for q, p in wrong
        ]
        lines += (
            _table(["id", "Loại", "Câu hỏi", "Đáp án đúng", "Câu trả lời", "Bằng chứng trong top 5"], rows)
            if rows
            else ["Không có câu sai."]
        )
    else:
        misses = [(q, p, first_hit_rank(q, p)) for q, p in pairs if has_evidence(q)]
        misses = [(q, p, r) for q, p, r in misses if r is None or r > MISS_RANK]
        lines += ["", f"## Truy hồi trượt: bằng chứng không nằm trong top {MISS_RANK} ({len(misses)})", ""]
        rows = [
            [q.id, q.type, q.question, q.evidence[0], "ngoài top 10" if r is None else str(r)] for q, p, r in misses
        ]
        lines += (
            _table(["id", "Loại", "Câu hỏi", "Bằng chứng", "Hạng đầu tiên"], rows)
            if rows
            else ["Không có câu nào trượt."]
        )
    if errors:
        lines += ["", f"## Lỗi khi chạy ({len(errors)})", ""]
        lines += _table(["id", "Lỗi"], [[k, v] for k, v in errors.items()])
    return "\n".join(lines) + "\n"


def write_report(
    out_dir: str | Path,
    questions: Sequence[Question],
    predictions: Sequence[Prediction],
    metrics: Mapping[str, Any],
    title: str,
    *,
    errors: Mapping[str, str] | None = None,
) -> Path:
    """Write metrics.json, report.md and the plots into ``out_dir``; returns report.md's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pairs = pair_up(questions, predictions)
    (out / "metrics.json").write_text(json.dumps(dict(metrics), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    plots: list[tuple[str, str]] = []
    if metrics.get("retrieval_only"):
        (out / ACCURACY_PLOT).unlink(missing_ok=True)  # stale plot from an earlier full run
    else:
        plot_accuracy_by_type(metrics, out / ACCURACY_PLOT)
        plots.append((ACCURACY_PLOT, "Độ chính xác theo loại"))
    curve = recall_curve(questions, predictions)
    if curve:
        plot_recall_curve(curve, out / RECALL_PLOT)
        plots.append((RECALL_PLOT, "recall@k"))
    else:
        (out / RECALL_PLOT).unlink(missing_ok=True)
    what = "truy hồi" if metrics.get("retrieval_only") else "trả lời"
    plot_latency([p.latency_ms for _, p in pairs], out / LATENCY_PLOT, what)
    plots.append((LATENCY_PLOT, f"Thời gian {what}"))
    report = out / "report.md"
    report.write_text(render_markdown(title, pairs, metrics, plots, errors), encoding="utf-8")
    return report
