"""Two-step calculations: the result of one step is an operand of the next.

Officials ask for the share of a sum ("cấp huyện và cấp xã chiếm bao nhiêu % tổng số"), a share of
a whole stated as its parts ("476 dịch vụ … bao nhiêu % tổng số dịch vụ mức 3 và mức 4"), what is
left after several parts are taken from a whole ("tổng hồ sơ trừ đi hồ sơ một phần và toàn trình"),
one sum against another, and the gap in points between a target and a share the documents state
as "x/y". One step cannot make these, and every pair of sums is too many; so the few one-step sums
and shares that read best (their operands' figure scores and how much of the question their words
cover) are combined once more with the figures, and the answer model decides as for any other
calculation (the feature ``two_step`` tells it which these are).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from assistant.answering.candidates import Candidate
from assistant.answering.text import plain

#: One-step sums and shares carried into a second step.
BEAM = 3
#: Sums (without the figure) read as a whole that a figure is a share of, per figure.
WHOLES = 2

Make = Callable[..., Candidate]


def _reads_well(c: Candidate) -> float:
    """How promising a one-step result is as an operand: its operands' mean figure score plus the
    share of the question's words its operands' phrases cover (both in [0, 1], equally weighted)."""
    return c.features.get("stage1_mean", 0.0) + c.features.get("cov_terms", 0.0)


def _best(cands: list[Candidate], operation: str, beam: int = BEAM) -> list[Candidate]:
    pool = [c for c in cands if c.operation == operation and c.value is not None and c.value > 0]
    return sorted(pool, key=_reads_well, reverse=True)[:beam]


def _is_a_part(
    s: Candidate, parts: list[Candidate], figures: list[Candidate], comparable: Callable[[list[Candidate]], bool]
) -> bool:
    """Whether some other figure is a whole the sum ``s`` can be a part of (larger, comparable)."""
    return any(
        c.value > s.value and c.unit != "%" and not any(_same(c, p) for p in parts) and comparable([*parts, c])
        for c in figures
    )


def _same(a: Candidate, b: Candidate) -> bool:
    """The same figure: one candidate, or the same value and unit read twice (two passages)."""
    return a is b or (a.value == b.value and a.unit == b.unit)


def _two_step(cand: Candidate) -> Candidate:
    cand.features["two_step"] = 1.0
    return cand


def composed_candidates(
    make: Make,
    steps: list[Candidate],
    leaves: dict[int, list[Candidate]],
    figures: list[Candidate],
    comparable: Callable[[list[Candidate]], bool],
) -> list[Candidate]:
    """Second steps over the best one-step ``steps`` (``leaves`` maps a step to its operand
    candidates) and the operand ``figures``."""
    out: list[Candidate] = []
    sums = [s for s in steps if s.operation == "sum" and s.unit != "%"]
    sums = _best([s for s in sums if _is_a_part(s, leaves[id(s)], figures, comparable)], "sum")
    for s in sums:
        parts = leaves[id(s)]
        inner = " + ".join(plain(c.value) for c in parts)
        for c in figures:
            if any(_same(c, p) for p in parts) or c.unit == "%" or not c.value or not comparable([*parts, c]):
                continue
            if c.value > s.value:
                out.append(
                    _two_step(
                        make("share", [*parts, c], s.value / c.value * 100, f"({inner}) / {plain(c.value)} * 100", "%")
                    )
                )
                rest = " - ".join(plain(p.value) for p in parts)
                out.append(
                    _two_step(make("difference", [c, *parts], c.value - s.value, f"{plain(c.value)} - {rest}", c.unit))
                )
    wholes = [
        s
        for s in steps
        if s.operation == "sum" and s.unit != "%" and s.value is not None and s.value > 0
        if not any(p.features.get("from_question") for p in leaves[id(s)])  # the parts are stated
    ]
    for c in figures:  # a figure's share of a whole the documents give as its parts
        if c.unit == "%" or not c.value or c.value <= 0:
            continue
        pool = [
            s
            for s in wholes
            if s.value > c.value and not any(_same(c, p) for p in leaves[id(s)]) and comparable([c, *leaves[id(s)]])
        ]
        for s in sorted(pool, key=_reads_well, reverse=True)[:WHOLES]:
            parts = leaves[id(s)]
            inner = " + ".join(plain(p.value) for p in parts)
            expression = f"{plain(c.value)} / ({inner}) * 100"
            out.append(_two_step(make("share", [c, *parts], c.value / s.value * 100, expression, "%")))
    for a, b in itertools.permutations(sums, 2):
        pa, pb = leaves[id(a)], leaves[id(b)]
        if b.value > a.value and not any(_same(p, q) for p in pa for q in pb) and comparable([*pa, *pb]):
            top = " + ".join(plain(c.value) for c in pa)
            bottom = " + ".join(plain(c.value) for c in pb)
            out.append(
                _two_step(make("share", [*pa, *pb], a.value / b.value * 100, f"({top}) / ({bottom}) * 100", "%"))
            )
    for x in _best(steps, "share"):
        parts = leaves[id(x)]
        inner = f"{plain(parts[0].value)} / {plain(parts[1].value)} * 100"
        for p in figures:
            # a percentage stated in the documents or written in the question ("mục tiêu 80%")
            if any(_same(p, q) for q in parts) or p.unit != "%" or not 0 < p.value <= 100:
                continue
            if p.value > x.value:
                out.append(
                    _two_step(make("difference", [p, *parts], p.value - x.value, f"{plain(p.value)} - {inner}", "%"))
                )
            elif x.value > p.value:
                out.append(
                    _two_step(make("difference", [*parts, p], x.value - p.value, f"{inner} - {plain(p.value)}", "%"))
                )
    return out
