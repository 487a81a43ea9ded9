"""Figures: the numbers a chunk states, with what they measure and where they stand.

A :class:`Figure` is one quantity, percent, ratio or amount of money found by
:func:`assistant.numbers.find_numbers` (dates, years, document numbers are not figures),
enriched with its *indicator* — the phrase it quantifies — and its context.

Indicator rule (prose). The clause around the number is cut at ``; : ( ) “ ”``, tabs,
sentence ends, and at commas once the phrase already has three words (so that lists like
"xã, phường, thị trấn" stay whole). Then:

* counts (a unit that is a noun such as "dịch vụ", "trạm"): the words *after* the number,
  unit included — "1.057 dịch vụ công trực tuyến toàn trình" → "dịch vụ công trực tuyến
  toàn trình";
* percents and measures (%, km, triệu đồng…): the words after the unit when they name a
  subject ("83,21% hồ sơ công việc tại cấp tỉnh"), otherwise the words *before* the
  number ("tỷ lệ hộ gia đình … băng rộng đạt 59,25%"). A phrase before that is about a
  rate ("tỷ lệ …") wins; phrases after that are relative ("so với …", "mục tiêu",
  "theo …") never do;
* with nothing usable in the clause: the label before a colon ("Tổng kinh phí …: 72.524
  triệu đồng"), else the preceding clause without its numbers ("551 dịch vụ công … (chiếm
  tỷ lệ 29,65%)").

Trailing verbs and qualifiers ("đạt", "là", "hơn") and leading connectors are trimmed; at
most 12 words are kept, those nearest the number.

Table chunks (``kind == "table"``, tab-separated rows, ``header`` the header row): every
number in a cell gets ``column_header`` (its header cell) and ``row_header`` (the row's
name/task/indicator cell); the "TT" column is skipped. A cell that is only a number takes
its unit from the header ("(triệu đồng)") or the row's "Đơn vị tính" cell, is money under a
money header ("Tổng mức đầu tư", "Kinh phí …"), and its indicator is the column header —
or the row label under a value column such as "Kế hoạch năm 2024" (whose year it takes).
Its ``sentence`` is "row label | column header | cell"; ``sentence_start``/``end`` cover
the cell. Numbers inside a text cell are read as prose, with the headers added.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from pydantic import BaseModel

from assistant.figure_context import (
    heads,
    inherited_unit,
    qualifier_after,
    shared_predicate,
)
from assistant.models import Chunk
from assistant.numbers import NumberMatch, find_numbers, parse_number, scale_of

__all__ = ["FIGURES_VERSION", "FIGURE_KINDS", "Figure", "extract_figures"]

#: Bump when extraction changes what a figure records, so that stale indexes are rebuilt.
FIGURES_VERSION = "5"

#: The kinds of numbers that are figures (not dates, years or identifiers).
FIGURE_KINDS = frozenset(("quantity", "percent", "ratio", "money"))

MAX_INDICATOR_WORDS = 12


class Figure(BaseModel):
    """A number a document states, with its indicator and where it is."""

    value: float
    raw: str
    unit: str | None = None
    is_percent: bool = False
    kind: str = "quantity"  # "quantity" | "percent" | "ratio" | "money"
    qualifier: str | None = None  # "hơn", "trên", "khoảng", "đạt" …
    scale: float = 1.0  # 1e6 for "triệu …", 1e9 for "tỷ đồng"
    total: float | None = None  # a ratio's denominator: "27/63" → 63
    indicator: str = ""
    year: int | None = None
    place: str | None = None
    document: str
    chunk_id: str
    start: int  # offsets into the document text
    end: int
    sentence: str = ""  # whitespace-normalized
    sentence_start: int = 0
    sentence_end: int = 0
    row_header: str | None = None
    column_header: str | None = None
    lead: str = ""  # the words before a count in its clause: "cấp mới" in "cấp mới 740 chứng thư số"
    context: str = ""  # the heads it breaks down, innermost first (see figure_context), " | "-joined
    part: bool = False  # a breakdown item: inside a parenthesis, after "trong đó", …

    @property
    def absolute(self) -> float:
        """``value`` times its scale word (``2 triệu`` → 2 000 000)."""
        return self.value * self.scale


def extract_figures(chunk: Chunk) -> list[Figure]:
    """The figures a chunk states, in text order."""
    if chunk.kind == "table":
        return _table_figures(chunk)
    return _prose_figures(chunk, chunk.text, 0)


# --- prose -----------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)")
_LIST_MARKER = re.compile(r"\s*(?:[-+•*]|[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|\d{1,2}\))\s")
_HARD = ";:()“”\"\t[]"
_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")

_LEAD = ("triệu đồng", "tỷ đồng", "đồng", "trong đó", "tuy nhiên", "đến nay", "hiện nay", "hiện có", "và", "với", "gồm", "có",
         "đã", "là", "còn", "hoặc", "cùng", "nhưng", "đó", "thì", "thêm", "trên", "hơn",
         "khoảng", "gần", "đạt", "chiếm", "chỉ có", "chưa", "không", "đều", "cũng")
_TRAIL = ("tỷ lệ", "tỉ lệ", "tổng số", "chỉ có", "là", "có", "gồm", "với", "được", "bằng",
          "chiếm", "đạt", "và", "của", "cho", "tại", "ở", "hơn", "trên", "khoảng", "gần",
          "từ", "đến", "lên", "còn", "chỉ", "tối thiểu", "tối đa", "ít nhất", "dưới", "tăng",
          "giảm", "xấp xỉ", "trong", "thêm", "mới", "nâng", "đó", "qua", "sau", "chưa", "không")
_GENERIC = frozenset(("tỷ lệ", "tỉ lệ", "tỷ trọng", "mức", "tổng số", "số lượng", "tổng", "số",
                      "trong đó", ""))
_RELATIVE = ("so với", "so", "theo", "mục tiêu", "kế hoạch", "tổng", "trên tổng", "của",
             "trong tổng", "trở lên", "/")
_RATE = re.compile(r"\b(?:tỷ|tỉ) (?:lệ|trọng)\b", re.IGNORECASE)
_MEASURES = frozenset(("%", "%/năm", "km", "m", "kV", "MB", "GB", "TB", "Mbps", "Gbps", "ha"))
_YEAR = re.compile(r"\b(?:năm|tháng \d{1,2}/)\s*((?:19|20)\d\d)\b", re.IGNORECASE)


def _prose_figures(chunk: Chunk, text: str, base: int) -> list[Figure]:
    figures = [m for m in find_numbers(text) if m.kind in FIGURE_KINDS]
    bounds = _sentence_bounds(text)
    out: list[Figure] = []
    units: dict[int, str | None] = {}
    for k, m in enumerate(figures):
        s0, s1 = _sentence_span(text, bounds, m.start)
        unit = inherited_unit(text, s0, m, figures, units)
        if unit:
            m = NumberMatch(m.start, m.end, m.raw, m.value, m.kind, m.is_percent, unit, m.qualifier,
                            scale_of(unit), m.total)
            figures[k] = m
        units[m.start] = m.unit
        prev = figures[k - 1] if k else None
        same = prev is not None and s0 <= prev.start
        if prev is not None and same and re.fullmatch(r"\s*(?:-|–|đến)\s*", text[prev.end:m.start]):
            indicator = out[-1].indicator  # "300 - 500m": one indicator for the range
        else:
            indicator = _indicator(text, s0, s1, m, figures, out[-1].indicator if same else None)
        found = heads(text, s0, m, figures)
        context = [qualifier_after(text, m, m.unit, figures, s1), *found]
        part = bool(found) or re.match(r"(?:trong đó|cụ thể)\b", text[s0:s1], re.IGNORECASE) is not None
        out.append(_figure(chunk, m, base, text, s0, s1, indicator,
                           lead=_lead(text, s0, m, figures, indicator),
                           context=" | ".join(c for c in context if c), part=part))
    return _distribute_predicates(text, figures, out)


def _distribute_predicates(text: str, figures: list[NumberMatch], out: list[Figure]) -> list[Figure]:
    """Give every item of "83,21% hồ sơ tại cấp tỉnh, 78,05% … và 78,19% … được xử lý trên …"
    the predicate written once after the last item (see ``shared_predicate``)."""
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1].sentence_start == out[i].sentence_start \
                and out[j + 1].is_percent == out[i].is_percent \
                and re.fullmatch(r"[^;()]*(?:,|\svà\s)[^;()]*", text[figures[j].end:figures[j + 1].start]):
            j += 1
        found = shared_predicate([f.indicator for f in out[i:j + 1]]) if j > i else None
        if found:
            keep, predicate = found
            out[j] = out[j].model_copy(update={"indicator": " ".join(out[j].indicator.split()[:keep])})
            for k in range(i, j + 1):
                joined = " | ".join(c for c in (predicate, out[k].context) if c)
                out[k] = out[k].model_copy(update={"context": joined})
        i = j + 1
    return out


def _lead(text: str, s0: int, m: NumberMatch, figures: list[NumberMatch], indicator: str) -> str:
    """The words before ``m`` back to the previous figure or clause break, when they are not
    already its indicator: "cấp mới" in "Thu hồi 90 chứng thư số, cấp mới 740 chứng thư số"."""
    prev_end = max((f.end for f in figures if s0 <= f.end <= m.start and f is not m), default=s0)
    _, left = _clause_before(text, max(s0, prev_end), m.start)
    left = re.split(r"\s(?:và|hoặc)\s|,\s", left)[-1]  # "… cấp huyện và 78,19%": a new item
    words = _squash(left.translate(_SUPERSCRIPTS)).strip(" ,.;…").split()
    while words and _LIST_MARKER.match(words[0] + " "):
        words = words[1:]
    lead = " ".join(words[-8:])
    return "" if not lead or lead.lower() in indicator.lower() else lead


def _figure(chunk: Chunk, m: NumberMatch, base: int, text: str, s0: int, s1: int,
            indicator: str, **extra: object) -> Figure:
    sentence = text[s0:s1]
    return Figure(
        value=m.value, raw=m.raw, unit=m.unit, is_percent=m.is_percent, kind=m.kind,
        qualifier=m.qualifier, scale=m.scale, total=m.total, indicator=indicator,
        year=_year_near(sentence, m.start - s0), place=_place_near(sentence, m.start - s0),
        document=chunk.document, chunk_id=chunk.id, start=base + chunk.start + m.start,
        end=base + chunk.start + m.end, sentence=_squash(sentence),
        sentence_start=base + chunk.start + s0, sentence_end=base + chunk.start + s1, **extra,
    )


def _sentence_bounds(text: str) -> list[int]:
    """Sentence starts: after . ! ? … + space, after tabs and after real line breaks."""
    bounds = {0, len(text)}
    bounds.update(m.end() for m in _SENTENCE_END.finditer(text))
    bounds.update(m.end() for m in re.finditer(r"\t", text))
    bounds.update(m.end() for m in re.finditer(r"[ \t]*\n\s*", text)
                  if _line_break_ends_sentence(text, m.start(), m.end()))
    return sorted(bounds)


def _sentence_span(text: str, bounds: list[int], pos: int) -> tuple[int, int]:
    i = bisect_right(bounds, pos)
    start, end = bounds[i - 1], bounds[i] if i < len(bounds) else len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _line_break_ends_sentence(text: str, a: int, b: int) -> bool:
    nxt = text[b:b + 1]
    if not nxt or nxt.islower():
        return not nxt  # a lowercase next line continues a wrapped sentence
    prev = text[:a].rstrip()[-1:]
    return prev in ".:;!?…" or not prev or _LIST_MARKER.match(text, b) is not None


def _indicator(text: str, s0: int, s1: int, m: NumberMatch, figures: list[NumberMatch],
               previous: str | None) -> str:
    """The phrase ``m`` quantifies (see the module docstring); ``previous`` is the indicator
    of the figure before it in the same sentence."""
    prev_end = max((f.end for f in figures if s0 <= f.end <= m.start and f is not m), default=s0)
    next_start = min((f.start for f in figures if m.end <= f.start < s1 and f is not m),
                     default=s1)
    left_at, left = _clause_before(text, max(s0, prev_end), m.start)
    end = m.end
    partner = next((f for f in figures if f.start == next_start), None)
    if partner and re.fullmatch(r"\s*(?:-|–|đến)\s*", text[m.end:partner.start]):
        end = partner.end  # "từ 30% - 50% thời gian họp": describe the range once
        next_start = min((f.start for f in figures if end <= f.start < s1), default=s1)
    right = _clause_after(text, end, next_start)
    unit = m.unit or ""
    measure = m.is_percent or unit in _MEASURES or scale_of(unit) != 1 or m.kind == "money" \
        or unit in ("giờ", "phút", "ngày", "tháng", "năm", "tuần", "lần") or "/" in unit
    if measure and unit:
        right = _drop_unit(right, unit)
    if measure and re.match(r"\s*(?:và|hoặc|nhưng|,)", right):
        right = ""  # "200 triệu đồng và năm 2023 …": a new clause, not a subject
    before = _clean(_after_last(left, " với "), keep="first")
    after = _clean(_cut_tail(right), keep="first")
    label = _label_before(text, max(s0, prev_end), left_at)

    def fallback() -> str:
        return previous or _previous_clause(text, s0, left_at, figures)

    if not measure:  # a count: "1.057 dịch vụ công trực tuyến toàn trình"
        if after and unit and after.lower() != unit.lower():
            return after
        if before and re.search(r"\blà\s*$|tổng số|số lượng", left, re.IGNORECASE):
            return before  # "tổng số hệ thống … là 21/47 hệ thống"
        if label:
            return f"{unit} ({_trim(label, 'first', MAX_INDICATOR_WORDS - len(unit.split()))})" \
                if unit else label
        return after or before or fallback()
    relative = _starts_with(after, _RELATIVE)
    if before and _RATE.search(before):
        return before  # "tỷ lệ hộ gia đình … đạt 59,25%"
    if after and not relative:
        return after  # "83,21% hồ sơ công việc tại cấp tỉnh"
    return before or label or fallback()


def _clause_before(text: str, lo: int, pos: int) -> tuple[int, str]:
    """Words from the clause start to ``pos``; returns (clause start, text)."""
    i = pos
    piece_end = pos
    while i > lo:
        ch = text[i - 1]
        if ch in _HARD:
            break
        if ch == "," and not _in_number(text, i - 1):
            if not (_list_piece_after_comma(text[i:piece_end])
                    and _ends_list(text[lo:i - 1].split(",")[-1])):
                break
            piece_end = i - 1
        i -= 1
    return i, text[i:pos]


def _in_number(text: str, at: int) -> bool:
    return text[at - 1:at].isdigit() and text[at + 1:at + 2].isdigit()


_FUNCTION_WORDS = frozenset(("là", "đạt", "có", "và", "với", "của", "được", "đã", "chiếm", "gồm",
                             "trên", "hơn", "khoảng", "gần", "tại", "ở", "các", "những"))
# Nouns Vietnamese reports list with commas: "xã, phường, thị trấn", "cán bộ, công chức, …".
_LIST_WORDS = frozenset((
    "xã", "phường", "thị trấn", "huyện", "thị xã", "thành phố", "thành", "thị", "tỉnh", "sở",
    "ban", "ngành", "cơ quan", "đơn vị", "cán bộ", "công chức", "viên chức", "đảng viên",
    "tổ chức", "cá nhân", "doanh nghiệp", "hợp tác xã", "hộ kinh doanh", "người dân",
    "địa phương", "đoàn thể", "ấp", "khóm", "trường", "bệnh viện", "mặt trận", "máy chủ",
    "thiết bị", "hệ thống", "phần mềm", "cơ sở dữ liệu", "hồ sơ", "kết quả", "phản ánh",
    "kiến nghị", "nền tảng", "ứng dụng", "văn bản", "lệ phí", "phí",
))
_CODE = re.compile(r"[\w&]{1,5}")


def _words(piece: str) -> list[str]:
    words = (w.strip(",;:.()“”\"") for w in piece.replace("*", " ").split())
    return [w for w in words if w and w.lower() not in _FUNCTION_WORDS]


def _is_code(word: str) -> bool:
    return _CODE.fullmatch(word) is not None and any(c.isdigit() or c.isupper() for c in word)


def _list_piece_before_comma(piece: str) -> bool:
    """"UBND huyện", "phường", "4G": a short piece ending in a list noun."""
    words = _words(piece)
    return 0 < len(words) <= 4 and (_ends_list(piece) or _is_code(words[-1]))


def _list_piece_after_comma(piece: str) -> bool:
    """"ngành tỉnh", "4G": a short piece starting with a list noun."""
    words = _words(piece)
    return 0 < len(words) <= 4 and (_starts_list(piece) or _is_code(words[0]))


def _starts_list(piece: str) -> bool:
    words = _words(piece)
    low = [w.lower() for w in words]
    return any(" ".join(low[:n]) in _LIST_WORDS for n in (1, 2, 3)) or (
        bool(words) and _is_code(words[0]))


def _ends_list(piece: str) -> bool:
    words = _words(piece)
    low = [w.lower() for w in words]
    return any(" ".join(low[-n:]) in _LIST_WORDS for n in (1, 2, 3)) or (
        bool(words) and _is_code(words[-1]))


def _clause_after(text: str, pos: int, hi: int) -> str:
    i = pos
    piece_start = pos
    while i < hi:
        ch = text[i]
        if ch in _HARD or (ch in ".!?…" and (i + 1 >= len(text) or text[i + 1].isspace())):
            return text[pos:i]
        if ch == "," and not _in_number(text, i):
            nxt = text[i + 1:hi].split(",")[0]
            if not (_list_piece_before_comma(text[piece_start:i]) and _starts_list(nxt)
                    and not re.match(r"\s*(?:các|những|còn)\s", nxt)):
                return text[pos:i]  # "hệ thống, các cơ quan còn lại …" is a new clause
            piece_start = i + 1
        i += 1
    phrase = text[pos:i]  # stopped at the next number: "1.466 TTHC và tích hợp 930 …"
    cut = max(phrase.rfind(" và "), phrase.rfind(","))
    return phrase[:cut] if cut > 0 and len(phrase[cut:].split()) <= 4 else phrase


def _after_last(phrase: str, word: str) -> str:
    """"… đầu tư với tổng mức đầu tư" → "tổng mức đầu tư" (if that keeps two words)."""
    at = _squash(phrase).lower().rfind(word)
    rest = _squash(phrase)[at + len(word):] if at >= 0 else ""
    return rest if len(rest.split()) >= 2 else phrase


_TAIL = re.compile(r"\s(?:so với|so|theo|đạt|chiếm|tương ứng|trong đó|tăng|giảm)\s", re.IGNORECASE)


def _cut_tail(phrase: str) -> str:
    """Drop a trailing comparison: "hồ sơ so với tháng 9/2022" → "hồ sơ"."""
    m = _TAIL.search(" " + phrase + " ")
    return phrase[: max(0, m.start() - 1)] if m and m.start() > 1 else phrase


def _drop_unit(right: str, unit: str) -> str:
    pieces = [re.escape(p) for p in re.split(r"[ /]+", unit) if p]
    pattern = r"\s*" + r"[\s/]*".join(pieces) + r"(?![^\W\d_])"
    return re.sub(pattern, "", right, count=1, flags=re.IGNORECASE)


def _clean(phrase: str, keep: str) -> str:
    words = _squash(phrase.translate(_SUPERSCRIPTS).replace("*", " ")).strip(" ,.;…").split()
    while words and _LIST_MARKER.match(words[0] + " "):
        words = words[1:]
    changed = True
    while changed and words:
        changed = False
        for lead in _LEAD:
            n = len(lead.split())
            if " ".join(words[:n]).lower() == lead and len(words) > n:
                words, changed = words[n:], True
                break
        for trail in _TRAIL:
            n = len(trail.split())
            if " ".join(words[-n:]).lower().rstrip(",") == trail:
                words, changed = words[:-n], True
                break
    phrase = " ".join(words).strip(" ,")
    if phrase.lower() in _GENERIC:
        return ""
    return _trim(phrase, keep)


def _trim(phrase: str, keep: str, limit: int = MAX_INDICATOR_WORDS) -> str:
    words = phrase.split()
    words = words[-limit:] if keep == "last" else words[:limit]
    return " ".join(words).strip(" ,;")


def _starts_with(phrase: str, prefixes: tuple[str, ...]) -> bool:
    low = phrase.lower()
    return any(low == p or low.startswith(p + " ") or (p == "/" and low.startswith("/"))
               for p in prefixes)


def _label_before(text: str, s0: int, left_at: int) -> str:
    """"Tổng kinh phí …: 72.524 triệu đồng" → the words before the colon."""
    j = left_at
    while j > s0 and text[j - 1].isspace():
        j -= 1
    if j <= s0 or text[j - 1] != ":":
        return ""
    _, label = _clause_before(text, s0, j - 1)
    return _clean(label, keep="first")


def _previous_clause(text: str, s0: int, left_at: int, figures: list[NumberMatch]) -> str:
    j = left_at
    while j > s0 and (text[j - 1].isspace() or text[j - 1] in "(,“”)"):
        if text[j - 1] == ")":
            depth, k = 0, j - 1
            while k > s0:
                depth += {")": 1, "(": -1}.get(text[k], 0)
                if depth == 0:
                    break
                k -= 1
            j = k
            continue
        j -= 1
    if j <= s0:
        return ""
    i, clause = _clause_before(text, s0, j)
    for f in sorted((f for f in figures if i <= f.start and f.end <= j), key=lambda f: -f.start):
        clause = clause[: f.start - i] + clause[f.end - i:]
    return _clean(clause, keep="last")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _year_near(sentence: str, pos: int) -> int | None:
    """The "năm 20xx" (or "tháng m/20xx") nearest before ``pos``, else nearest after."""
    years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(sentence)]
    before = [y for at, y in years if at < pos]
    after = [y for at, y in years if at >= pos]
    return before[-1] if before else (after[0] if after else None)


# Provinces (63, as before the 2025 merger) and the districts of the corpus' provinces.
_PLACES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
    "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
    # Trà Vinh
    "Càng Long", "Cầu Kè", "Tiểu Cần", "Châu Thành", "Cầu Ngang", "Trà Cú", "Duyên Hải",
    # Tiền Giang
    "Mỹ Tho", "Gò Công Tây", "Gò Công Đông", "Gò Công", "Cai Lậy", "Cái Bè", "Chợ Gạo",
    "Tân Phước", "Tân Phú Đông",
)
_PLACE_RE = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, _PLACES)) + r")(?![^\W_])")


def _place_near(sentence: str, pos: int) -> str | None:
    """The province or district named nearest to ``pos`` in the sentence."""
    found = [(abs(m.start() - pos), m.group()) for m in _PLACE_RE.finditer(sentence)]
    return min(found)[1] if found else None


# --- tables ----------------------------------------------------------------------------------

_ORDINAL_COLUMN = re.compile(r"^(?:s?tt|số tt|số thứ tự)$", re.IGNORECASE)
_LABEL_COLUMN = re.compile(r"tên|nhiệm vụ|chỉ tiêu|nội dung|dự án|hạng mục|danh mục|hệ thống",
                           re.IGNORECASE)
_UNIT_COLUMN = re.compile(r"^đơn vị tính$|^đvt$", re.IGNORECASE)
_VALUE_COLUMN = re.compile(r"kế hoạch|thực hiện|^năm|ước|số lượng|giá trị|kết quả|chỉ số",
                           re.IGNORECASE)
_MONEY_COLUMN = re.compile(r"đầu tư|kinh phí|vốn|giải ngân|dự toán|chi phí|ngân sách",
                           re.IGNORECASE)
_HEADER_UNIT = re.compile(r"\((triệu đồng|tỷ đồng|nghìn đồng|đồng|%)\)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def _table_figures(chunk: Chunk) -> list[Figure]:
    header = _cells(chunk.header or "")
    out: list[Figure] = []
    pos = 0
    for line in chunk.text.split("\n"):
        line_at, pos = pos, pos + len(line) + 1
        cells = _cells(line)
        if not line.strip() or [c.lower() for _, c in cells] == [c.lower() for _, c in header]:
            continue
        if len(cells) == 1:  # a caption or note line inside the table chunk
            out.extend(_prose_figures(chunk, line, line_at))
            continue
        row_label = _row_label(cells, header)
        unit_cell = next((c for i, (_, c) in enumerate(cells)
                          if i < len(header) and _UNIT_COLUMN.match(header[i][1])), None)
        for i, (cell_at, cell) in enumerate(cells):
            column = header[i][1] if i < len(header) else None
            if column and (_ORDINAL_COLUMN.match(column) or _UNIT_COLUMN.match(column)):
                continue
            if not cell.strip():
                continue
            if i == 0 and not column and re.fullmatch(r"\s*\w{1,4}[.)]?\s*", cell):
                continue  # the ordinal of a header-less table
            base = line_at + cell_at
            out.extend(_cell_figures(chunk, base, line[cell_at:cell_at + len(cell)], column,
                                     row_label, unit_cell))
    return out


def _cells(line: str) -> list[tuple[int, str]]:
    cells, at = [], 0
    for part in line.split("\t"):
        cells.append((at, part))
        at += len(part) + 1
    return cells


def _row_label(cells: list[tuple[int, str]], header: list[tuple[int, str]]) -> str | None:
    texts = [_squash(_TAGS.sub(" ", c)) for _, c in cells]
    labels = [i for i, (_, name) in enumerate(header) if _LABEL_COLUMN.search(name)]
    for i in labels:
        if i < len(texts) and texts[i] and parse_number(texts[i]) is None:
            return texts[i]
    if labels:
        return None  # a continuation row: its label cell is empty
    for i, t in enumerate(texts):
        column = header[i][1] if i < len(header) else ""
        if t and len(t.split()) >= 2 and parse_number(t) is None and not _ORDINAL_COLUMN.match(column):
            return t
    return None


def _cell_figures(chunk: Chunk, base: int, cell: str, column: str | None,
                  row_label: str | None, unit_cell: str | None) -> list[Figure]:
    column_header = _squash(_TAGS.sub(" ", column)) if column else None
    value = parse_number(cell)
    if value is None or not re.fullmatch(r"\s*[\d.,]+%?\s*", cell):
        figures = _prose_figures(chunk, cell, base)
        return [f.model_copy(update={"row_header": row_label, "column_header": column_header,
                                     "year": f.year or _column_year(column_header)})
                for f in figures]
    matches = [m for m in find_numbers(cell) if m.kind in FIGURE_KINDS]
    if not matches:
        return []
    m = matches[0]
    unit = _table_unit(column_header, unit_cell) or m.unit
    percent = m.is_percent or unit == "%"
    kind = "percent" if percent else (
        "money" if (unit and re.search(r"đồng$", unit)) or (column_header and _MONEY_COLUMN.search(column_header))
        else "quantity")
    m = NumberMatch(m.start, m.end, m.raw, m.value, kind, percent, "%" if percent else unit,
                    m.qualifier, scale_of(unit), m.total)
    if column_header and not _VALUE_COLUMN.search(column_header) or not row_label:
        indicator = _trim(_HEADER_UNIT.sub("", column_header or ""), "first")
    else:
        indicator = _trim(row_label, "first")
    figure = _figure(chunk, m, base, cell, 0, len(cell.rstrip()), indicator,
                     row_header=row_label, column_header=column_header)
    sentence = " | ".join(t for t in (row_label, column_header, cell.strip()) if t)
    return [figure.model_copy(update={
        "sentence": sentence, "year": _column_year(column_header),
        "place": _place_near(row_label or "", 0)})]


def _table_unit(column: str | None, unit_cell: str | None) -> str | None:
    if unit_cell and unit_cell.strip():
        return unit_cell.strip().lower() if unit_cell.strip() != "%" else "%"
    if column:
        m = _HEADER_UNIT.search(column)
        if m:
            return m.group(1).lower()
    return None


def _column_year(column: str | None) -> int | None:
    if not column:
        return None
    m = re.search(r"\b((?:19|20)\d\d)\b", column)
    return int(m.group(1)) if m else None
