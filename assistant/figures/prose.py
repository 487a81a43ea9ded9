"""Figures in running text: each number with its indicator, lead words, breakdown heads,
sentence, year and place (see :mod:`assistant.figures`)."""

from __future__ import annotations

import re
from bisect import bisect_right

from assistant.figures.context import (
    heads,
    inherited_unit,
    qualifier_after,
    shared_predicate,
)
from assistant.figures.indicator import (
    LIST_MARKER,
    SUPERSCRIPTS,
    clause_before,
    find_indicator,
    squash,
)
from assistant.figures.model import FIGURE_KINDS, Figure
from assistant.models import Chunk
from assistant.vietnamese.number_finder import NumberMatch, find_numbers
from assistant.vietnamese.numbers import scale_of

_SENTENCE_END = re.compile(r"[.!?…]+(?=\s)")
_YEAR = re.compile(r"\b(?:năm|tháng \d{1,2}/)\s*((?:19|20)\d\d)\b", re.IGNORECASE)


def prose_figures(chunk: Chunk, text: str, base: int) -> list[Figure]:
    figures = [m for m in find_numbers(text) if m.kind in FIGURE_KINDS]
    bounds = _sentence_bounds(text)
    out: list[Figure] = []
    units: dict[int, str | None] = {}
    for k, m in enumerate(figures):
        s0, s1 = _sentence_span(text, bounds, m.start)
        unit = inherited_unit(text, s0, m, figures, units)
        if unit:
            m = NumberMatch(
                m.start, m.end, m.raw, m.value, m.kind, m.is_percent, unit, m.qualifier, scale_of(unit), m.total
            )
            figures[k] = m
        units[m.start] = m.unit
        prev = figures[k - 1] if k else None
        same = prev is not None and s0 <= prev.start
        if prev is not None and same and re.fullmatch(r"\s*(?:-|–|đến)\s*", text[prev.end : m.start]):
            indicator = out[-1].indicator  # "300 - 500m": one indicator for the range
        else:
            indicator = find_indicator(text, s0, s1, m, figures, out[-1].indicator if same else None)
        found = heads(text, s0, m, figures)
        context = [qualifier_after(text, m, m.unit, figures, s1), *found, _list_label(text, s0)]
        part = bool(found) or re.match(r"(?:trong đó|cụ thể)\b", text[s0:s1], re.IGNORECASE) is not None
        out.append(
            make_figure(
                chunk,
                m,
                base,
                text,
                s0,
                s1,
                indicator,
                lead=_lead(text, s0, m, figures, indicator),
                context=" | ".join(c for c in context if c),
                part=part,
            )
        )
    return _distribute_predicates(text, figures, out)


def _distribute_predicates(text: str, figures: list[NumberMatch], out: list[Figure]) -> list[Figure]:
    """Give every item of "83,21% hồ sơ tại cấp tỉnh, 78,05% … và 78,19% … được xử lý trên …"
    the predicate written once after the last item (see ``shared_predicate``)."""
    i = 0
    while i < len(out):
        j = i
        while (
            j + 1 < len(out)
            and out[j + 1].sentence_start == out[i].sentence_start
            and out[j + 1].is_percent == out[i].is_percent
            and re.fullmatch(r"[^;()]*(?:,|\svà\s)[^;()]*", text[figures[j].end : figures[j + 1].start])
        ):
            j += 1
        found = shared_predicate([f.indicator for f in out[i : j + 1]]) if j > i else None
        if found:
            keep, predicate = found
            predicate = _whole_predicate(
                text, figures[j].end, out[j].sentence_end - out[j].end + figures[j].end, predicate
            )
            out[j] = out[j].model_copy(update={"indicator": " ".join(out[j].indicator.split()[:keep])})
            for k in range(i, j + 1):
                joined = " | ".join(c for c in (predicate, out[k].context) if c)
                out[k] = out[k].model_copy(update={"context": joined})
        i = j + 1
    return out


_BULLET = re.compile(r"\s*([-+•*])\s")


def _list_label(text: str, s0: int) -> str:
    """The label a bulleted item is listed under: "- Về kinh phí:" for the items "+ Năm 2023
    được cấp 3.941,1 triệu đồng …" that follow it (past their sibling items)."""
    bullet = _BULLET.match(text, text.rfind("\n", 0, s0) + 1)
    if not bullet or text.rfind("\n", 0, s0) < 0:
        return ""
    lines = text[: text.rfind("\n", 0, s0)].split("\n")
    for line in reversed(lines[-12:]):
        line = line.strip()
        if not line:
            continue
        if line.endswith(":") and len(line.split()) <= 12 and _BULLET.match(line + " "):
            return squash(_BULLET.sub("", line + " ", count=1)).rstrip(" :")
        if not line.startswith(bullet.group(1)):
            return ""
    return ""


def _whole_predicate(text: str, start: int, end: int, predicate: str) -> str:
    """The shared predicate as written, to its clause end (an indicator keeps 12 words only)."""
    first = predicate.split()[:2]
    m = re.compile(r"\s+".join(map(re.escape, first)), re.IGNORECASE).search(text, start, end)
    if not m:
        return predicate
    stop = re.compile(r"[;:()“”\t]|[.!?…](?=\s|$)").search(text, m.start(), end)
    words = squash(text[m.start() : stop.start() if stop else end]).split()
    return " ".join(words[:20]).strip(" ,") or predicate


