"""Calculations: choose the operands with their citations and let the calculator compute.

Each operation has planners, tried in order; a planner reads the question for what must be
combined (the parts named in "cáp đồng (treo + ngầm)", the part and the whole of "X chiếm bao
nhiêu % tổng số Y", a table column, …), picks one cited figure for each, and writes the
expression. When no planner finds sound operands the answer falls back to a figure or a sentence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.answering.calculator import calculate
from assistant.answering.figure_answers import candidates, figure_answer
from assistant.answering.gaps import (
    plan_point_gap,
    plan_ratio_gap,
    plan_whole_minus_part,
)
from assistant.answering.operands import (
    compatible,
    near,
    phrase,
    pool,
    same_sentence,
    unit_of,
)
from assistant.answering.plans import Op, Plan, plan_unit, ranked
from assistant.answering.question import QuestionInfo
from assistant.answering.shares import plan_estimate, plan_share, share_follows
from assistant.answering.sums import plan_carry_sum, plan_group_sum, plan_parts_sum, plan_table_sum
from assistant.answering.text import figure_text, plain, vn_expression
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Operand
from assistant.vietnamese.numbers import format_number
from assistant.vietnamese.text import fold

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext
    from assistant.models import Hit


def computed_answer(ans: AnswerContext, q: QuestionInfo, top: list[Hit]) -> Answer | None:
    cands = pool(ans, q, top)
    if not cands:
        return None
    for planner in PLANNERS.get(q.operation or "", ()):
        plan = planner(ans, q, cands, top)
        if plan is not None:
            answer = render(ans, q, plan)
            if answer is not None:
                return answer
    if q.operation == "percent_of":  # no sound operands: the share may be written in the text
        return figure_answer(ans, replace(q, kind="percent"), top)
    return None


def render(ans: AnswerContext, q: QuestionInfo, plan: Plan) -> Answer | None:
    try:
        calc = calculate(plan.expr)
    except CalculationError:
        return None
    citations, numbers, shown_ops, operands = [], {}, [], []
    for op in plan.ops:
        number = None
        if op.cand is not None:
            c = op.cand
            key = (c.hit.chunk.id, c.f["start"])
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(ans.citation(numbers[key], c.hit.chunk, c.f["start"], c.f["end"]))
                shown_ops.append(f"{figure_text(c.f)} [{numbers[key]}]")
            number = numbers[key]
        operands.append(
            Operand(
                value=op.value,
                raw=op.cand.f["raw"] if op.cand else plain(op.value),
                label=op.label or (op.cand.f.get("indicator", "") if op.cand else ""),
                citation=number,
            )
        )
    if not citations:
        return None
    result = round(calc.result, 2)
    unit = "%" if plan.percent else plan.unit
    shown = f"{format_number(result)}%" if plan.percent else f"{format_number(result)} {unit or ''}".strip()
    sources = shown_ops[0] if len(shown_ops) == 1 else f"{', '.join(shown_ops[:-1])} và {shown_ops[-1]}"
    text = f"{shown} (tính từ {sources}: {vn_expression(calc.expression)} = {format_number(result)})."
    calculation = Calculation(expression=calc.expression, result=calc.result, operands=operands)
    return Answer(question=q.text, answer=text, value=result, unit=unit, citations=citations, calculation=calculation)


# --- planners of any operation ---------------------------------------------------------------


_PER = {"ngay": (365, "nam"), "thang": (12, "nam"), "tuan": (52, "nam")}


def plan_average(ans, q, cands, top) -> Plan | None:
    words = phrase(ans, q.text)
    m = re.search(r"\bmoi (ngay|thang|tuan)\b", q.folded)
    if m:
        days, per = _PER[m.group(1)]
        for _, c in ranked(ans, words, cands, k=5):
            unit = fold((c.f.get("unit") or "").lower())
            if unit.endswith(f"/{per}"):
                new_unit = (
                    (c.f.get("unit") or "").rsplit("/", 1)[0]
                    + "/"
                    + m.group(1).replace("ngay", "ngày").replace("thang", "tháng").replace("tuan", "tuần")
                )
                return Plan(
                    [Op(c.value, c), Op(days, None, "số ngày" if days == 365 else "")],
                    f"{plain(c.value)} / {days}",
                    new_unit,
                )
        return None
    m = re.search(r"\bmoi (\w+(?: \w+)?)", q.folded)
    if not m:
        return None
    item = phrase(ans, m.group(1))
    for _, total in ranked(ans, words, [c for c in cands if c.f.get("kind") == "money"], k=3):
        counts = [
            c for c in cands if same_sentence(c, total) and c.f.get("kind") == "quantity" and near(ans, item, c) >= 0.6
        ]
        if counts:
            n = counts[0]
            return Plan(
                [Op(total.value, total), Op(n.value, n)],
                f"{plain(total.value)} / {plain(n.value)}",
                total.f.get("unit"),
            )
    return None


def plan_pair(ans, q, cands, top) -> Plan | None:
    """Two figures of one unit: one for each side of "A và/so với B", else the two best."""
    chosen = None
    sides = re.split(r"\s(?:va|so voi|voi|tren)\s", q.folded, maxsplit=1)
    if len(sides) == 2:
        picks = []
        for side in sides:
            sub = ans.analyze(side)
            sub.keywords = [k for k in sub.keywords if k in q.keywords] or q.keywords
            picks.append([(f, h) for _, f, h in candidates(ans, sub, top)[:3]])
        by_key = {c.key: c for c in cands}
        pairs = [
            (by_key.get((ha.chunk.document, fa["start"])), by_key.get((hb.chunk.document, fb["start"])))
            for fa, ha in picks[0]
            for fb, hb in picks[1]
        ]
        chosen = next(
            ([a, b] for a, b in pairs if a and b and a.key != b.key and a.value != b.value and compatible(a, b)), None
        )
    if chosen is None:
        first = cands[0]
        other = next((c for c in cands[1:8] if c.value != first.value and compatible(first, c)), None)
        if other is None:
            return None
        chosen = [first, other]
    a, b = chosen
    if q.operation == "percent_of" and (
        a.hit.chunk.id != b.hit.chunk.id
        or unit_of(a) == "%"
        or share_follows(ans, min(a, b, key=lambda c: c.value), cands)
    ):
        return None
    if (
        unit_of(a) == "%"
        and q.operation in ("difference", "remainder", "sum")
        and not re.search(r"diem phan tram|chenh lech", q.folded)
    ):
        return None  # "giảm bao nhiêu % phí": a stated percentage, not a gap
    hi, lo = (a, b) if a.value >= b.value else (b, a)
    op = q.operation
    if op == "percent_change":
        old, new = (hi, lo) if "giam" in q.folded else (lo, hi)
        expr, unit, percent = f"({plain(new.value)} - {plain(old.value)}) / {plain(old.value)} * 100", "%", True
    elif op == "percent_of":
        expr, unit, percent = f"{plain(lo.value)} / {plain(hi.value)} * 100", "%", True
    elif op == "times":
        expr, unit, percent = f"{plain(hi.value)} / {plain(lo.value)}", "lần", False
    elif op == "sum":
        expr, unit, percent = f"{plain(a.value)} + {plain(b.value)}", plan_unit([a, b]), False
    else:
        expr, unit, percent = f"{plain(hi.value)} - {plain(lo.value)}", plan_unit([hi, lo]), False
    return Plan([Op(hi.value, hi), Op(lo.value, lo)], expr, unit, percent)


PLANNERS = {
    "sum": (plan_carry_sum, plan_table_sum, plan_group_sum, plan_parts_sum),
    "percent_of": (plan_share, plan_pair),
    "remainder": (plan_point_gap, plan_ratio_gap, plan_whole_minus_part, plan_pair),
    "difference": (plan_point_gap, plan_ratio_gap, plan_whole_minus_part, plan_pair),
    "percent_change": (plan_pair,),
    "times": (plan_pair,),
    "estimate": (plan_estimate,),
    "average": (plan_average,),
}
