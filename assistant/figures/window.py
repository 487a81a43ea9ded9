"""A figure's own words: the clause around it, and the few words on each side that say what it counts."""

from __future__ import annotations

#: Characters kept on each side of a figure in its window.
SIDE = 60


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end) of ``text``: back to the previous ';', ':' or sentence end,
    forward to the next (at most 200 characters back and 160 forward)."""
    lo = max(text.rfind(ch, max(0, start - 200), start) for ch in (";", ".\n", ". ", "\n", ":"))
    lo = lo + 1 if lo >= 0 else max(0, start - 200)
    his = [i for i in (text.find(ch, end, end + 160) for ch in (";", ". ", "\n")) if i != -1]
    return lo, (min(his) if his else min(len(text), end + 160))


def window(text: str, start: int, end: int) -> str:
    """At most ``SIDE`` characters of the figure's clause on each side of it, white space collapsed."""
    lo, hi = clause_bounds(text, start, end)
    return " ".join(text[max(lo, start - SIDE) : min(hi, end + SIDE)].split())