def _lead(text: str, s0: int, m: NumberMatch, figures: list[NumberMatch], indicator: str) -> str:
    """The words before ``m`` back to the previous figure or clause break, when they are not
    already its indicator: "cấp mới" in "Thu hồi 90 chứng thư số, cấp mới 740 chứng thư số"."""
    prev_end = max((f.end for f in figures if s0 <= f.end <= m.start and f is not m), default=s0)
    _, left = clause_before(text, max(s0, prev_end), m.start)
    left = re.split(r"\s(?:và|hoặc)\s|,\s", left)[-1]  # "… cấp huyện và 78,19%": a new item
    words = squash(left.translate(SUPERSCRIPTS)).strip(" ,.;…").split()
    while words and LIST_MARKER.match(words[0] + " "):
        words = words[1:]
    lead = " ".join(words[-8:])
    return "" if not lead or lead.lower() in indicator.lower() else lead


def make_figure(
    chunk: Chunk, m: NumberMatch, base: int, text: str, s0: int, s1: int, indicator: str, **extra: object
) -> Figure:
    sentence = text[s0:s1]
    return Figure(
        value=m.value,
        raw=m.raw,
        unit=m.unit,
        is_percent=m.is_percent,
        kind=m.kind,
        qualifier=m.qualifier,
        scale=m.scale,
        total=m.total,
        indicator=indicator,
        year=_year_near(sentence, m.start - s0),
        place=place_near(sentence, m.start - s0),
        document=chunk.document,
        chunk_id=chunk.id,
        start=base + chunk.start + m.start,
        end=base + chunk.start + m.end,
        sentence=squash(sentence),
        sentence_start=base + chunk.start + s0,
        sentence_end=base + chunk.start + s1,
        **extra,
    )


def _sentence_bounds(text: str) -> list[int]:
    """Sentence starts: after . ! ? … + space, after tabs and after real line breaks."""
    bounds = {0, len(text)}
    bounds.update(m.end() for m in _SENTENCE_END.finditer(text))
    bounds.update(m.end() for m in re.finditer(r"\t", text))
    bounds.update(
        m.end() for m in re.finditer(r"[ \t]*\n\s*", text) if _line_break_ends_sentence(text, m.start(), m.end())
    )
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
    nxt = text[b : b + 1]
    if not nxt or nxt.islower():
        return not nxt  # a lowercase next line continues a wrapped sentence
    prev = text[:a].rstrip()[-1:]
    return prev in ".:;!?…" or not prev or LIST_MARKER.match(text, b) is not None


def _year_near(sentence: str, pos: int) -> int | None:
    """The "năm 20xx" (or "tháng m/20xx") nearest before ``pos``, else nearest after."""
    years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(sentence)]
    before = [y for at, y in years if at < pos]
    after = [y for at, y in years if at >= pos]
    return before[-1] if before else (after[0] if after else None)


# Provinces (63, as before the 2025 merger) and the districts of the corpus' provinces.
_PLACES = (
    "An Giang",
    "Bà Rịa - Vũng Tàu",
    "Bắc Giang",
    "Bắc Kạn",
    "Bạc Liêu",
    "Bắc Ninh",
    "Bến Tre",
    "Bình Định",
    "Bình Dương",
    "Bình Phước",
    "Bình Thuận",
    "Cà Mau",
    "Cần Thơ",
    "Cao Bằng",
    "Đà Nẵng",
    "Đắk Lắk",
    "Đắk Nông",
    "Điện Biên",
    "Đồng Nai",
    "Đồng Tháp",
    "Gia Lai",
    "Hà Giang",
    "Hà Nam",
    "Hà Nội",
    "Hà Tĩnh",
    "Hải Dương",
    "Hải Phòng",
    "Hậu Giang",
    "Hòa Bình",
    "Hưng Yên",
    "Khánh Hòa",
    "Kiên Giang",
    "Kon Tum",
    "Lai Châu",
    "Lâm Đồng",
    "Lạng Sơn",
    "Lào Cai",
    "Long An",
    "Nam Định",
    "Nghệ An",
    "Ninh Bình",
    "Ninh Thuận",
    "Phú Thọ",
    "Phú Yên",
    "Quảng Bình",
    "Quảng Nam",
    "Quảng Ngãi",
    "Quảng Ninh",
    "Quảng Trị",
    "Sóc Trăng",
    "Sơn La",
    "Tây Ninh",
    "Thái Bình",
    "Thái Nguyên",
    "Thanh Hóa",
    "Thừa Thiên Huế",
    "Tiền Giang",
    "Hồ Chí Minh",
    "Trà Vinh",
    "Tuyên Quang",
    "Vĩnh Long",
    "Vĩnh Phúc",
    "Yên Bái",
    # Trà Vinh
    "Càng Long",
    "Cầu Kè",
    "Tiểu Cần",
    "Châu Thành",
    "Cầu Ngang",
    "Trà Cú",
    "Duyên Hải",
    # Tiền Giang
    "Mỹ Tho",
    "Gò Công Tây",
    "Gò Công Đông",
    "Gò Công",
    "Cai Lậy",
    "Cái Bè",
    "Chợ Gạo",
    "Tân Phước",
    "Tân Phú Đông",
)
_PLACE_RE = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, _PLACES)) + r")(?![^\W_])")


def place_near(sentence: str, pos: int) -> str | None:
    """The province or district named nearest to ``pos`` in the sentence."""
    found = [(abs(m.start() - pos), m.group()) for m in _PLACE_RE.finditer(sentence)]
    return min(found)[1] if found else None
