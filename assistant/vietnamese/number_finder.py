"""Find the numbers in running Vietnamese text and tell what each is.

Kinds: ``quantity``, ``percent`` (``59,25%``), ``ratio`` (``27/63``: value 27, total 63),
``money`` (unit in đồng/USD), ``year`` (bare 1900–2100) and ``date`` (``21/4/2020``, ``10/10``,
``9/2022``, ``Quý II/2020``, ``ngày 20``). Document numbers (``2063/QĐ-UBND``, ``36-NQ/TW``,
``Quyết định số 2392``), section/list markers, versions, standards (``9001:2015``), codes (``4G``,
``T63``, ``IPv6``) and URLs are not reported. See :mod:`assistant.vietnamese.numbers` for the
conventions; text must already be NFC-normalized, offsets index into it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.vietnamese.lexicon import (
    DATE_AFTER,
    DATE_BEFORE,
    DOC_TYPES,
    ID_BEFORE,
    QUALIFIERS,
    TIME_UNITS,
    UNITS,
)
from assistant.vietnamese.numbers import VN_GROUPED, parse_number, scale_of

__all__ = ["NumberMatch", "find_numbers"]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A number found in text. ``start``/``end`` cover ``raw`` (``%`` included)."""

    start: int
    end: int
    raw: str
    value: float
    kind: str  # "quantity" | "percent" | "ratio" | "money" | "year" | "date"
    is_percent: bool = False
    unit: str | None = None
    qualifier: str | None = None
    scale: float = 1.0
    total: float | None = None  # the denominator of a ratio ("27/63" → 63)

    @property
    def absolute(self) -> float:
        """``value`` times the scale word in the unit (``2 triệu`` → 2 000 000)."""
        return self.value * self.scale


_CANDIDATE = re.compile(r"[0-9](?:[0-9.,/:]*[0-9])?")
_WORD = r"[^\W\d_]+"
_LETTER = re.compile(r"[^\W\d_]")
#: Each alternative that opens with a repeated class starts only where a run of that class starts
#: (the leftmost match of the old pattern started there anyway): on a long run such as
#: "1.1.1.1…" a start inside the run would rescan it to its end, quadratic in its length.
_URL = re.compile(
    r"<[a-z]+://[^>\s]*>|(?<![a-z])[a-z]+://\S+|www\.\S+|(?<!\S)\S+@\S+|"
    r"(?<![\w.-])[.-]*\b[\w.-]+\.(?:gov\.vn|com\.vn|edu\.vn|org\.vn|vn|com|net|org)\b\S*",
    re.IGNORECASE,
)
_LINE_MARKER = re.compile(r"[ \t]*(?:[*#>]+[ \t]*)?(?:[-+•][ \t]*)?")
_ROMAN = re.compile(r"(?:quý|Quý|QUÝ)\s+[IVX]+$")

_UNIT_PATTERNS = tuple(
    (
        unit,
        re.compile(
            r"[ \u00a0\r\n]+".join(map(re.escape, unit.split())) + r"(?![^\W\d_])",
            re.IGNORECASE if unit.islower() else 0,
        ),
    )
    for unit in UNITS
)
_GLUED_UNITS = ("km", "m", "kV", "kW", "MW", "MB", "GB", "TB", "Mbps", "Gbps", "ha", "giờ", "phút", "kg", "cm", "mm")
_MONEY = re.compile(r"(?:đồng|VNĐ|VND|USD)$")


def find_numbers(text: str) -> list[NumberMatch]:
    """Every quantity, percent, ratio, amount of money, year and date in ``text``.

    Document numbers, section markers, versions, standards, codes and URLs are skipped.
    """
    skip = [m.span() for m in _URL.finditer(text)]
    out: list[NumberMatch] = []
    for m in _CANDIDATE.finditer(text):
        start, end = m.span()
        if any(a <= start < b for a, b in skip):
            continue
        found = _classify(text, start, end, m.group())
        if found is not None:
            out.append(found)
    return _share_range_units(text, out)


