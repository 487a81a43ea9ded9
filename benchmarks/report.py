"""The results of a run as a Markdown table and plots, written into docs/benchmarks.md.

Only the part between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` is generated; the
rest of the page (method, profiles, findings) is written by hand and kept.
"""

from __future__ import annotations

import statistics
from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SYSTEMS = ("assistant", "recipe")
BUSY = 0.10  # another process took more than this share of the machine: flagged

#: Targets of issue 12, measured against the recipe in the same run.
COLD_BUILD_RATIO = 0.8
ASK_P50_MS = 10.0


def values(results: dict, system: str, path: tuple[str, ...]) -> list[float]:
    """One figure of every repetition of ``system`` (missing ones left out)."""
    out = []
    for rep in results["reps"]:
        node = rep.get(system)
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, (int, float)):
            out.append(float(node))
    return out


def spread(xs: list[float], fmt: str) -> str:
    """Median, and min–max when there is more than one value."""
    if not xs:
        return "—"
    med = format(statistics.median(xs), fmt)
    if len(xs) == 1:
        return med
    return f"{med} ({format(min(xs), fmt)}–{format(max(xs), fmt)})"


def paired_ratio(results: dict, path: tuple[str, ...]) -> list[float]:
    """assistant / recipe for each repetition (the two were measured back to back)."""
    ratios = []
    for rep in results["reps"]:
        a, r = rep.get("assistant"), rep.get("recipe")
        for key in path:
            a = a.get(key) if isinstance(a, dict) else None
            r = r.get(key) if isinstance(r, dict) else None
        if isinstance(a, (int, float)) and isinstance(r, (int, float)) and r:
            ratios.append(a / r)
    return ratios


def _row(label: str, results: dict, path: tuple[str, ...], fmt: str, unit: str = "", ratio: bool = True) -> str:
    cells = [
        spread(values(results, s, path), fmt) + (f" {unit}" if unit and values(results, s, path) else "")
        for s in SYSTEMS
    ]
    r = spread(paired_ratio(results, path), ".2f") if ratio else ""
    return f"| {label} | {cells[0]} | {cells[1]} | {r} |"


def targets(results: dict) -> list[tuple[str, str, bool | None]]:
    cold = paired_ratio(results, ("build", "cold", "seconds"))
    rows = []
    if cold:
        worst = max(cold)
        rows.append(
            (
                f"cold build ≤ {COLD_BUILD_RATIO}× the recipe's",
                f"{spread(cold, '.2f')}× (worst repetition {worst:.2f}×)",
                worst <= COLD_BUILD_RATIO,
            )
        )
    for key, label in (("ask_first", "first-time questions"), ("ask_repeat", "repeated questions")):
        p50 = values(results, "assistant", ("serve", key, "p50"))
        if p50:
            rows.append(
                (f"ask p50 ≤ {ASK_P50_MS:.0f} ms warm, {label}", f"{spread(p50, '.1f')} ms", max(p50) <= ASK_P50_MS)
            )
    quality = [values(results, s, ("serve", "quality", "recall@5")) for s in SYSTEMS]
    if all(quality):
        rows.append(
            (
                "retrieval quality kept (recall@5 ≥ the recipe's)",
                f"{quality[0][0]:.3f} vs {quality[1][0]:.3f}",
                quality[0][0] >= quality[1][0],
            )
        )
    rows.append(("≥ 60 ask/s through the API with 32 clients", "not measured: no HTTP API yet (see below)", None))
    return rows


def busy_phases(results: dict) -> list[str]:
    flagged = []
    phases = {
        ("build", "cold"): "cold build",
        ("build", "unchanged"): "rebuild unchanged",
        ("build", "one_changed"): "rebuild one changed",
        ("serve", "ask_first"): "ask (first)",
        ("serve", "search_first"): "search (first)",
        ("serve", "ask_repeat"): "ask/search (repeated)",
    }
    for i, rep in enumerate(results["reps"], start=1):
        for system in SYSTEMS:
            for path, label in phases.items():
                node = rep.get(system, {}).get(path[0], {}).get(path[1], {})
                share = node.get("other_cpu_share") if isinstance(node, dict) else None
                if share is not None and share > BUSY:
                    flagged.append(f"rep {i} {system} {label} ({share:.0%})")
    return flagged


