"""Multi-turn conversations: follow-up questions are completed from the previous turns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answering.analysis import YEAR as _YEAR
from assistant.models import Answer
from assistant.vietnamese.text import fold

_FOLLOW_UP = re.compile(
    r"^(còn|thế còn|vậy còn|con|the con|vay con)\b|(thì sao|thi sao|sao\?*$)|^(tỉnh nào|tinh nao|năm nào|nam nao)\??$",
    re.IGNORECASE,
)


def resolve_follow_up(question: str, previous: list[str]) -> str:
    """Rewrite a short follow-up ("còn năm 2021 thì sao?") into a standalone question."""
    if not previous:
        return question
    last = previous[-1]
    q = question.strip()
    if not _FOLLOW_UP.search(q) and len(q.split()) > 4:
        return question
    new_years = _YEAR.findall(q)
    if new_years and _YEAR.search(last):
        return _YEAR.sub(new_years[0], last, count=1)
    if new_years:
        return f"{last.rstrip('?')} năm {new_years[0]}?"
    core = re.sub(r"^(còn|thế còn|vậy còn)\s+|\s*(thì sao|sao)\??$", "", q, flags=re.IGNORECASE).strip(" ?")
    if fold(core.lower()) in {"tinh nao", "o tinh nao"}:
        return f"{last.rstrip('?')} là của tỉnh nào?"
    return f"{last.rstrip('?')} — {core}?" if core else last


def standalone(question: str, history: list[str]) -> str:
    """``question`` completed from the conversation so far (each earlier turn completed in turn)."""
    resolved: list[str] = []
    for earlier in history:
        resolved.append(resolve_follow_up(earlier, resolved))
    return resolve_follow_up(question, resolved)


@dataclass
class Conversation:
    """Keeps the questions asked so far and answers each one in context."""

    pipeline: object
    history: list[str] = field(default_factory=list)

    def ask(self, question: str, **options) -> Answer:
        answer = self.pipeline.ask(question, history=list(self.history), **options)
        self.history.append(question)
        return answer
