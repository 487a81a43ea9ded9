"""Every number in an answer is checked against the cited figures or the calculator's result."""

from __future__ import annotations

import re

from assistant.models import Answer, FigureCheck
from assistant.vietnamese.number_finder import find_numbers

_MARKER = re.compile(r"\[\d+\]")
_CHECKED_KINDS = {"quantity", "percent", "ratio", "money"}


def check_figures(answer: Answer, figures_by_chunk: dict[str, list[dict]]) -> list[FigureCheck]:
    """One FigureCheck per number in ``answer.answer``: verified, computed or unverified."""
    text = _MARKER.sub(lambda m: " " * len(m.group(0)), answer.answer)
    computed = set()
    if answer.calculation is not None:
        computed.add(round(answer.calculation.result, 2))
        computed.add(round(answer.calculation.result, 0))
    checks: list[FigureCheck] = []
    for m in find_numbers(text):
        if m.kind not in _CHECKED_KINDS:
            continue
        status, cited = "unverified", None
        if round(m.value, 2) in computed and answer.calculation is not None:
            status = "computed"
        else:
            for c in answer.citations:
                values = {f["value"] for f in figures_by_chunk.get(c.chunk_id, [])}
                if m.value in values or m.raw in c.text:
                    status, cited = "verified", c.number
                    break
        checks.append(FigureCheck(text=m.raw, value=m.value, unit=m.unit, status=status, citation=cited))
    return checks


def all_verified(answer: Answer) -> bool:
    return all(f.status != "unverified" for f in answer.figures)