def markdown(results: dict, plots: dict[str, str]) -> str:
    meta = results["meta"]
    m = meta["machine"]
    q = ("serve", "quality")
    nd = ("serve", "quality_without_diacritics")
    lines = [
        f"**Run:** {meta['started']} – {meta['finished']} (machine clock), commit `{meta['commit']}`, "
        f"`{meta['command']}`: {meta['reps']} repetition(s), the two systems alternating "
        f"({' '.join(meta['order'])}); latency over {meta['latency_questions']} questions × {meta['rounds']} "
        "round(s) for repeated questions.",
        "",
        f"**Machine:** {m['nproc']} CPU ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}; "
        f"load average at the start {meta['loadavg_start']}, at the end {meta['loadavg_end']}. "
        "Cells: median (min–max over the repetitions); ratio: assistant ÷ recipe per repetition "
        "(below 1: the assistant is faster or smaller).",
        "",
        "| | assistant | recipe | ratio |",
        "|---|---|---|---|",
        _row("cold build (s), model load included", results, ("build", "cold", "seconds"), ".1f"),
        _row("  passages embedded", results, ("build", "cold", "texts"), ".0f", ratio=True),
        _row("  tokens embedded", results, ("build", "cold", "tokens"), ",.0f"),
        _row("  CPU time of the cold build (s)", results, ("build", "cold", "cpu_seconds"), ".1f"),
        _row("rebuild, nothing changed (s)", results, ("build", "unchanged", "seconds"), ".2f"),
        _row("rebuild, one document changed (s)", results, ("build", "one_changed", "seconds"), ".2f"),
        _row("search p50, first-time question (ms)", results, ("serve", "search_first", "p50"), ".1f"),
        _row("search p95, first-time question (ms)", results, ("serve", "search_first", "p95"), ".1f"),
        _row("search p50, repeated question (ms)", results, ("serve", "search_repeat", "p50"), ".1f"),
        _row("ask p50, first-time question (ms)", results, ("serve", "ask_first", "p50"), ".1f"),
        _row("ask p95, first-time question (ms)", results, ("serve", "ask_first", "p95"), ".1f"),
        _row("ask p50, repeated question (ms)", results, ("serve", "ask_repeat", "p50"), ".1f"),
        _row("ask p95, repeated question (ms)", results, ("serve", "ask_repeat", "p95"), ".1f"),
        _row("load + warm-up (s)", results, ("serve", "load", "seconds"), ".2f"),
        _row("peak RSS, serving (MB)", results, ("serve", "peak_rss_mb"), ".0f"),
        _row("peak RSS, building (MB)", results, ("build", "peak_rss_mb"), ".0f"),
        _row("recall@5", results, (*q, "recall@5"), ".3f"),
        _row("MRR@10", results, (*q, "mrr@10"), ".3f"),
        _row("accuracy (answers)", results, (*q, "accuracy"), ".3f"),
        _row(
            f"recall@5, questions typed without diacritics (n = {_first(results, (*nd, 'n_with_evidence'))})",
            results,
            (*nd, "recall@5"),
            ".3f",
        ),
        "| API throughput, 32 clients (ask/s) | *not measured yet* | — | |",
        "",
    ]
    lines += [
        "The recipe has no change detection: its rebuilds re-split and re-embed everything, so they "
        + ("were not run (`--quick`)." if meta.get("quick") else "ran in the first repetition only."),
        "",
    ]
    lines += ["**Targets (issue 12)**", "", "| target | measured | met |", "|---|---|---|"]
    for name, measured, ok in targets(results):
        lines.append(f"| {name} | {measured} | {'—' if ok is None else ('yes' if ok else 'no')} |")
    busy = busy_phases(results)
    lines += [""]
    if busy:
        lines += [
            f"**Shared machine:** other processes used more than {BUSY:.0%} of the CPU during: "
            + "; ".join(busy)
            + ". Those timings are inflated; the ratios, measured back to back, are steadier.",
            "",
        ]
    for name, path in plots.items():
        lines.append(f"![{name}]({path})")
    return "\n".join(lines).rstrip() + "\n"


