"""The chosen candidate written as an answer: short Vietnamese text with numbered citation markers,
the citations (passage and supporting sentence), the checked figures and the calculation.

A figure answered by itself gets the badge "verified" only when its year, place and document do not
contradict the question (nor does its passage lack a proper name the question uses: "huyện Long
Hồ"); the operands of a calculation are verified where they are stated; numbers a quoted sentence
merely contains get no badge."""

from __future__ import annotations

import re

from assistant.answering.calculator import calculate
from assistant.answering.candidates import Candidate
from assistant.answering.context import AnswerContext
from assistant.answering.text import clip
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Citation, FigureCheck, Operand
from assistant.vietnamese.numbers import format_number

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu đã nạp."
OPERATION_NAMES = {
    "difference": "Hiệu",
    "sum": "Tổng",
    "share": "Tỷ lệ",
    "ratio": "Tỉ số",
    "product": "Tích",
    "complement": "Phần còn lại",
    "rate": "Áp tỷ lệ",
    "average": "Bình quân",
}
_CONTRADICTS = ("year_miss", "place_miss", "named_miss", "name_missing")


def number_text(value: float, unit: str | None) -> str:
    """The number as the answer writes it ("1.222", "59,25%"): what a figure badge marks."""
    shown = format_number(round(value, 2) if abs(value) < 1e6 else round(value))
    return f"{shown}%" if unit == "%" else shown


def figure_text(value: float, unit: str | None) -> str:
    shown = number_text(value, unit)
    return f"{shown} {unit}" if unit and unit != "%" else shown


class Citer:
    """Numbers citations in order of use; the same sentence is cited once."""

    def __init__(self, ctx: AnswerContext) -> None:
        self.ctx = ctx
        self.citations: list[Citation] = []
        self._by_span: dict[tuple[str, int], int] = {}

    def cite(self, hit, start: int, end: int) -> int:
        key = (hit.chunk.id, start)
        if key not in self._by_span:
            number = len(self.citations) + 1
            self.citations.append(self.ctx.citation(number, hit.chunk, start, max(end, start)))
            self._by_span[key] = number
        return self._by_span[key]


def consistent(c: Candidate) -> bool:
    return not any(c.features.get(name, 0.0) for name in _CONTRADICTS)


def compose(ctx: AnswerContext, question: str, best: Candidate, rivals: list[Candidate]) -> Answer:
    citer = Citer(ctx)
    if best.kind == "figure":
        return _figure(ctx, question, best, rivals, citer)
    if best.kind == "calculation":
        return _calculation(question, best, citer)
    return _sentence(question, best, citer)


def _figure(ctx: AnswerContext, question: str, best: Candidate, rivals: list[Candidate], citer: Citer) -> Answer:
    f = best.figures[0]
    n = citer.cite(best.hit, f.start, f.end)
    shown = figure_text(best.value, best.unit)
    title = ctx.data.documents[best.hit.chunk.document].title
    text = f"{shown} (theo {title}) [{n}]."
    checks = [
        FigureCheck(
            text=number_text(best.value, best.unit),
            value=best.value,
            unit=best.unit,
            status="verified" if consistent(best) else "unverified",
            citation=n,
        )
    ]
    conflict = False
    for other in rivals:
        g = other.figures[0]
        m = citer.cite(other.hit, g.start, g.end)
        other_shown = figure_text(other.value, other.unit)
        other_title = ctx.data.documents[other.hit.chunk.document].title
        text += f" Lưu ý: {other_title} ghi {other_shown} [{m}]; các tài liệu chưa thống nhất."
        checks.append(
            FigureCheck(
                text=number_text(other.value, other.unit),
                value=other.value,
                unit=other.unit,
                status="verified",
                citation=m,
            )
        )
        conflict = True
    return Answer(
        question=question,
        answer=text,
        value=best.value,
        unit=best.unit,
        citations=citer.citations,
        figures=checks,
        conflict=conflict,
    )


def _calculation(question: str, best: Candidate, citer: Citer) -> Answer:
    try:
        calc = calculate(best.expression)
    except CalculationError:
        return Answer(question=question, answer=NOT_FOUND, abstained=True)
    operands: list[Operand] = []
    checks: list[FigureCheck] = []
    for term in best.terms:
        f = term.figure
        if f is None or term.span is None:  # a number the question gives, or the 100 of a complement
            operands.append(Operand(value=term.value, raw=format_number(term.value)))
            continue
        n = citer.cite(term.span.hit, f.start, f.end)
        raw = f.raw if abs(term.value - f.value) < 1e-9 else format_number(term.value)
        operands.append(Operand(value=term.value, label=f.indicator, raw=raw, citation=n))
        # the badge marks the operand as the expression in the answer writes it
        checks.append(
            FigureCheck(text=format_number(term.value), value=term.value, unit=f.unit, status="verified", citation=n)
        )
    result = round(calc.result, 2)
    shown = figure_text(result, best.unit)
    markers = "".join(f"[{c.number}]" for c in citer.citations)
    expression = _vietnamese(best.expression)
    text = (
        f"{shown} — {OPERATION_NAMES.get(best.operation, 'Kết quả')}: {expression} = {format_number(result)} {markers}"
    )
    checks.insert(0, FigureCheck(text=format_number(result), value=result, unit=best.unit, status="computed"))
    calculation = Calculation(expression=calc.expression, operands=operands, result=calc.result)
    return Answer(
        question=question,
        answer=text.strip(),
        value=result,
        unit=best.unit,
        citations=citer.citations,
        figures=checks,
        calculation=calculation,
    )


def _sentence(question: str, best: Candidate, citer: Citer) -> Answer:
    numbers = [citer.cite(s.hit, s.start, s.end) for s in best.spans]
    markers = "".join(f"[{n}]" for n in dict.fromkeys(numbers))
    return Answer(question=question, answer=f"{clip(best.text)} {markers}", citations=citer.citations)


def _vietnamese(expression: str) -> str:
    pretty = expression.replace("*", "×").replace("/", "÷").replace(" - ", " − ")
    return re.sub(r"\d+(?:\.\d+)?", lambda m: format_number(float(m.group(0))), pretty)