def _classify(text: str, start: int, end: int, raw: str) -> NumberMatch | None:
    prev = text[start - 1] if start else ""
    prev2 = text[start - 2] if start > 1 else ""
    rest = text[end : end + 40]
    before = text[max(0, start - 60) : start]
    if ":" in raw:
        return None  # standards and times: "9001:2015", "8:30"
    if prev and (_LETTER.match(prev) or prev in "_@#&"):
        return None  # codes: "T63", "IPv6", "G2G"
    if prev and prev in "-." and (_LETTER.match(prev2) or (prev == "." and prev2.isdigit())):
        return None  # "Covid-19", "DC-02M.19"
    if prev == "/" or (prev == "," and prev2.isdigit()):
        if prev == "/" and _ROMAN.search(before[:-1]):
            year = parse_number(raw)
            return NumberMatch(start, end, raw, year or 0.0, "date") if year else None
        return None
    suffix = re.match(r"[/-]\s?([^\W\d_])", rest)
    if suffix and suffix.group(1).isupper():
        return None  # document numbers "2063/QĐ-UBND", "36-NQ/TW"
    glued = re.match(_WORD, rest)
    if glued and glued.group() not in _GLUED_UNITS:
        return None  # "4G", "5G", "02M", "30c/NQ-CP"
    if prev == "(" and rest[:1] == ")" and raw.isdigit():
        return None  # enumerators "(1)"
    if _at_line_start(text, start) and re.match(r"[.)]?(?:\t|[.)](?:\s|$))", rest) and re.fullmatch(r"\d{1,3}", raw):
        return None  # list, section and table-row markers "1.", "2)", "3\t" at line start
    words_before = _words_before(text, start)
    if "/" in raw:
        return _slashed(text, start, end, raw, words_before)
    if "." in raw and not VN_GROUPED.fullmatch(raw):
        return None  # "1.0", "2.1.3", "1.5": section, version or article numbers
    value = parse_number(raw)
    if value is None:
        return None
    if re.fullmatch(r"\d{1,3},000", raw):
        value = float(raw.replace(",", ""))  # "122,000 lượt": English grouping slipped in
    last = words_before[-1].lower() if words_before else ""
    percent = rest[:1] == "%"
    if last in DATE_BEFORE and raw.isdigit() and value <= 31 and not percent:
        return NumberMatch(start, end, raw, value, "date")
    if re.fullmatch(r"(?:19|20)\d\d|2100", raw) and not percent:
        return NumberMatch(start, end, raw, value, "year")
    if not percent and _is_identifier(words_before, text, end):
        return None
    found = _with_unit(text, start, end, raw, value, words_before)
    if found.unit is None and raw.isdigit() and _after_name(text, start, words_before):
        return None  # "“Lớp 1”": a name, not a count
    return found


def _slashed(text: str, start: int, end: int, raw: str, words_before: list[str]) -> NumberMatch | None:
    parts = raw.split("/")
    parsed = [parse_number(p) for p in parts]
    if any("." in p and not VN_GROUPED.fullmatch(p) for p in parts):
        return None
    values = [v for v in parsed if v is not None]
    if len(values) != len(parts) or len(values) not in (2, 3):
        return None
    if len(values) == 3:
        d, mo, y = values
        return NumberMatch(start, end, raw, y, "date") if _valid_day_month(d, mo) and 1900 <= y <= 2100 else None
    a, b = values
    if 1900 <= b <= 2100 and re.fullmatch(r"\d{4}", parts[1]) and 1 <= a <= 12:
        return NumberMatch(start, end, raw, b, "date")  # "9/2022", "tháng 07/2023"
    last = words_before[-1].lower() if words_before else ""
    if _valid_day_month(a, b) and "." not in raw:
        nxt = re.match(r"\s*(" + _WORD + ")", text[end : end + 30])
        prev_char = text[start - 1] if start else ""
        if last in DATE_BEFORE or a > b or prev_char == "(" or not nxt or nxt.group(1).lower() in DATE_AFTER:
            return NumberMatch(start, end, raw, a, "date")
    if b == 0:
        return None
    ratio = _with_unit(text, start, end, raw, a, words_before)
    return NumberMatch(start, end, raw, a, "ratio", False, ratio.unit, ratio.qualifier, ratio.scale, b)


def _valid_day_month(d: float, m: float) -> bool:
    return 1 <= d <= 31 and 1 <= m <= 12 and d == int(d) and m == int(m)


def _after_name(text: str, start: int, words_before: list[str]) -> bool:
    """The number directly follows a capitalized word inside a sentence ("Lớp 1")."""
    if not words_before:
        return False
    word = words_before[-1]
    if not word[:1].isupper() or not text[start - 1 : start].isspace() or word.endswith(":"):
        return False  # "THCS: 100" labels a count
    head = text[:start].rstrip()[: -len(word)]
    if head.endswith(("“", '"')):
        return True  # “Lớp 1”
    head = head.rstrip(" \t*")
    return bool(head) and head[-1] not in ".!?\n-+•"


