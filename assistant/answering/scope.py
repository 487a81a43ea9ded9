"""Scope checks: does the question, or a passage, speak of a province and year the documents hold?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.vietnamese.text import fold
from assistant.answering import support
from assistant.models import Answer, Hit
from assistant.answering.question import QuestionInfo

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext


def out_of_scope(ans: "AnswerContext", q: QuestionInfo) -> str | None:
    """Why no document can answer the question (another province, a year none covers), or None."""
    for p in q.provinces:
        if fold(p) not in ans.known_provinces:
            return f"tỉnh {p.title()}"
    unknown = [y for y in q.years if y not in ans.known_years]
    if unknown:
        return f"năm {unknown[0]}"
    return None


def in_scope(ans: "AnswerContext", q: QuestionInfo, hit: Hit, figure: dict | None = None) -> bool:
    """Does this passage speak of the province and year the question names?"""
    meta = ans.data.documents[hit.chunk.document].metadata
    if q.provinces and meta.province and fold(meta.province.lower()) not in {fold(p) for p in q.provinces}:
        return False
    if q.years:
        covered = set(hit.chunk.years) | set(meta.years_reported) | set(meta.years_planned)
        if figure is not None and figure.get("year"):
            covered.add(figure["year"])
        if not covered & set(q.years):
            return False
    return True


def supports(ans: "AnswerContext", q: QuestionInfo, result: Answer, top: list[Hit]) -> bool:
    """Whether the cited passages really hold what the question asks; False makes the answerer abstain."""
    return support.unsupported(ans, q, result, top) is None
