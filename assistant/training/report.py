"""The training report: cross-validated and leave-one-document-out figures, calibration, and how
often every vocabulary, hard-fact pattern and feature fires (a rule that fires on one question is
a defect)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assistant.answering import vocabulary as vocab
from assistant.training.evaluate import Outcome, calibration_table
from assistant.training.signals import FACTS, PRESENT

_TYPES = ("number", "percent", "computed", "date", "entity", "list", "text", "unanswerable")


def firing(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Questions on which each vocabulary, pattern and feature fires (any candidate / the chosen one)."""
    counts: dict[str, Counter] = {
        "vocabularies": Counter(dict.fromkeys(vocab.VOCABULARIES, 0)),
        "hard facts": Counter(dict.fromkeys(FACTS, 0)),
        "features (any candidate)": Counter(),
        "features (chosen candidate)": Counter(),
    }
    for o in outcomes:
        for title, names in o.fired.items():
            if title == PRESENT:
                counts["features (chosen candidate)"].update(dict.fromkeys(names, 0))
            else:
                counts[title].update(names)
    return {title: dict(c) for title, c in counts.items()}


def _row(name: str, m: dict) -> str:
    by = m.get("accuracy_by_type", {})
    cells = [f"{m.get('accuracy', 0):.3f}"] + [f"{by.get(t, 0):.2f}" if t in by else "–" for t in _TYPES]
    cells += [f"{m.get('false_abstention', 0):.3f}", f"{m.get('citation_recall', 0):.3f}"]
    return f"| {name} | " + " | ".join(cells) + " |"


def write_report(out: Path, summary: dict, cv: list[Outcome], fired: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    head = "| | accuracy | " + " | ".join(_TYPES) + " | false abst. | citation recall |"
    lines = [
        "# Huấn luyện bộ trả lời",
        "",
        f"{summary['questions']} câu hỏi từ {', '.join(summary['sets'])}"
        f" (thêm {summary.get('read_without_similarities', 0)} câu đọc lại không có độ tương đồng nhúng, chỉ để học)."
        " Ngưỡng từ chối "
        f"{summary['threshold']:.4f} (chọn bằng kiểm định chéo: độ chính xác cao nhất với tỷ lệ từ chối "
        "nhầm ≤ 3%). Lệnh: `assistant train`.",
        "",
        head,
        "|" + "---|" * (len(_TYPES) + 4),
        _row(f"kiểm định chéo {summary['folds']} phần, theo sự kiện", summary["cross_validation"]),
    ]
    if summary.get("leave_one_document_out"):
        lines.append(_row("bỏ một tài liệu", summary["leave_one_document_out"]))
        for doc, m in summary.get("leave_one_document_out_by_document", {}).items():
            lines.append(_row(f"— {doc}", m))
    lines += [
        "",
        "## Hiệu chỉnh xác suất (kiểm định chéo)",
        "",
        "| xác suất dự đoán | tỷ lệ đúng | số câu |",
        "|---|---|---|",
    ]
    lines += [f"| {p:.2f} | {r:.2f} | {n} |" for p, r, n in calibration_table(cv)]
    lines += [
        "",
        "## Câu sai: thiếu ứng viên đúng hay chọn sai (kiểm định chéo)",
        "",
        "Chỉ tính câu hỏi có đáp án. Ứng viên đúng: một con số, phép tính hoặc câu mà nhãn huấn luyện coi là "
        "đúng. «Từ chối» gồm cả khi mọi ứng viên bị loại. Từng câu hỏi: `outcomes.jsonl`.",
        "",
        "| loại | số câu | đúng | sai, không có ứng viên đúng | sai, có ứng viên đúng: trả lời khác | "
        "sai, có ứng viên đúng: từ chối |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {kind} | " + " | ".join(str(n) for n in row) + " |" for kind, row in ceiling(cv, summary["threshold"])
    ]
    for title, counts in fired.items():
        lines += ["", f"## Số câu hỏi mà mỗi mục kích hoạt: {title}", "", "| mục | số câu |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_outcomes(out / "outcomes.jsonl", cv, summary["threshold"])


ALL_ANSWERABLE = "tất cả câu có đáp án"


def ceiling(cv: list[Outcome], threshold: float) -> list[tuple[str, tuple[int, ...]]]:
    """Per answerable type and overall: questions, right, and the wrong ones split by whether a
    right candidate existed and, if it did, whether another answer was given or none."""
    rows = []
    for kind in [*_TYPES[:-1], ALL_ANSWERABLE]:
        mine = [o for o in cv if o.answerable and kind in (o.gold.type, ALL_ANSWERABLE)]
        if not mine:
            continue
        wrong = [o for o in mine if not o.correct_at(threshold)]
        missing = sum(not o.reachable for o in wrong)
        abstained = sum(o.reachable and not o.answered_at(threshold) for o in wrong)
        counts = (len(mine), len(mine) - len(wrong), missing, len(wrong) - missing - abstained, abstained)
        rows.append((kind, counts))
    return rows


def write_outcomes(path: Path, cv: list[Outcome], threshold: float) -> None:
    """One line per held-out question: whether it was right, answered, reachable, and what was said."""
    with path.open("w", encoding="utf-8") as fh:
        for o in cv:
            row = {
                "id": o.gold.id,
                "type": o.gold.type,
                "doc": o.document,
                "correct": o.correct_at(threshold),
                "answered": o.answered_at(threshold),
                "reachable": o.reachable,
                "best": round(o.best, 4),
                "answer": o.given_at(threshold).answer[:300],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
