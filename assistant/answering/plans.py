"""What every calculation planner shares: the plan it returns and how it ranks figures."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.answering.operands import Candidate, near
from assistant.answering.text import plain

MIN_MATCH = 0.45  # how well a figure must match the phrase that names it


@dataclass
class Op:
    value: float
    cand: Candidate | None  # None for a constant such as 365 days
    label: str = ""


@dataclass
class Plan:
    ops: list[Op]
    expr: str
    unit: str | None
    percent: bool = False


def sum_plan(chosen: list[Candidate]) -> Plan:
    """The sum of ``chosen``, in their order."""
    return Plan([Op(c.value, c) for c in chosen], " + ".join(plain(c.value) for c in chosen), plan_unit(chosen))


def ranked(ans, words: list[str], cands: list[Candidate], head: list[str] = (), k: int = 5, least: float = MIN_MATCH):
    scored = [(near(ans, words, c) + 0.8 * near(ans, list(head), c) + 0.3 * c.base, c) for c in cands]
    scored = [s for s in scored if near(ans, words, s[1]) >= least]
    return sorted(scored, key=lambda s: -s[0])[:k]


def plan_unit(cands: list[Candidate]) -> str | None:
    if any(c.f.get("is_percent") for c in cands):
        return "%"
    return next((c.f.get("unit") for c in cands if c.f.get("unit")), None)
