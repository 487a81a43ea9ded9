"""Fuzzing the number parser, the number finder and the calculator with hypothesis.

Properties: nothing but the documented error escapes, every value is finite, offsets point at the
raw text, formatting and parsing round-trip, and each example finishes within the deadline (long
adversarial tokens included: before the fix a 40,000-character "1.1.1…" took minutes).
"""

from __future__ import annotations

import math
import os
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.calculator import FUNCTIONS, MAX_MAGNITUDE, calculator_text, evaluate
from assistant.errors import CalculationError
from assistant.vietnamese.number_finder import find_numbers
from assistant.vietnamese.numbers import format_number, format_percent, parse_number

#: Examples per property (FUZZ_EXAMPLES=5000 for a long run); deadline in ms per example, generous for a shared machine.
FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")), deadline=2000)
KINDS = {"quantity", "percent", "ratio", "money", "year", "date"}

number_like = st.from_regex(r"\A[-+−]?\s?[0-9.,]{0,40}\s?%?\Z")
long_tokens = st.builds(
    lambda token, n, tail: token * n + tail,
    st.sampled_from(["1.", "1,", "12/", "1.000", "a", "x@", "1:", "www.", "0", "-1", "https://"]),
    st.integers(1, 20_000),
    st.sampled_from(["", "1", " trạm", "%", ".vn", " triệu đồng"]),
)
prose = st.lists(
    st.sampled_from(
        list("0123456789.,/:%-+()\t\n ")
        + ["trạm", "năm ", "tỷ ", "triệu ", "đồng", "người", "ngày ", "Quý II", "số ", "QĐ-UBND", "https://a.vn", "@"]
    ),
    max_size=120,
).map("".join)


# --- parse_number ---------------------------------------------------------------------------


@FUZZ
@given(st.one_of(st.text(max_size=60), number_like, long_tokens))
def test_parse_number_returns_a_finite_float_or_none(text):
    value = parse_number(text)
    assert value is None or (isinstance(value, float) and math.isfinite(value))


def test_a_number_too_long_to_be_finite_is_none():
    assert parse_number("1" * 400) is None and parse_number("1" + ".000" * 120) is None
    assert parse_number("9" * 300) == float("9" * 300)


@FUZZ
@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_format_then_parse_round_trips(x):
    text = format_number(x)
    back = parse_number(text)
    assert back is not None and abs(back - x) <= 5e-7 + 1e-15 * abs(x)
    assert format_number(back) == text  # a written figure reads back to itself


# --- find_numbers ---------------------------------------------------------------------------


def _check_matches(text, found):
    starts = [m.start for m in found]
    assert starts == sorted(starts)
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start
    for m in found:
        assert text[m.start : m.end] == m.raw and m.start < m.end
        assert m.kind in KINDS and math.isfinite(m.value) and math.isfinite(m.absolute)
        assert m.is_percent == (m.kind == "percent")
        if m.kind == "ratio":
            assert m.total is not None and math.isfinite(m.total) and m.total != 0


@FUZZ
@given(st.one_of(prose, st.text(max_size=200), long_tokens))
def test_find_numbers_never_crashes_and_points_at_its_text(text):
    _check_matches(text, find_numbers(text))


@FUZZ
@given(st.integers(0, 10**12), st.integers(0, 2))
def test_a_written_percent_is_found_with_its_value(units, places):
    value = float(Decimal(units).scaleb(-places))
    text = f"Tỷ lệ hồ sơ trực tuyến đạt {format_percent(value)} trong năm 2023."
    [m] = [m for m in find_numbers(text) if m.kind == "percent"]
    assert m.value == value and m.raw == format_percent(value)


@FUZZ
@given(st.integers(1, 10**9), st.sampled_from([("triệu đồng", 1e6), ("tỷ đồng", 1e9), ("nghìn đồng", 1e3)]))
def test_a_written_amount_of_money_is_found_with_its_scale(n, unit_scale):
    unit, scale = unit_scale
    text = f"Tổng kinh phí thực hiện là {format_number(n)} {unit}."
    [m] = find_numbers(text)
    assert (m.kind, m.value, m.unit, m.scale, m.absolute) == ("money", n, unit, scale, n * scale)


# --- the calculator -------------------------------------------------------------------------

literals = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(-1e12, 1e12, allow_nan=False).map(repr),
    st.sampled_from(["0", "1e308", "1e-308", "9" * 30, "0.5", "-0"]),
)


def _expressions(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**"]), children).map(
        lambda t: f"({t[0]} {t[1]} {t[2]})"
    )
    calls = st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(children, max_size=3)).map(
        lambda t: f"{t[0]}({', '.join(t[1])})"
    )
    return st.one_of(binary, calls, children.map(lambda c: f"-{c}"))


expressions = st.recursive(literals, _expressions, max_leaves=12)
junk = st.lists(
    st.sampled_from(list("0123456789.+-*/()%, eE_xjabs[]{}'\"\\") + ["**", "lambda", "__", "round(", "sum("]),
    max_size=40,
).map("".join)


def _evaluate_or_refuse(expression: str):
    try:
        result = evaluate(expression)
    except CalculationError:
        return None
    assert math.isfinite(result) and abs(result) <= MAX_MAGNITUDE
    return result


@FUZZ
@given(st.one_of(expressions, junk, st.text(max_size=80)))
def test_the_calculator_answers_or_refuses_with_its_own_error(expression):
    _evaluate_or_refuse(expression)


@FUZZ
@given(expressions)
def test_calculator_text_never_raises(expression):
    text = calculator_text(expression)
    assert text.startswith("Lỗi: ") or parse_number(text) is not None


@FUZZ
@given(st.lists(st.integers(-(10**5), 10**5), min_size=1, max_size=8), st.data())
def test_integer_arithmetic_matches_python_exactly(numbers, data):
    ops = [data.draw(st.sampled_from(["+", "-", "*"])) for _ in numbers[1:]]
    expression = str(numbers[0]) + "".join(f" {op} ({n})" for op, n in zip(ops, numbers[1:]))
    exact = eval(expression, {"__builtins__": {}})  # the reference: Python's own integers
    if abs(exact) < 2**53:
        assert evaluate(expression) == exact


def test_round_of_a_huge_number_is_answered():  # found by the fuzzing above
    assert evaluate("round(1e18, 10)") == 1e18
    assert evaluate("round(123456789012345678.5, 0)") == 123456789012345680.0


def test_a_tiny_base_to_a_negative_power_is_refused():  # found by the fuzzing above
    with pytest.raises(CalculationError):
        evaluate("1e-151 ** -3")
