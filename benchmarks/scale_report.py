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


def _p50(d: dict, *keys) -> str:
    for k in keys:
        if isinstance(d.get(k), dict):
            return f"{d[k]['p50']:.2f}"
    return "–"


def tables(results: dict) -> str:
    sizes = sorted(results, key=int)
    lines = ["| passages | index | build s | p50 ms (CPU) | p50 / p95 ms (wall) | recall@10 | memory MB | "
             "disk MB | one province: rows, p50 ms, recall@10 | remove 1,000 ms |",
             "|---:|---|---:|---:|---|---:|---:|---:|---|---:|"]  # fmt: skip
    for n in sizes:
        for kind, r in results[n].get("dense", {}).items():
            if "latency_ms" not in r:
                continue
            f = r["filtered"]
            lines.append(
                f"| {int(n):,} | {kind} | {r['build_s']:.1f} | {_p50(r, 'cpu_ms')} | {r['latency_ms']['p50']:.2f} / "
                f"{r['latency_ms']['p95']:.1f} | {r['recall@10']:.3f} | {r['memory_mb']:.0f} | {r['disk_mb']:.0f} | "
                f"{f['rows']:,}, {f['p50']:.2f}, {f['recall@10']:.2f} | {r['remove_1000_ms']:.1f} |"
            )
    lines += ["", "Recall@10 and wall p50 (ms) against the search parameter (150 questions):", ""]
    lines += ["| passages | index | parameter: recall@10 / p50 ms |", "|---:|---|---|"]
    for n in sizes:
        for kind, r in results[n].get("dense", {}).items():
            if r.get("sweep"):
                name = "nprobe" if kind.startswith("ivf") else "efSearch"
                cells = ", ".join(f"{v}: {x['recall@10']:.3f} / {x['p50']:.1f}" for v, x in r["sweep"].items())
                lines.append(f"| {int(n):,} | {kind} | {name} {cells} |")
    lexical = ["| passages | postings | build s | top-200 p50 ms (CPU) | wall p50 / p95 | every posting, CPU p50 | "
               "same top 200 / top-10 overlap | restricted view CPU p50 | one province CPU p50 | "
               "hybrid p50 ms (CPU) | hybrid wall p50 / p95 | RSS MB: both indexes (anon + file) |",
               "|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---|---|"]  # fmt: skip
    for n in sizes:
        p, lx = results[n].get("prepare", {}), results[n].get("lexical", {})
        if "lexical_ms" not in lx:
            continue
        lexical.append(
            f"| {int(n):,} | {p.get('bm25_postings', 0):,} | {p.get('bm25_build_s', 0):.0f} | "
            f"{_p50(lx, 'lexical_cpu_ms')} | {lx['lexical_ms']['p50']:.1f} / {lx['lexical_ms']['p95']:.1f} | "
            f"{_p50(lx, 'lexical_exhaustive_cpu_ms')} | {lx['lexical_pruned_equals_exhaustive']} / "
            f"{lx.get('lexical_pruned_overlap@10', 1.0):.3f} | "
            f"{_p50(lx, 'lexical restricted (one document hidden) cpu')} | {_p50(lx, 'lexical province filter cpu')} | "
            f"{_p50(lx, 'hybrid_cpu_ms')} ({lx['hybrid_kind']}) | {lx['hybrid_ms']['p50']:.1f} / "
            f"{lx['hybrid_ms']['p95']:.1f} | {lx['search_indexes_rss_mb']:.0f} "
            f"({lx['search_indexes_rss_anon_mb']:.0f} + {lx['search_indexes_rss_file_mb']:.0f}) |"
        )
    return "\n".join(lines) + "\n\n<!-- LEXICAL TABLE -->\n\n" + "\n".join(lexical)


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
        pts = [
            (
                int(n),
                _get(results[n], "dense", kind, "cpu_ms", "p50")
                or _get(results[n], "dense", kind, "latency_ms", "p50"),
            )
            for n in sizes
        ]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            ax.plot(*zip(*pts), marker="o", label=f"dense {kind}")
    for key, label, style in (
        ("lexical_cpu_ms", "BM25 (pruned)", "k-"),
        ("lexical_exhaustive_cpu_ms", "BM25 (every posting)", "k:"),
        ("hybrid_cpu_ms", "hybrid (both + fusion)", "r-"),
    ):
        pts = [(int(n), _get(results[n], "lexical", key, "p50")) for n in sizes]
        pts = [(x, y) for x, y in pts if y]
        if pts:
            ax.plot(*zip(*pts), style, marker="s", linewidth=2, label=label)
    ax.axhline(10, color="grey", linestyle="--", linewidth=1, label="target: hybrid 10 ms")
    ax.set(xscale="log", yscale="log", xlabel="passages", ylabel="p50, ms of CPU (wall where not measured)", xticks=xs)
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
