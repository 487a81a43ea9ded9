"""The dev set answered through the Qdrant backend (embedded mode), beside the built-in one.

    python -m benchmarks.qdrant_eval --out /tmp/qdrant-dev [--baseline /tmp/builtin-dev]

Copies ``documents/`` and the repository's embedding cache into a temp data dir (nothing is
embedded again), runs ``assistant index`` with ``ASSISTANT_BACKEND=qdrant``, then the dev set.
The pipeline opens the Qdrant collection itself (``load_snapshot`` goes through
``assistant.indexing.backends.open_indexes``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("/tmp/qdrant-dev"))
    parser.add_argument("--baseline", type=Path, help="a built-in run's output dir, to print both metrics")
    args = parser.parse_args()

    from assistant.evaluation.dataset import load_questions
    from assistant.evaluation.runner import run_eval
    from assistant.indexing.builder import build_index
    from assistant.pipeline import Pipeline
    from assistant.retrieval.embeddings import make_embedder
    from assistant.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="qdrant-eval-"))
    shutil.copytree(REPO / "documents", root / "documents")
    if (REPO / "index" / "cache").is_dir():
        shutil.copytree(REPO / "index" / "cache", root / "index" / "cache")
    settings = Settings(data_dir=root, backend="qdrant", _env_file=None)
    embedder = make_embedder(settings)
    t0 = time.perf_counter()
    report = build_index(settings, embedder, progress=False)
    print(f"index: {report.chunks} chunks, {report.embedded} embedded, {time.perf_counter() - t0:.1f} s")

    pipeline = Pipeline(settings, embedder)
    questions = load_questions(REPO / "eval" / "datasets" / "dev.jsonl")
    result = run_eval(questions, pipeline, args.out, label="dev (qdrant)")
    keys = ("accuracy", "recall@5", "mrr@10", "latency_p50_ms")
    print("qdrant  ", {k: result.metrics.get(k) for k in keys})
    if args.baseline:
        base = json.loads((args.baseline / "metrics.json").read_text())
        print("builtin ", {k: base.get(k) for k in keys})
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
