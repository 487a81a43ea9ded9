"""A sentence's breakdowns: which figure heads the items listed after it."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.figures.model import Figure


def item_heads(figures: Sequence[Figure]) -> dict[int, int]:
    """Each breakdown item's head within one sentence, by start offset: the nearest figure before
    it that is no item itself and is, like it, a percentage or not ("194 đơn vị (cấp tỉnh 16, …)":
    194 for 16; "45 điểm cầu (trong đó 20 …)": 45 for 20, not an 88 km before it)."""
    out = {}
    for item in figures:
        if not item.part:
            continue
        before = [f for f in figures if f.start < item.start and not f.part and f.is_percent == item.is_percent]
        if before:
            out[item.start] = max(before, key=lambda f: f.start).start
    return out
