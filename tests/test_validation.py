"""What a user types, checked before any work: empty, meaningless, oversized, control characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import InvalidQuestionError
from assistant.validation import check_question, clean_question


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "???",
        "...",
        "🙂🙂🙂",
        "\u200b\u200b",
        "\u202e",
        "\ufeff",
        "\x00\x01\x1b",
        "!!! — … ???",
        "\t\n\r",
    ],
)
def test_empty_or_meaningless_question_is_refused_as_empty(text):
    with pytest.raises(InvalidQuestionError) as error:
        check_question(text, 1000)
    assert error.value.message.startswith("Câu hỏi đang trống")
    assert "Hãy nhập câu hỏi" in error.value.hint


def test_a_10_kb_question_is_refused_as_too_long():
    with pytest.raises(InvalidQuestionError, match="vượt giới hạn 1000 ký tự"):
        check_question("trạm BTS " * 1200, 1000)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("Năm 2023\tcó bao nhiêu\ntrạm BTS?", "Năm 2023 có bao nhiêu trạm BTS?"),
        ("trạm\x00BTS\x1b[31m năm 2023", "trạm BTS [31m năm 2023"),  # NUL and escape become spaces
        ("tr\u200bạm BTS\u202e năm 2023", "trạm BTS năm 2023"),  # zero-width and bidi override dropped
        (unicodedata.normalize("NFD", "Trà Vinh có bao nhiêu bưu cục?"), "Trà Vinh có bao nhiêu bưu cục?"),
        ("Tra\u200b\u0300 Vinh có bao nhiêu trạm?", "Trà Vinh có bao nhiêu trạm?"),  # NFC after the drop
        ("trạm \udcff BTS", "trạm BTS"),  # an undecodable byte from the command line
        ("<script>alert(1)</script> trạm BTS", "<script>alert(1)</script> trạm BTS"),  # kept: escaped at output
        ("'; DROP TABLE x; -- trạm", "'; DROP TABLE x; -- trạm"),
        ("كم عدد المحطات", "كم عدد المحطات"),  # right-to-left letters are letters
        ("2023?", "2023?"),
    ],
)
def test_control_and_invisible_characters_are_cleaned(raw, clean):
    assert check_question(raw, 1000) == clean


def test_ordinary_questions_pass_unchanged():
    q = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
    assert check_question(q, 1000) is not None and check_question(q, 1000) == q


@given(st.text(max_size=300))
def test_any_text_is_either_a_clean_question_or_a_clear_refusal(text):
    try:
        cleaned = check_question(text, 200)
    except InvalidQuestionError as exc:
        assert exc.message.startswith(("Câu hỏi đang trống", "Câu hỏi dài"))
        return
    assert cleaned == clean_question(cleaned)  # idempotent
    assert 0 < len(cleaned) <= 200 and cleaned.isprintable()
    assert any(unicodedata.category(ch)[0] in "LN" for ch in cleaned)
    cleaned.encode("utf-8")  # no lone surrogate left
