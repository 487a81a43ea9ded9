"""Figures: the numbers a chunk states, with what they measure and where they stand.

A :class:`Figure` is one quantity, percent, ratio or amount of money found by
:func:`assistant.vietnamese.numbers.find_numbers` (dates, years, document numbers are not figures),
enriched with its *indicator* — the phrase it quantifies — and its context.

The extraction is split by concept: :mod:`assistant.figures.prose` (figures in running text,
with their sentence, year and place), :mod:`assistant.figures.indicator` (the phrase a prose
figure quantifies), :mod:`assistant.figures.context` (the heads a breakdown item belongs to)
and :mod:`assistant.figures.tables` (table cells).
"""

from __future__ import annotations

from assistant.figures.model import FIGURE_KINDS, Figure
from assistant.figures.prose import prose_figures
from assistant.figures.tables import table_figures
from assistant.figures.window import window
from assistant.models import Chunk

__all__ = ["FIGURES_VERSION", "FIGURE_KINDS", "Figure", "extract_figures"]

#: Bump when extraction changes what a figure records, so that stale indexes are rebuilt.
FIGURES_VERSION = "7"


def extract_figures(chunk: Chunk) -> list[Figure]:
    """The figures a chunk states, in text order, each with its window of own words."""
    found = table_figures(chunk) if chunk.kind == "table" else prose_figures(chunk, chunk.text, 0)
    for f in found:
        if chunk.kind == "table":
            f.window = " | ".join(x for x in (f.row_header, f.column_header, f"{f.raw} {f.unit or ''}".strip()) if x)
        else:
            f.window = window(chunk.text, f.start - chunk.start, f.end - chunk.start)
    return found
