"""How the search indexes scale: 10^4 … 10^6 synthetic passages (see benchmarks/synthetic.py).

    python -m benchmarks.scale prepare --sizes 10000 100000 1000000   # corpus, BM25, vectors, truth
    python -m benchmarks.scale run --sizes 10000 100000 1000000       # every measurement, one process each
    python -m benchmarks.scale report                                 # docs/scaling-*.png, a Markdown table

Data goes to ``$ASSISTANT_BENCH_DIR`` (default ``/tmp/assistant-scale``), never into the repository.
Needs the real index built first (``assistant index``: the real passage embeddings come from its
cache) and embeds the dev questions and a calibration sample with the bundled model once.

Each measurement runs in its own process, so its resident memory (RSS, from /proc) is its own:
``build`` makes an index and writes it; ``serve`` loads it as the product would and times
searches with the 385 dev questions (one untimed pass, then ``--rounds`` timed passes).
Dense recall@10 is the overlap of the first 10 of a 200-candidate search (what the retriever
asks for) with the exact top 10.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time

import numpy as np

from benchmarks.scale_data import DATA, REPO, _synth, _table, prepare_common, prepare_size, rss_mb

SIZES = (10_000, 100_000, 1_000_000)
KINDS = ("flat", "ivf", "ivf-sq8", "hnsw-sq8", "hnsw", "ivf-pq")
CANDIDATES = 200


def percentiles(ms: list[float]) -> dict[str, float]:
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)), "n": len(ms)}


# --- dense ---------------------------------------------------------------------------
def dense_build(n: int, kind: str) -> dict:
    from assistant.retrieval.vector import FaissVectorIndex

    d = DATA / str(n)
    synth = _synth()
    table = _table(synth, n)
    vectors = np.load(d / "vectors.npy", mmap_mode="r")
    t0 = time.perf_counter()
    index = FaissVectorIndex.build(table.ids, np.asarray(vectors), table, kind)
    seconds = time.perf_counter() - t0
    out = d / f"dense-{kind}"
    out.mkdir(exist_ok=True)
    index.save(out)
    return {"build_s": seconds, "disk_mb": sum(f.stat().st_size for f in out.iterdir()) / 2**20}


def dense_serve(n: int, kind: str, rounds: int) -> dict:
    from assistant.filters import Filters, Where
    from assistant.retrieval.vector import FaissVectorIndex

    d = DATA / str(n)
    synth = _synth()
    table = _table(synth, n)
    queries = np.load(DATA / "common.npz")["queries"]
    truth = np.load(d / "truth.npy")
    gc.collect()
    before = rss_mb()
    index = FaissVectorIndex.load(d / f"dense-{kind}", table)
    loaded = rss_mb()
    found = [index.search(q, CANDIDATES) for q in queries]  # warm
    ms, cpu = [], []
    for _ in range(rounds):
        for q in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            index.search(q, CANDIDATES)
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
    row = table.row_of
    recall = np.mean([len({row[c] for c, _ in f[:10]} & set(t.tolist())) / 10 for f, t in zip(found, truth)])
    # A filter to one province (about 1/63 of the copies), checked against exact filtered search.
    province = synth.passage(n - 1).province
    where = Where(filters=Filters.of(province=province))
    mask = table.mask(where)
    allowed = np.flatnonzero(mask)
    vectors = np.load(d / "vectors.npy", mmap_mode="r")
    sub = np.asarray(vectors[allowed])
    fms, frec = [], []
    for q in queries[:50]:
        t0 = time.perf_counter()
        got = index.search(q, CANDIDATES, where)
        fms.append((time.perf_counter() - t0) * 1000)
        exact = set(allowed[np.argsort(-(sub @ q), kind="stable")[:10]].tolist())
        frec.append(len({row[c] for c, _ in got[:10]} & exact) / 10)
    # Removal and re-adding keep working at this size.
    gone = table.ids[:: max(n // 1000, 1)][:1000]
    t0 = time.perf_counter()
    removed = index.remove(gone)
    remove_ms = (time.perf_counter() - t0) * 1000
    still = sum(c in set(gone) for c, _ in index.search(queries[0], CANDIDATES))
    t0 = time.perf_counter()
    index.add(gone, np.asarray(vectors[[row[c] for c in gone]]))
    add_ms = (time.perf_counter() - t0) * 1000
    return {
        "latency_ms": percentiles(ms),
        "cpu_ms": percentiles(cpu),
        "recall@10": float(recall),
        "memory_mb": loaded["VmRSS"] - before["VmRSS"],
        "rss_after_queries_mb": rss_mb()["VmRSS"] - before["VmRSS"],
        "filtered": {"province": province, "rows": int(mask.sum()), **percentiles(fms), "recall@10": np.mean(frec)},
        "remove_1000_ms": remove_ms,
        "removed": removed,
        "removed_found_after": still,
        "add_1000_ms": add_ms,
        "vectors_after": len(index),
    }


def dense_sweep(n: int, kind: str) -> dict:
    """Recall@10 and p50 against the search parameter: nprobe (IVF) or efSearch (HNSW)."""
    from assistant.retrieval.vector import FaissVectorIndex

    d = DATA / str(n)
    table = _table(_synth(), n)
    queries = np.load(DATA / "common.npz")["queries"][:150]
    truth = np.load(d / "truth.npy")[:150]
    index = FaissVectorIndex.load(d / f"dense-{kind}", table)
    vectors = np.load(d / "vectors.npy", mmap_mode="r")
    out = {}
    for value in (32, 64, 128, 256) if kind.startswith("ivf") else (128, 256, 512, 1024):
        if kind.startswith("ivf"):
            index.nprobe = value
        else:
            index.ef_search = value
        found = [index.search(q, CANDIDATES) for q in queries]
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            index.search(q, CANDIDATES)
            ms.append((time.perf_counter() - t0) * 1000)
        recall = np.mean(
            [len({table.row_of[c] for c, _ in f[:10]} & set(t.tolist())) / 10 for f, t in zip(found, truth)]
        )
        # Misses that are ties: a returned passage scoring within 0.001 of the exact 10th score.
        tied = []
        for q, f, t in zip(queries, found, truth):
            tenth = float(np.min(np.asarray(vectors[np.sort(t)]) @ q))
            got = np.asarray(vectors[np.sort([table.row_of[c] for c, _ in f[:10]])]) @ q
            tied.append(float(np.mean(got >= tenth - 1e-3)))
        out[str(value)] = {"recall@10": float(recall), "within_0.001@10": float(np.mean(tied)), **percentiles(ms)}
    return out


# --- lexical and hybrid ------------------------------------------------------------------
def lexical_serve(n: int, rounds: int, kind: str) -> dict:
    from assistant.filters import Filters, Where
    from assistant.retrieval import fusion
    from assistant.retrieval.lexical import BM25Index
    from assistant.retrieval.vector import FaissVectorIndex
    from assistant.vietnamese.tokens import Tokenizer

    d = DATA / str(n)
    synth = _synth()
    table = _table(synth, n)
    common = np.load(DATA / "common.npz")
    tokenizer = Tokenizer()
    tokens = [tokenizer(str(q)) for q in common["questions"]]
    gc.collect()
    before = rss_mb()
    lexical = BM25Index.load(d, table)
    loaded = rss_mb()
    for t in tokens:
        lexical.search(t, CANDIDATES)
    ms, cpu = [], []
    for _ in range(rounds):
        for t in tokens:
            t0, c0 = time.perf_counter(), time.thread_time()
            lexical.search(t, CANDIDATES)
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.thread_time() - c0) * 1000)
    after_lexical = rss_mb()
    report = {
        "lexical_ms": percentiles(ms),
        "lexical_cpu_ms": percentiles(cpu),
        "lexical_memory_mb": loaded["VmRSS"] - before["VmRSS"],
        "lexical_rss_after_queries_mb": after_lexical["VmRSS"] - before["VmRSS"],
        "lexical_rss_file_mb": after_lexical["RssFile"] - before["RssFile"],
    }
    sample = tokens[:60]
    exhaustive, same, at10, at200 = [], 0, [], []
    prune_from, lexical.prune_from = lexical.prune_from, 10**18
    for t in sample:
        c0 = time.thread_time()
        full = lexical.search(t, CANDIDATES)
        exhaustive.append((time.thread_time() - c0) * 1000)
        lexical.prune_from = prune_from
        pruned = lexical.search(t, CANDIDATES)
        lexical.prune_from = 10**18
        same += full == pruned
        at10.append(len({c for c, _ in full[:10]} & {c for c, _ in pruned[:10]}) / max(min(10, len(full)), 1))
        at200.append(len(set(full) & set(pruned)) / max(len(full), 1))
    lexical.prune_from = prune_from
    report["lexical_exhaustive_cpu_ms"] = percentiles(exhaustive)
    report["lexical_pruned_equals_exhaustive"] = f"{same}/{len(sample)}"
    report["lexical_pruned_overlap@10"] = float(np.mean(at10))
    report["lexical_pruned_overlap@200"] = float(np.mean(at200))
    hidden = synth.passage(n - 1).document
    where_views = {
        "restricted (one document hidden)": Where(visible=frozenset(table.document_names) - {hidden}),
        "province filter": Where(filters=Filters.of(province=synth.passage(n - 1).province)),
    }
    for name, where in where_views.items():
        vms = []
        for t in tokens[:60]:
            c0 = time.thread_time()
            lexical.search(t, CANDIDATES, where)
            vms.append((time.thread_time() - c0) * 1000)
        report[f"lexical {name} cpu"] = percentiles(vms)
    # Hybrid: both sides and the fusion, after the query embedding (what a request adds to it).
    vectors = FaissVectorIndex.load(d / f"dense-{kind}", table)
    queries = common["queries"]
    hms, hcpu = [], []
    for _ in range(rounds):
        for q, t in zip(queries, tokens):
            t0, c0 = time.perf_counter(), time.thread_time()
            fusion.weighted(vectors.search(q, CANDIDATES), lexical.search(t, CANDIDATES), dense_weight=0.3, pool=50)
            hms.append((time.perf_counter() - t0) * 1000)
            hcpu.append((time.thread_time() - c0) * 1000)
    end = rss_mb()
    report["hybrid_kind"] = kind
    report["hybrid_ms"] = percentiles(hms)
    report["hybrid_cpu_ms"] = percentiles(hcpu)
    report["search_indexes_rss_mb"] = end["VmRSS"] - before["VmRSS"]
    report["search_indexes_rss_anon_mb"] = end["RssAnon"] - before["RssAnon"]
    report["search_indexes_rss_file_mb"] = end["RssFile"] - before["RssFile"]
    report["table_and_process_rss_mb"] = before["VmRSS"]
    return report


# --- driver ------------------------------------------------------------------------------
def _child(args: list[str]) -> dict:
    """Runs one measurement in a fresh process and returns its JSON report. Searches run on one
    thread (a worker answers one request per core); builds use every core."""
    cmd = [sys.executable, "-m", "benchmarks.scale", "_one", *args]
    env = dict(os.environ)
    if "serve" in args[0]:
        env["OMP_NUM_THREADS"] = "1"
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env)
    if done.returncode:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes: list[int], kinds: list[str], rounds: int, hybrid: str, reserve: bool = False) -> None:
    results_path = DATA / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    for n in sizes:
        key = str(n)
        results.setdefault(key, {"prepare": {}, "dense": {}})
        prep = DATA / key / "prepare.json"
        results[key]["prepare"] = json.loads(prep.read_text()) if prep.is_file() else {}
        for kind in kinds:
            old = results[key]["dense"].get(kind, {})
            if old and "error" not in old and not reserve:
                continue
            print(f"{n} {kind}: build", flush=True)
            if reserve and (DATA / key / f"dense-{kind}").is_dir() and "build_s" in old:
                built = {k: old[k] for k in ("build_s", "disk_mb")}  # measured when it was built
            else:
                built = _child(["dense_build", key, kind])
            print(f"{n} {kind}: serve {built}", flush=True)
            served = _child(["dense_serve", key, kind, str(rounds)]) if "error" not in built else {}
            results[key]["dense"][kind] = {**built, **served, **({"sweep": old["sweep"]} if "sweep" in old else {})}
            results_path.write_text(json.dumps(results, indent=1))
        print(f"{n}: lexical + hybrid", flush=True)
        results[key]["lexical"] = _child(["lexical_serve", key, str(rounds), hybrid])
        results_path.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_one":
        what, n = argv[1], int(argv[2])
        if what == "dense_build":
            out = dense_build(n, argv[3])
        elif what == "dense_serve":
            out = dense_serve(n, argv[3], int(argv[4]))
        elif what == "dense_sweep_serve":
            out = dense_sweep(n, argv[3])
        elif what == "lexical_serve":
            out = lexical_serve(n, int(argv[3]), argv[4])
        else:
            out = prepare_size(n)
        print(json.dumps(out, default=float))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "run", "sweep", "report"])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--kinds", nargs="+", default=list(KINDS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--reserve", action="store_true", help="measure serving again for indexes already built")
    parser.add_argument("--hybrid", default="ivf-sq8", help="vector index type of the hybrid measurement")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare_common()
        for n in args.sizes:
            print(n, _child(["prepare", str(n)]), flush=True)
    elif args.command == "run":
        run(args.sizes, args.kinds, args.rounds, args.hybrid, args.reserve)
    elif args.command == "sweep":
        path = DATA / "results.json"
        for n in args.sizes:
            for kind in args.kinds:
                swept = _child(["dense_sweep_serve", str(n), kind])
                print(n, kind, json.dumps(swept), flush=True)
                results = json.loads(path.read_text())
                entry = results.setdefault(str(n), {"prepare": {}, "dense": {}})
                entry["dense"].setdefault(kind, {})["sweep"] = swept
                path.write_text(json.dumps(results, indent=1))
    else:
        from benchmarks.scale_report import report

        report(DATA / "results.json", REPO / "docs")


if __name__ == "__main__":
    main()
