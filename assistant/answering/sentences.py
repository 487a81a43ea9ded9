"""Answers from sentences: dates, names, lists and explanations, or the table cell asked for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.answering.text import clip, sentences
from assistant.models import Answer, Chunk, Hit
from assistant.question import QuestionInfo

if TYPE_CHECKING:
    from assistant.answering.answerer import DefaultAnswerer

DATE = re.compile(
    r"(?:[Qq]uý\s+[IV]+(?:/\d{4})?|ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
    r"|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}|\b\d{1,2}/\d{1,2}\b"
    r"|năm\s+\d{4}|[Tt]hường xuyên|[Hh]àng năm|[Hh]ằng năm)"
)


def sentence_answer(ans: "DefaultAnswerer", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    best = None
    for rank, hit in enumerate(top):
        if not ans.in_scope(q, hit):
            continue
        section = ans.text_tokens(hit.chunk.section)
        for start, end, text in sentences(hit.chunk):
            toks = ans.text_tokens(text)
            score = ans.coverage(q, toks) + 0.3 * ans.coverage(q, section) + 0.3 * hit.score + 0.1 / (rank + 1)
            if q.kind == "date" and not DATE.search(text):
                score -= 0.3
            if best is None or score > best[0]:
                best = (score, start, end, text, hit)
    if best is None:
        return None
    score, start, end, text, hit = best
    coverage = ans.coverage(q, ans.text_tokens(text) | ans.text_tokens(hit.chunk.section))
    if coverage < ans.min_coverage:
        return None
    citation = ans.citation(1, hit.chunk, start, end)
    if hit.chunk.kind == "table":
        body = table_answer(q, hit.chunk, text)
    elif q.kind == "date":
        dates = [m.group(0) for m in DATE.finditer(text) if not any(n in m.group(0) for n in q.numbers)]
        body = dates[0] if dates else clip(text)
        if dates:
            body = f"{', '.join(dict.fromkeys(dates[:2]))} — {clip(text, 250)}"
    else:
        body = clip(text)
    return Answer(question=q.text, answer=f"{body} [1]", citations=[citation])


COLUMN_HINTS = [
    (r"chu tri", "chủ trì"), (r"phoi hop", "phối hợp"), (r"thoi gian|khi nao|thoi han|bao gio", "thời gian"),
    (r"nguon von|nguon kinh phi", "nguồn"), (r"giai ngan", "giải ngân"), (r"tong muc|dau tu", "tổng mức"),
    (r"linh vuc", "lĩnh vực"), (r"muc tieu", "mục tiêu"), (r"pham vi", "phạm vi"), (r"don vi tinh", "đơn vị tính"),
]


def table_answer(q: QuestionInfo, chunk: Chunk, rendered: str) -> str:
    """For a table row, the cell the question asks for (by column header), else the row."""
    if chunk.header:
        names = chunk.header.split("\t")
        cells = chunk.text.split("\n")[0].split("\t")
        for pattern, header_word in COLUMN_HINTS:
            if re.search(pattern, q.folded):
                for i, name in enumerate(names):
                    if header_word in name.lower() and i < len(cells) and cells[i].strip():
                        label = cells[1].strip() if len(cells) > 1 else ""
                        return f"{cells[i].strip()} ({name.strip()} — {clip(label, 160)})"
    return clip(rendered)
