"""The trend chart (an SVG in which every point links to its citation) and the table beside it."""

from __future__ import annotations

import math

from assistant.service.ui.markup import esc, link, number, view_url
from assistant.service.ui.trend import Point

WIDTH, HEIGHT = 460, 300  # small: the labels stay readable when a phone scales the chart down
LEFT, RIGHT, TOP, BOTTOM = 58, 16, 26, 36
TABLE_ROWS = 40


def nice_top(value: float) -> float:
    """A round upper bound for the y axis, in four round steps: 1.222 → 1.600; 86 → 100."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def _short(title: str, size: int = 48) -> str:
    return title if len(title) <= size else title[: size - 1].rsplit(" ", 1)[0] + " …"


def svg(points: list[Point], caption: str) -> str:
    if not points:
        return ""
    years = sorted({p.year for p in points})
    lo, hi = (years[0] - 1, years[0] + 1) if len(years) == 1 else (years[0], years[-1])
    top = nice_top(max(p.value for p in points))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(year: int) -> float:
        pad = 0.06 * plot_w
        return LEFT + pad + (year - lo) / (hi - lo) * (plot_w - 2 * pad)

    def y(value: float) -> float:
        return TOP + plot_h - max(0.0, value) / top * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{esc(caption)}">',
        f"<title>{esc(caption)}</title>",
    ]
    for i in range(5):
        v = top * i / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{esc(number(v))}</text>')
    for year in range(lo, hi + 1):
        parts.append(
            f'<text class="tick" x="{x(year):.1f}" y="{HEIGHT - BOTTOM + 24}" text-anchor="middle">{year}</text>'
        )
    best = [p for p in points if p.best]
    if len(best) > 1:
        path = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in best)
        parts.append(f'<polyline class="line" points="{path}"/>')
    for p in sorted(points, key=lambda p: p.best):  # the line's points drawn last, on top
        parts.append(_point(p, x(p.year), y(p.value)))
    parts.append("</svg>")
    return "".join(parts)


def _point(p: Point, cx: float, cy: float) -> str:
    tip = f"{p.year}: {p.raw} {p.unit} — {p.indicator} ({p.title}). Bấm để mở đoạn văn."
    label = (
        f'<text class="val" x="{cx:.1f}" y="{cy - 12:.1f}" text-anchor="middle">{esc(p.raw)}</text>' if p.best else ""
    )
    klass = "pt best" if p.best else "pt"
    return (
        f'<a href="{esc(view_url(p.document, p.start, p.end))}" target="_blank" rel="noopener">'
        f'<circle class="{klass}" cx="{cx:.1f}" cy="{cy:.1f}" r="{7 if p.best else 5}"><title>{esc(tip)}</title></circle>'
        f"{label}</a>"
    )


def legend() -> str:
    return (
        '<div class="chart-legend"><span><i class="dot best"></i>Giá trị khớp nhất của mỗi năm</span>'
        '<span><i class="dot"></i>Số liệu khác cùng đơn vị</span>'
        '<span class="muted">Bấm vào một điểm để mở đoạn văn nguồn.</span></div>'
    )


def table(points: list[Point]) -> str:
    rows = []
    for p in points[:TABLE_ROWS]:
        mark = '<i class="dot best"></i>' if p.best else '<i class="dot"></i>'
        rows.append(
            f"<tr><td>{mark}{p.year}</td><td class='v'>{esc(p.raw)} <span class='muted'>{esc(p.unit)}</span></td>"
            f"<td>{esc(p.indicator)}<div class='muted small'>{esc(_short(p.title))}</div></td>"
            f"<td>{link(view_url(p.document, p.start, p.end), 'Xem ↗')}</td></tr>"
        )
    more = (
        f'<div class="muted small">… và {len(points) - TABLE_ROWS} số liệu khác.</div>'
        if len(points) > TABLE_ROWS
        else ""
    )
    return (
        '<table class="fig-table"><thead><tr><th>Năm</th><th>Giá trị</th><th>Chỉ tiêu · tài liệu</th><th></th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )
