"""Terminal output: an Answer as plain text, and JSON that stays readable.

Everything taken from documents or typed by users (file names, titles, sections, passages) is
printed through :func:`assistant.errors.shown`: a tab, a newline or a right-to-left override in a
file name shows as ``\\t``, ``\\n``, ``\\u202e`` instead of moving the text around.
"""

from __future__ import annotations

import json
import unicodedata

from assistant.errors import shown
from assistant.models import Answer

_STATUS = {"verified": "✓ khớp tài liệu", "computed": "✓ máy tính", "unverified": "⚠ chưa kiểm chứng"}
#: Escaped in JSON output too (json.dumps only escapes below U+0020): DEL and C1 controls, format
#: characters (bidi overrides, zero-width), line/paragraph separators, lone surrogates.
_JSON_UNSAFE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def render_answer(answer: Answer, *, passages: int = 3) -> str:
    lines = [_lines(answer.answer)]
    if answer.figures:
        lines.append(
            "Số liệu: " + "; ".join(f"{shown(f.text)} ({_STATUS.get(f.status, f.status)})" for f in answer.figures)
        )
    if answer.calculation:
        lines.append(f"Phép tính: {shown(answer.calculation.expression)} = {answer.calculation.result:g}")
    for c in answer.citations:
        where = f" › {shown(c.section, limit=None)}" if c.section else ""
        lines.append(f"[{c.number}] {shown(c.title, limit=None)}{where}\n    “{flat(c.quote)}”")
    if answer.abstained and answer.retrieved:
        lines.append("Các đoạn gần nhất:")
        for p in answer.retrieved[:passages]:
            lines.append(f"  - {shown(p.title, limit=None)}: {flat(p.text, 200)}")
    return "\n".join(lines)


def _lines(text: str) -> str:
    """Text that may span lines (an answer): line breaks kept, tabs made spaces, the rest made safe."""
    return "\n".join(shown(line.replace("\t", "  "), limit=None) for line in text.split("\n"))


def flat(text: str, limit: int | None = None) -> str:
    """A passage on one line (white space runs made one space), cut at ``limit``, made safe."""
    one_line = " ".join(text.split())
    return shown(one_line if limit is None else one_line[:limit], limit=None)


def to_json(data: object) -> str:
    """Indented JSON with Vietnamese as it is (no ``\\uXXXX``), only unsafe characters escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if text.isprintable() or all(_safe_in_json(ch) for ch in text):
        return text
    return "".join(ch if _safe_in_json(ch) else _json_escape(ch) for ch in text)


def _safe_in_json(ch: str) -> bool:
    return ch == "\n" or unicodedata.category(ch) not in _JSON_UNSAFE


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
