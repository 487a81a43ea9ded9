"""Labelled levels: "… được phê duyệt cấp độ mấy?" is answered by the number a label gives.

Documents write levels as labels, not quantities: "hệ thống Cổng dịch vụ công (cấp độ 3)",
"dịch vụ công trực tuyến mức độ 4". Index-time figures skip them (a label is an identifier),
so the question is answered from the passage text: every "<label> N" of the top passages is
scored by how well the item it labels — the words before it back to the previous list
separator — and its sentence fit the question.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from assistant.answering.question import QuestionInfo
from assistant.answering.text import tokens
from assistant.models import Answer, Hit

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

#: The labels a question can ask the number of, folded → as written.
_LABELS = {"cap do": "cấp độ", "muc do": "mức độ", "giai doan": "giai đoạn", "muc": "mức"}
#: "mức bao nhiêu" asks an amount ("hỗ trợ mức bao nhiêu?"), "mức mấy" a level.
_ASKED = re.compile(r"\b(cap do|muc do|giai doan) (?:may|bao nhieu)\b|\b(muc) may\b")
_ITEM_STOP = re.compile(r"[,;:(]|\s(?:và|gồm)\s")


def level_answer(ans: AnswerContext, q: QuestionInfo, top: list[Hit]) -> Answer | None:
    """The level a label gives the item the question names, or None when none fits."""
    asked = _ASKED.search(" ".join(tokens(q.text)))
    if not asked:
        return None
    label = _LABELS[asked.group(1) or asked.group(2)]
    pattern = re.compile(rf"(?<!\w){label}\s+(\d{{1,2}})(?!\d)", re.IGNORECASE)
    best: tuple[float, int, Hit, re.Match[str]] | None = None
    for rank, hit in enumerate(top):
        if not ans.in_scope(q, hit):
            continue
        for m in pattern.finditer(hit.chunk.text):
            score = _fit(ans, q, hit, m) + 0.1 * hit.score + 0.05 / (rank + 1)
            if best is None or score > best[0]:
                best = (score, rank, hit, m)
    if best is None:
        return None
    _, _, hit, m = best
    text = hit.chunk.text
    line = text[text.rfind("\n", 0, m.start()) + 1 : text.find("\n", m.end()) % (len(text) + 1)]
    if ans.coverage(q, ans.text_tokens(f"{line} {hit.chunk.section}")) < ans.min_coverage:
        return None  # the paragraph the label stands in is about something else
    start, end = hit.chunk.start + m.start(), hit.chunk.start + m.end()
    item = _item(hit.chunk.text, m.start())
    shown = f"{label} {m.group(1)}"
    about = f"{item} — " if item else ""
    return Answer(
        question=q.text,
        answer=f"{shown} ({about}theo {hit.chunk.title}) [1].",
        value=float(m.group(1)),
        unit=label,
        citations=[ans.citation(1, hit.chunk, start, end)],
    )


def _item(text: str, at: int) -> str:
    """The item a label follows: "hệ thống Công dịch vụ công" in "…, hệ thống Công dịch vụ
    công (cấp độ 3), …" (the words back to the previous list separator)."""
    head = text[max(0, at - 160) : at].rstrip(" (")
    pieces = _ITEM_STOP.split(head)
    return " ".join(pieces[-1].split()) if pieces else ""


def _fit(ans: AnswerContext, q: QuestionInfo, hit: Hit, m: re.Match[str]) -> float:
    """How well the labelled item names what the question asks: the share of the question it
    covers and the share of its own words the question uses."""
    item = ans.text_tokens(_item(hit.chunk.text, m.start()))
    words = [w for w in item if not w.isdigit()]
    if not words:
        return 0.0
    asked = set(q.keywords) | ans.text_tokens(q.text)
    weight = {w: ans.idf.get(w, ans.default_idf) for w in words}
    precision = math.fsum(v for w, v in weight.items() if w in asked) / math.fsum(weight.values())
    return ans.coverage(q, item) + precision