def _first(results: dict, path: tuple[str, ...]) -> str:
    xs = values(results, "assistant", path)
    return f"{xs[0]:.0f}" if xs else "?"


def write_doc(doc: Path, section: str, begin: str = BEGIN, end: str = END) -> None:
    """Replace the generated section of ``doc`` (or append one), keeping the hand-written rest."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{begin}\n{section}{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def plot(results: dict, out_dir: Path, prefix: str = "bench") -> dict[str, str]:
    """PNG plots beside the doc; returns {title: file name}."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = {"assistant": "#1f77b4", "recipe": "#ff7f0e"}
    made: dict[str, str] = {}

    # build times
    phases = [("cold", "cold"), ("unchanged", "nothing changed"), ("one_changed", "one document changed")]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.38
    for j, system in enumerate(SYSTEMS):
        for i, (key, _) in enumerate(phases):
            xs = values(results, system, ("build", key, "seconds"))
            if not xs:
                continue
            x = i + (j - 0.5) * width
            ax.bar(x, statistics.median(xs), width, color=colors[system], label=system if i == 0 else None)
            ax.scatter([x] * len(xs), xs, color="black", s=10, zorder=3)
    ax.set_xticks(range(len(phases)), [label for _, label in phases])
    ax.set_ylabel("seconds (bar: median, dots: repetitions)")
    ax.set_title("Index build")
    ax.legend()
    fig.tight_layout()
    made["Index build times"] = _save(fig, out_dir, f"{prefix}-build.png")

    # latency distributions
    kinds = [
        ("search_first", "search\nfirst-time"),
        ("search_repeat", "search\nrepeated"),
        ("ask_first", "ask\nfirst-time"),
        ("ask_repeat", "ask\nrepeated"),
    ]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for j, system in enumerate(SYSTEMS):
        data, pos = [], []
        for i, (key, _) in enumerate(kinds):
            samples = [
                s
                for rep in results["reps"]
                for s in rep.get(system, {}).get("serve", {}).get(key, {}).get("samples", [])
            ]
            if samples:
                data.append(samples)
                pos.append(i + (j - 0.5) * width)
        if data:
            parts = ax.boxplot(data, positions=pos, widths=width * 0.9, showfliers=False, patch_artist=True)
            for box in parts["boxes"]:
                box.set_facecolor(colors[system])
            ax.plot([], [], color=colors[system], linewidth=8, label=system)
    ax.axhline(ASK_P50_MS, color="grey", linestyle="--", linewidth=1, label=f"{ASK_P50_MS:.0f} ms target (ask p50)")
    ax.set_xticks(range(len(kinds)), [label for _, label in kinds])
    ax.set_yscale("log")
    ax.set_ylabel("ms (log; box: p25–p75, whiskers 1.5 IQR)")
    ax.set_title("Warm latency per question")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    made["Latency"] = _save(fig, out_dir, f"{prefix}-latency.png")

    # quality
    metrics = [
        (("quality", "recall@5"), "recall@5"),
        (("quality", "mrr@10"), "MRR@10"),
        (("quality", "accuracy"), "accuracy"),
        (("quality_without_diacritics", "recall@5"), "recall@5\nno diacritics"),
    ]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    for j, system in enumerate(SYSTEMS):
        for i, (path, _) in enumerate(metrics):
            xs = values(results, system, ("serve", *path))
            if xs:
                ax.bar(i + (j - 0.5) * width, xs[0], width, color=colors[system], label=system if i == 0 else None)
                ax.text(i + (j - 0.5) * width, xs[0] + 0.01, f"{xs[0]:.2f}", ha="center", fontsize=8)
    ax.set_xticks(range(len(metrics)), [label for _, label in metrics])
    ax.set_ylim(0, 1.1)
    ax.set_title("Quality on the dev set (385 questions)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    made["Quality"] = _save(fig, out_dir, f"{prefix}-quality.png")
    return made


def _save(fig, out_dir: Path, name: str) -> str:
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_dir / name, dpi=110)
    plt.close(fig)
    return name
