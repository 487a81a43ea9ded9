"""Scope checks: does the question, or a passage, speak of a province and year the documents hold?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.answering import support
from assistant.answering.question import QuestionInfo
from assistant.models import Answer, Hit
from assistant.vietnamese.text import fold

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


def supports(ans: "AnswerContext", q: QuestionInfo, result: Answer, top: list[Hit]) -> bool:
    """Whether the cited passages really hold what the question asks; False makes the answerer abstain."""
    return support.unsupported(ans, q, result, top) is None
