"""Checks on what a user types, before any work is done."""

from __future__ import annotations

from assistant.errors import InvalidQuestionError


def check_question(text: str, max_chars: int) -> str:
    """The question stripped, or a clear error for an empty or oversized one."""
    if text is None or not str(text).strip():
        raise InvalidQuestionError(
            "Câu hỏi đang trống.", hint="Hãy nhập câu hỏi, ví dụ: “Năm 2023 tỉnh có bao nhiêu trạm BTS?”"
        )
    text = " ".join(str(text).split())
    if not any(ch.isalnum() for ch in text):  # "???", "🙂🙂", "..." say nothing to search for
        raise InvalidQuestionError(
            "Câu hỏi không có chữ hoặc số nào.",
            hint="Hãy nhập câu hỏi bằng chữ, ví dụ: “Năm 2023 tỉnh có bao nhiêu trạm BTS?”",
        )
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"Câu hỏi dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự.",
            hint="Hãy rút gọn câu hỏi, mỗi lần hỏi một ý.",
        )
    return text
