"""The cells of the benchmark table: one figure over the repetitions, its spread, paired ratios."""

from __future__ import annotations

import statistics

SYSTEMS = ("assistant", "recipe")


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


def row(label: str, results: dict, path: tuple[str, ...], fmt: str, unit: str = "", ratio: bool = True) -> str:
    cells = [
        spread(values(results, s, path), fmt) + (f" {unit}" if unit and values(results, s, path) else "")
        for s in SYSTEMS
    ]
    r = spread(paired_ratio(results, path), ".2f") if ratio else ""
    return f"| {label} | {cells[0]} | {cells[1]} | {r} |"
