"""Leave-one-document-out for the shipped answer models' training data, without refitting them.

    python scripts/lodo.py --report eval/reports/training/lodo

``assistant train`` measures leave-one-document-out too, but after its cross-validation and before
its final fit, which takes over two hours on 2 cores; this measures only the five document folds
(train on four documents' questions, answer the fifth's), on the question sets the shipped models
were trained on (their manifest's ``trained_on``; the data's hash is checked), at the shipped
threshold — the figure for a document uploaded tomorrow — and at the threshold leave-one-document-out
itself would choose. Writes ``lodo.json`` and ``lodo.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _f(x, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _row(name: str, m: dict) -> str:
    by = m.get("accuracy_by_type", {})
    types = " / ".join(_f(by.get(t), 2) for t in ("number", "percent", "computed", "unanswerable"))
    return (
        f"| {name} | {m['n']} | {_f(m['accuracy'])} | {types} | {_f(m.get('abstention_unanswerable'))} "
        f"| {_f(m.get('false_abstention'))} | {_f(m.get('citation_recall'))} |"
    )


def shipped_cases(held: set[str] | None = None):
    """The shipped models, the question sets they were trained on, those sets' hash, and every
    question read into a training case; ValueError when the sets changed since the models were
    trained or no question is about a document of ``held``."""
    from assistant.answering.answerer import DefaultAnswerer
    from assistant.answering.learned import Models
    from assistant.pipeline import Pipeline
    from assistant.settings import Settings
    from assistant.training.items import data_digest, load_sets, prepare
    from assistant.training.procedure import read_all

    shipped = Models.load()
    paths = [ROOT / p for p in shipped.manifest["trained_on"]]
    digest = data_digest(paths)
    if digest != shipped.manifest.get("data_sha256"):
        raise ValueError(f"the question sets differ from those the shipped models were trained on ({digest})")
    questions = load_sets(paths)
    unknown = (held or set()) - {q.doc for q in questions}
    if unknown:
        raise ValueError(f"no question is about {', '.join(sorted(unknown))}")
    settings = Settings()
    cases = read_all(prepare(questions, Pipeline(settings), DefaultAnswerer(settings)))
    return shipped, paths, digest, cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=ROOT / "eval" / "reports" / "training" / "lodo")
    parser.add_argument(
        "--documents",
        default="",
        help="hold out only these documents (file names, comma-separated): a fold takes 10-25 min on 2 cores",
    )
    args = parser.parse_args(argv)
    held = {d.strip() for d in args.documents.split(",") if d.strip()} or None

    from assistant.training.evaluate import choose_threshold, leave_one_document_out, metrics_at

    started = time.time()
    try:
        shipped, paths, digest, cases = shipped_cases(held)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print("Bỏ một tài liệu …", file=sys.stderr, flush=True)
    outcomes, lo = leave_one_document_out(
        cases,
        shipped.threshold,
        progress=lambda k: print(f"  tài liệu {k + 1}", file=sys.stderr, flush=True),
        held=held,
    )
    own = choose_threshold(outcomes)
    result = {
        "trained_on": shipped.manifest["trained_on"],
        "data_sha256": digest,
        "questions": len(outcomes),
        "shipped_threshold": shipped.threshold,
        "cross_validation_accuracy": shipped.manifest.get("cross_validation_accuracy"),
        "leave_one_document_out": lo["all"],
        "leave_one_document_out_own_threshold": metrics_at(outcomes, own),
        "by_document": lo["by_document"],
        "held_out": sorted(held) if held else "all",
        "seconds": round(time.time() - started),
    }
    args.report.mkdir(parents=True, exist_ok=True)
    (args.report / "lodo.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lo = result["leave_one_document_out"]
    lines = [
        "# Leave-one-document-out",
        "",
        f"{result['questions']} questions of {len(paths)} sets (data {digest}, the shipped models' own); "
        f"models fitted on four documents' questions answer the fifth's; threshold {shipped.threshold} "
        f"(shipped). Grouped 5-fold cross-validation of the shipped models: "
        f"{result['cross_validation_accuracy']}. Measured in {result['seconds']} s with `python scripts/lodo.py`.",
        "",
        "| held out | n | accuracy | number / percent / computed / unanswerable | unanswerable abstention "
        "| false abstention | citation recall |",
        "|---|---|---|---|---|---|---|",
        _row("all, shipped threshold", lo),
        _row(f"all, own threshold {own}", result["leave_one_document_out_own_threshold"]),
        *(_row(d, m) for d, m in result["by_document"].items()),
    ]
    (args.report / "lodo.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"leave-one-document-out accuracy {lo['accuracy']:.3f} (cross-validation {result['cross_validation_accuracy']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
