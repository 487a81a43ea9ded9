"""Plots (log–log) and Markdown tables from the scale benchmark's results.json."""

from __future__ import annotations

import json
from pathlib import Path


def _get(d: dict, *keys, default=None):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def tables(results: dict) -> str:
    sizes = sorted(results, key=int)
    lines = ["### Dense (FAISS), 200 candidates a search, one thread", ""]
    lines.append(
        "| passages | index | build s | p50 ms | p95 ms | recall@10 | memory MB | province filter p50 ms / recall |"
    )
    lines.append("|---:|---|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        for kind, r in results[n].get("dense", {}).items():
            if "error" in r or "latency_ms" not in r:
                lines.append(f"| {int(n):,} | {kind} | – | – | – | – | – | failed |")
                continue
            f = r["filtered"]
            lines.append(
                f"| {int(n):,} | {kind} | {r['build_s']:.1f} | {r['latency_ms']['p50']:.2f} | "
                f"{r['latency_ms']['p95']:.2f} | {r['recall@10']:.3f} | {r['memory_mb']:.0f} | "
                f"{f['p50']:.2f} / {f['recall@10']:.2f} ({f['rows']:,} rows) |"
            )
    lines += ["", "### Lexical (our BM25, memory-mapped) and hybrid", ""]
    lines.append(
        "| passages | postings | build s | top-200 p50 / p95 ms | exhaustive p50 ms | restricted view p50 ms | "
        "province filter p50 ms | hybrid p50 / p95 ms | search indexes RSS MB (anon + file) |"
    )
    lines.append("|---:|---:|---:|---|---:|---:|---:|---|---|")
    for n in sizes:
        p, lx = results[n].get("prepare", {}), results[n].get("lexical", {})
        if "lexical_ms" not in lx:
            continue
        lines.append(
            f"| {int(n):,} | {p.get('bm25_postings', 0):,} | {p.get('bm25_build_s', 0):.0f} | "
            f"{lx['lexical_ms']['p50']:.2f} / {lx['lexical_ms']['p95']:.2f} | {lx['lexical_exhaustive_ms']['p50']:.1f} | "
            f"{lx['lexical restricted (one document hidden)']['p50']:.1f} | {lx['lexical province filter']['p50']:.1f} | "
            f"{lx['hybrid_ms']['p50']:.2f} / {lx['hybrid_ms']['p95']:.2f} ({lx['hybrid_kind']}) | "
            f"{lx['search_indexes_rss_mb']:.0f} ({lx['search_indexes_rss_anon_mb']:.0f} + "
            f"{lx['search_indexes_rss_file_mb']:.0f}) |"
        )
    return "\n".join(lines)


def plots(results: dict, docs: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results, key=int)
    xs = [int(n) for n in sizes]
    kinds = sorted({k for n in sizes for k in results[n].get("dense", {})})
    out = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kind in kinds:
        pts = [(int(n), _get(results[n], "dense", kind, "latency_ms", "p50")) for n in sizes]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=f"dense {kind}")
    for key, label, style in (
        ("lexical_ms", "BM25 (pruned)", "k-"),
        ("lexical_exhaustive_ms", "BM25 (every posting)", "k:"),
        ("hybrid_ms", "hybrid (both + fusion)", "r-"),
    ):
        pts = [(int(n), _get(results[n], "lexical", key, "p50")) for n in sizes]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            ax.plot(*zip(*pts), style, marker="s", linewidth=2, label=label)
    ax.axhline(10, color="grey", linestyle="--", linewidth=1, label="target: hybrid 10 ms")
    ax.set(xscale="log", yscale="log", xlabel="passages", ylabel="p50 latency, ms (one thread)", xticks=xs)
    ax.set_title("Search latency after the query embedding")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.append(docs / "scaling-latency.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kind in kinds:
        pts = [(int(n), _get(results[n], "dense", kind, "memory_mb")) for n in sizes]
        pts = [(x, max(y, 1)) for x, y in pts if y is not None]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=f"dense {kind}")
    for key, label, style in (
        ("lexical_rss_after_queries_mb", "BM25 resident after queries", "k-"),
        ("search_indexes_rss_mb", "both search indexes (hybrid)", "r-"),
    ):
        pts = [(int(n), _get(results[n], "lexical", key)) for n in sizes]
        pts = [(x, max(y, 1)) for x, y in pts if y is not None]
        if pts:
            ax.plot(*zip(*pts), style, marker="s", linewidth=2, label=label)
    ax.axhline(3072, color="grey", linestyle="--", linewidth=1, label="target: 3 GB")
    ax.set(xscale="log", yscale="log", xlabel="passages", ylabel="resident memory, MB", xticks=xs)
    ax.set_title("Memory of the loaded search indexes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out.append(docs / "scaling-memory.png")
    fig.savefig(out[-1], dpi=110)
    plt.close(fig)
    return out


def report(results_path: Path, docs: Path) -> None:
    results = json.loads(Path(results_path).read_text())
    for p in plots(results, docs):
        print("wrote", p)
    text = tables(results)
    (Path(results_path).parent / "results.md").write_text(text)
    print(text)
