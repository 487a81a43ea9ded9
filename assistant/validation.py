"""Checks on what a user types, before any work is done."""

from __future__ import annotations

import unicodedata

from assistant.errors import InvalidQuestionError

_EMPTY_HINT = "Hãy nhập câu hỏi, ví dụ: “Năm 2023 tỉnh có bao nhiêu trạm BTS?”"
#: Dropped without a trace: invisible format characters (zero-width space and joiners, bidi
#: overrides and isolates, byte-order mark, soft hyphen), lone surrogates (undecodable input),
#: private-use and unassigned code points (nothing a reader could type or see).
_DROPPED = frozenset({"Cf", "Cs", "Co", "Cn"})


def clean_question(text: object) -> str:
    """NFC; control characters (tab, newline, escape, NUL …) become spaces, invisible and
    unprintable ones go; runs of white space become one space. The result is printable."""
    text = "" if text is None else str(text)
    if not text.isascii() or not text.isprintable():
        text = unicodedata.normalize("NFC", "".join(_clean_char(ch) for ch in text))
    return " ".join(text.split())


def _clean_char(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc":
        return " "
    return "" if category in _DROPPED else ch


def check_question(text: str, max_chars: int) -> str:
    """The question cleaned (see :func:`clean_question`), or a clear error for an empty, oversized
    or meaningless one (only punctuation, symbols, emoji or invisible characters)."""
    text = clean_question(text)
    if not text:
        raise InvalidQuestionError("Câu hỏi đang trống.", hint=_EMPTY_HINT)
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"Câu hỏi dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự.",
            hint="Hãy rút gọn câu hỏi, mỗi lần hỏi một ý.",
        )
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        raise InvalidQuestionError(
            "Câu hỏi đang trống: không có chữ hay chữ số nào, chỉ có dấu câu, biểu tượng hoặc ký tự ẩn.",
            hint=_EMPTY_HINT,
        )
    return text
