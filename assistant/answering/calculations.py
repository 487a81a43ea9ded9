"""Calculations: choose the operands with their citations and let the calculator compute."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.answering.figures import candidates
from assistant.answering.text import compatible, figure_text, plain, vn_expression
from assistant.calculator import calculate
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Hit, Operand
from assistant.numbers import format_number
from assistant.question import QuestionInfo

if TYPE_CHECKING:
    from assistant.answering.answerer import DefaultAnswerer


def computed_answer(ans: "DefaultAnswerer", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    operands = choose_operands(ans, q, top)
    if operands is None:
        return None
    (fa, ha), (fb, hb) = operands
    a, b = fa["value"], fb["value"]
    op = q.operation
    expr = {
        "sum": f"{plain(a)} + {plain(b)}",
        "difference": f"{plain(max(a, b))} - {plain(min(a, b))}",
        "remainder": f"{plain(max(a, b))} - {plain(min(a, b))}",
        "percent_of": f"{plain(min(a, b))} / {plain(max(a, b))} * 100",
        "percent_change": (f"({plain(max(a, b))} - {plain(min(a, b))}) / {plain(min(a, b))} * 100"
                           if "giam" not in q.folded else
                           f"({plain(min(a, b))} - {plain(max(a, b))}) / {plain(max(a, b))} * 100"),
        "times": f"{plain(max(a, b))} / {plain(min(a, b))}",
    }[op]
    try:
        calc = calculate(expr)
    except CalculationError:
        return None
    citations = [ans.citation(1, ha.chunk, fa["start"], fa["end"])]
    second = 1
    if (hb.chunk.id, fb["start"]) != (ha.chunk.id, fa["start"]):
        second = 2
        citations.append(ans.citation(2, hb.chunk, fb["start"], fb["end"]))
    calc = Calculation(expression=calc.expression, result=calc.result, operands=[
        Operand(value=a, raw=fa["raw"], label=fa.get("indicator", ""), citation=1),
        Operand(value=b, raw=fb["raw"], label=fb.get("indicator", ""), citation=second),
    ])
    percent = op in ("percent_of", "percent_change")
    unit = "%" if percent else (fa.get("unit") or fb.get("unit"))
    result = round(calc.result, 2)
    shown = f"{format_number(result)}%" if percent else f"{format_number(result)} {unit or ''}".strip()
    text = (f"{shown} (tính từ {figure_text(fa)} [1] và {figure_text(fb)} [{second}]: "
            f"{vn_expression(calc.expression)} = {format_number(result)}).")
    return Answer(question=q.text, answer=text, value=result, unit=unit, citations=citations, calculation=calc)

def choose_operands(ans: "DefaultAnswerer", q: QuestionInfo, top: list[Hit]):
    scored = candidates(ans, q, top)
    if len(scored) < 2:
        return None
    parts = re.split(r"\s(?:va|so voi|voi|tren|and)\s", q.folded, maxsplit=1)
    if len(parts) == 2:
        picks = []
        for part in parts:
            sub = ans.analyze(part)
            sub.keywords = [k for k in sub.keywords if k in q.keywords] or q.keywords
            ranked = candidates(ans, sub, top)
            picks.append(ranked)
        for (_, fa, ha) in picks[0][:3]:
            for (_, fb, hb) in picks[1][:3]:
                if fa["start"] != fb["start"] or ha.chunk.id != hb.chunk.id:
                    if fa["value"] != fb["value"] and compatible(fa, fb):
                        return (fa, ha), (fb, hb)
    best_score, fa, ha = scored[0]
    for _, fb, hb in scored[1:8]:
        if fb["value"] != fa["value"] and compatible(fa, fb):
            first, second = sorted([(fa, ha), (fb, hb)], key=lambda p: (p[1].chunk.start, p[0]["start"]))
            return first, second
    return None

# --- sentences ---------------------------------------------------------