def _is_identifier(words_before: list[str], text: str, end: int) -> bool:
    if len(words_before) >= 2 and re.fullmatch(r"\d+,", words_before[-1]):
        words_before = words_before[:-1]  # "mức độ 3, 4"
    tail = " ".join(words_before[-3:]).lower()
    for kw in ID_BEFORE:
        if tail == kw or tail.endswith(" " + kw):
            if kw in ("kế hoạch", "chương trình", "đề án", "dự án", "giai đoạn"):
                unit = _unit_after(text, end)
                if unit in TIME_UNITS:
                    return False  # "kế hoạch 05 năm"
            return True
    if words_before and words_before[-1].lower() == "số":
        head = " ".join(words_before[-4:-1]).lower()
        if any(head.endswith(dt) for dt in DOC_TYPES):
            return True  # "Quyết định số 2392"
    if re.match(r"\s+ngày\s+\d{1,2}/\d{1,2}/\d{4}", text[end : end + 20]):
        return True  # "... 2392 ngày 25/12/2017"
    return False


def _with_unit(text: str, start: int, end: int, raw: str, value: float, words_before: list[str]) -> NumberMatch:
    qualifier = _qualifier(words_before)
    rest = text[end:]
    if rest.startswith("%"):
        unit = "%/năm" if re.match(r"%\s?/\s?năm", rest) else "%"
        return NumberMatch(start, end + 1, text[start : end + 1], value, "percent", True, unit, qualifier)
    unit = _unit_after(text, end)
    if unit == "phần trăm":
        return NumberMatch(start, end, raw, value, "percent", True, "%", qualifier)
    scale = scale_of(unit)
    kind = "money" if unit and _MONEY.search(unit) else "quantity"
    return NumberMatch(start, end, raw, value, kind, False, unit, qualifier, scale)


def _unit_after(text: str, end: int) -> str | None:
    """The short noun phrase naming what the number counts or measures.

    It never crosses a table cell; it crosses a line break (PDF wrapping) only into a
    lowercase word.
    """
    rest = text[end : end + 80]
    glued = re.match(_WORD, rest)
    if glued and glued.group() in _GLUED_UNITS:
        return _with_per(glued.group(), rest[glued.end() :])
    line_start = text.rfind("\n", 0, end) + 1
    line_end = text.find("\n", end)
    in_table = "\t" in text[line_start : len(text) if line_end < 0 else line_end]
    m = re.match(r"[ \u00a0]+" if in_table else r"[ \u00a0\r\n]+", rest)
    if not m:
        return None
    rest = rest[m.end() :]
    if "\n" in m.group() and not rest[:1].islower():
        return None
    scale = re.match(r"(nghìn|ngàn|triệu|tỷ|tỉ)(?![^\W\d_])", rest)
    if scale:
        inner = _unit_after(rest, scale.end())
        return scale.group() + (" " + inner if inner else "")
    for unit, pattern in _UNIT_PATTERNS:
        u = pattern.match(rest)
        if u:
            return _with_per(unit, rest[u.end() :])
    acronym = re.match(r"[A-ZĐ][A-ZĐ0-9&]+(?![^\W_])", rest)
    if acronym:
        return acronym.group()
    return None


def _with_per(unit: str, rest: str) -> str:
    per = re.match(r"\s?/\s?(" + _WORD + ")", rest)
    return f"{unit}/{per.group(1)}" if per else unit


def _at_line_start(text: str, start: int) -> bool:
    """Only markup, bullets or spaces between the line (or table cell) start and ``start``."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\t", 0, start)) + 1
    return _LINE_MARKER.fullmatch(text, line_start, start) is not None


def _words_before(text: str, start: int) -> list[str]:
    window = text[max(0, start - 50) : start]
    return re.findall(r"[^\s(“\"]+", window)[-4:]


def _qualifier(words_before: list[str]) -> str | None:
    words: list[str] = []
    for w in words_before:  # only the words after the last clause punctuation count
        words = [] if w[-1] in ",;:.)”" else words + [w.strip('*“"').lower()]
    if words[-2:] == ["tỷ", "lệ"] and len(words) >= 3 and words[-3] in ("đạt", "chiếm"):
        return words[-3]
    for q in QUALIFIERS:
        n = len(q.split())
        if " ".join(words[-n:]) == q:
            return q
    return None


def _share_range_units(text: str, found: list[NumberMatch]) -> list[NumberMatch]:
    """``300 - 500m``: the first number of a range takes the second's unit."""
    out = list(found)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if (
            a.unit is None
            and a.kind == "quantity"
            and b.kind in ("quantity", "money")
            and b.unit
            and re.fullmatch(r"\s*(?:-|–|đến)\s*", text[a.end : b.start])
        ):
            out[i] = NumberMatch(a.start, a.end, a.raw, a.value, b.kind, False, b.unit, a.qualifier, b.scale)
    return out
