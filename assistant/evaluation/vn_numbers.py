"""A small parser for numbers as Vietnamese documents write them.

Vietnamese uses ``.`` for thousands and ``,`` for decimals (``1.222`` = 1222,
``59,25`` = 59.25, ``72.524,5`` = 72524.5). The parser also reads English-style numbers
when the text is unambiguous (``1,222,000``, ``72524.5``, ``1.5``).

Rules for one token (digits joined by ``.`` / ``,``):
- both separators: the last one is the decimal mark, the other groups thousands;
- only dots: thousands when every group after the first has exactly 3 digits
  (``1.222``, ``1.222.000``), a decimal point when there is one dot (``10.25``);
- only commas: a decimal comma when there is one (``1,222`` = 1.222, as Vietnamese
  reads it), thousands when there are several 3-digit groups (``1,222,000``);
- anything else (``21.4.2020``) is not a number and is skipped.
A leading ``-`` / ``−`` makes the number negative unless it follows a word or a digit
(``2016-2020`` is two numbers, not 2016 and -2020).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"(?<![\w.,])(?:[-\u2212](?=\d))?\d(?:[\d.,]*\d)?")
_THOUSANDS_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+")
_THOUSANDS_COMMAS = re.compile(r"\d{1,3}(?:,\d{3}){2,}")


def parse_number(token: str) -> float | None:
    """Read one number token (``"1.222"``, ``"59,25"``, ``"-3"``); None when ambiguous."""
    sign = -1.0 if token[:1] in "-\u2212" else 1.0
    body = token.lstrip("-\u2212")
    if not body or not body[0].isdigit() or not body[-1].isdigit():
        return None
    has_dot, has_comma = "." in body, "," in body
    if has_dot and has_comma:
        decimal = "," if body.rfind(",") > body.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = body.rpartition(decimal)
        if decimal in whole:
            return None
        digits = whole.replace(thousands, "")
        if not digits.isdigit() or not frac.isdigit():
            return None
        return sign * float(f"{digits}.{frac}")
    if has_dot:
        if _THOUSANDS_DOTS.fullmatch(body):
            return sign * float(body.replace(".", ""))
        return sign * float(body) if body.count(".") == 1 else None
    if has_comma:
        if body.count(",") == 1:
            return sign * float(body.replace(",", "."))
        if _THOUSANDS_COMMAS.fullmatch(body):
            return sign * float(body.replace(",", ""))
        return None
    return sign * float(body)


def parse_numbers(text: str) -> list[float]:
    """Every number written in ``text``, in order of appearance."""
    out: list[float] = []
    for match in _TOKEN.finditer(text):
        value = parse_number(match.group())
        if value is not None:
            out.append(value)
    return out
