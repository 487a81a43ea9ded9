"""The "Số liệu" tab: an indicator's values over the years across documents.

The figure table (``Service.figures``) matches a query against a figure's indicator or its whole
sentence. Here each figure is scored by how well it matches (words of the query in its indicator
count most, then words near the number in its sentence); the chart shows one unit at a time, a
line through the best-matching value of each year and the other values as lighter points."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assistant.service.service import FigureRow
from assistant.vietnamese.text import words

NEAR_CHARS = 60  # how far from the number a query word still counts as "near"
MIN_SHOWN = 0.25  # a figure matching less (its sentence names the words, far from it) is left out
MIN_BEST = 0.5  # the least a year's value needs to be on the trend line


@dataclass(frozen=True)
class Point:
    year: int
    value: float
    raw: str
    unit: str
    indicator: str
    sentence: str
    document: str
    title: str
    start: int
    end: int
    score: float
    best: bool = False  # the year's best match: on the trend line


def relevance(row: FigureRow, query: str) -> float:
    """0…1.5: the share of the query's words in the indicator, plus half the share found near the number."""
    wanted = set(words(query))
    if not wanted:
        return 0.0
    f = row.figure
    in_indicator = len(wanted & set(words(f.get("indicator", "")))) / len(wanted)
    sentence = f.get("sentence", "")
    at = f["start"] - f.get("sentence_start", f["start"])
    around = sentence[max(0, at - NEAR_CHARS) : at + NEAR_CHARS] if 0 <= at <= len(sentence) else sentence
    near = len(wanted & set(words(around))) / len(wanted)
    return in_indicator + 0.5 * near


def units(rows: list[FigureRow], query: str) -> list[str]:
    """The units of the dated figures, the best-matching first (by summed relevance)."""
    totals: dict[str, float] = defaultdict(float)
    for r in rows:
        if r.year is not None:
            totals[_unit(r)] += relevance(r, query)
    return sorted(totals, key=lambda u: (-totals[u], u))


def _unit(row: FigureRow) -> str:
    return row.figure.get("unit") or "(không đơn vị)"


def points(rows: list[FigureRow], query: str, unit: str | None) -> list[Point]:
    """The dated figures in ``unit`` (default: the best unit), the year's best match flagged, by year."""
    choices = units(rows, query)
    if not choices:
        return []
    unit = unit if unit in choices else choices[0]
    found = []
    for r in rows:
        if r.year is None or _unit(r) != unit or relevance(r, query) < MIN_SHOWN:
            continue
        f = r.figure
        found.append(
            Point(
                year=r.year,
                value=float(f["value"]),
                raw=f["raw"],
                unit=unit,
                indicator=f.get("indicator", ""),
                sentence=f.get("sentence", ""),
                document=r.document.id,
                title=r.document.title,
                start=f["start"],
                end=f["end"],
                score=relevance(r, query),
            )
        )
    best: dict[int, Point] = {}
    for p in found:
        if p.score >= MIN_BEST and (p.year not in best or p.score > best[p.year].score):
            best[p.year] = p
    chosen = {id(p) for p in best.values()}
    flagged = [Point(**{**p.__dict__, "best": id(p) in chosen}) for p in found]
    return sorted(flagged, key=lambda p: (p.year, not p.best, -p.score))
