"""Plain-text rendering of an Answer for the terminal."""

from __future__ import annotations

from assistant.models import Answer

_STATUS = {"verified": "✓ khớp tài liệu", "computed": "✓ máy tính", "unverified": "⚠ chưa kiểm chứng"}


def render_answer(answer: Answer, *, passages: int = 3) -> str:
    lines = [answer.answer]
    if answer.figures:
        lines.append("Số liệu: " + "; ".join(f"{f.text} ({_STATUS.get(f.status, f.status)})" for f in answer.figures))
    if answer.calculation:
        lines.append(f"Phép tính: {answer.calculation.expression} = {answer.calculation.result:g}")
    for c in answer.citations:
        where = f" › {c.section}" if c.section else ""
        lines.append(f"[{c.number}] {c.title}{where}\n    “{' '.join(c.quote.split())}”")
    if answer.abstained and answer.retrieved:
        lines.append("Các đoạn gần nhất:")
        for p in answer.retrieved[:passages]:
            lines.append(f"  - {p.title}: {' '.join(p.text.split())[:200]}")
    return "\n".join(lines)
