"""Comparing two runs' metrics side by side (b relative to a)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.errors import DatasetError

Number = int | float
MetricRow = tuple[str, Number | None, Number | None, Number | None]  # name, a, b, b - a


def load_metrics(path_or_dir: str | Path) -> dict[str, Any]:
    """Read a run's metrics from ``metrics.json`` or from the run directory holding it."""
    path = Path(path_or_dir)
    if path.is_dir():
        path = path / "metrics.json"
    hint = (
        "Đưa vào thư mục một lượt chạy (ví dụ eval/reports/latest) hoặc tệp metrics.json; "
        "chạy `assistant eval` trước nếu chưa có."
    )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DatasetError(f"Không tìm thấy tệp chỉ số: {path}", hint=hint) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"Không đọc được tệp chỉ số {path}: {exc}", hint=hint) from None
    if not isinstance(data, dict):
        raise DatasetError(f"Tệp chỉ số {path} phải chứa một đối tượng JSON.", hint=hint)
    return data


def flatten_numeric(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, Number | None]:
    """Numeric leaves (and null ones) keyed by dotted path; strings and booleans are skipped."""
    out: dict[str, Number | None] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten_numeric(value, name + "."))
        elif value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
            out[name] = value
    return out


def compare_metrics(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[MetricRow]:
    """Every numeric metric of either run as (name, a, b, b − a); missing sides are None.

    Nested dicts are flattened (``accuracy_by_type.number``); rows follow a's key order,
    then metrics only b has.
    """
    flat_a, flat_b = flatten_numeric(a), flatten_numeric(b)
    names = list(dict.fromkeys([*flat_a, *flat_b]))
    rows: list[MetricRow] = []
    for name in names:
        va, vb = flat_a.get(name), flat_b.get(name)
        delta = vb - va if va is not None and vb is not None else None
        if isinstance(delta, float):
            delta = round(delta, 6)
        rows.append((name, va, vb, delta))
    return rows


def _fmt(name: str, value: Number | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    sign = "+" if signed else ""
    if isinstance(value, int):
        return f"{value:{sign}d}"
    return f"{value:{sign}.1f}" if name.endswith("_ms") else f"{value:{sign}.4f}"


def format_comparison(rows: list[MetricRow], label_a: str, label_b: str) -> str:
    """A fixed-width text table: metric, a, b and the signed delta b − a."""
    name_w = max([len("chỉ số"), *(len(r[0]) for r in rows)])
    wa, wb = max(10, len(label_a)), max(10, len(label_b))
    lines = [f"{'chỉ số':<{name_w}}  {label_a:>{wa}}  {label_b:>{wb}}  {'Δ':>10}", "-" * (name_w + wa + wb + 16)]
    for name, va, vb, delta in rows:
        lines.append(
            f"{name:<{name_w}}  {_fmt(name, va):>{wa}}  {_fmt(name, vb):>{wb}}  {_fmt(name, delta, signed=True):>10}"
        )
    return "\n".join(lines)
