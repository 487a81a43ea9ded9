"""Calendar arithmetic a question may ask of a figure: its average per year over the years the
figure's own row or sentence spans ("2020-2024": 5 years), and a yearly rate ("Giờ/năm") per day,
week, month or quarter. The divisors are facts of the calendar, not figures any document states."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answering.analysis import Question
from assistant.answering.candidates import Candidate, Term
from assistant.answering.text import plain
from assistant.vietnamese.text import fold

#: What builds a calculation candidate (``calculation_candidates._Maker``): operation, operands,
#: value, expression, unit, terms.
Make = Callable[..., Candidate]

#: How many of each shorter unit a year holds: what "mỗi ngày" makes of a yearly figure.
IN_A_YEAR = {"ngay": 365, "tuan": 52, "thang": 12, "quy": 4}
#: Units of time an average may be per, folded.
TIME = frozenset({*IN_A_YEAR, "nam"})
#: The longest span read as one period (a range over more years is no plan period).
MAX_SPAN = 30
_YEAR = r"((?:19|20)\d\d)"
#: "2020-2024", "2021 – 2025", "2021—2025" (not inside a code: "2020-2024-01", "45/2020-2022").
_RANGE = re.compile(rf"(?<![\d/.,-]){_YEAR}\s*[-–—]\s*{_YEAR}(?![\d/-])")
#: "từ năm 2016 đến năm 2024", "giai đoạn 2021 tới 2025" (folded).
_FROM_TO = re.compile(rf"\b(?:tu|giai doan)\s+(?:nam\s+)?{_YEAR}\s+(?:den|toi)\s+(?:het\s+)?(?:nam\s+)?{_YEAR}(?!\d)")
#: Words before a range of two consecutive years that make it one year: "năm học 2023-2024".
_ONE_YEAR = re.compile(r"\b(?:nam hoc|nien vu|nien khoa|mua vu)\s*$")
#: A unit of time asked: after "mỗi", "hằng", "bình quân", "theo", "trên", or a slash after a word
#: ("lượt/ngày"); not a year ("theo năm 2023", "theo năm, 2023"), a quarter's number ("quý I/2023"),
#: a school year ("năm học"), a workday ("ngày công") or a name ("Nam Bộ": the word must be lower case).
_ASKED_ACCENTED = re.compile(
    r"(?:\b(?:mỗi|hằng|hàng|theo|trên|bình quân|trung bình)\s+(?:một\s+)?|(?<=[^\W\d_])\s?/\s?)"
    r"(ngày|tuần|tháng|quý|năm)\b(?![\s,:]*(?:\d|[IVX_]+\b|học|công|/))"
)
_ASKED_FOLDED = re.compile(
    r"(?:\b(?:moi|hang|theo|tren|binh quan|trung binh)\s+(?:mot\s+)?|(?<=[^\W\d_])\s?/\s?)"
    r"(ngay|tuan|thang|quy|nam)\b(?![\s,:]*(?:\d|[ivx]+\b|hoc|cong|/))"
)
#: The time base of a rate's unit: "Giờ/năm", "lượt/tháng".
_BASE = re.compile(r"/\s*(ngay|tuan|thang|quy|nam)\s*$")
#: A figure its own words already give per year: "2 hội nghị mỗi năm", "bình quân", "/năm".
_YEARLY = re.compile(r"\b(?:moi|hang|hom)\s+nam\b|\bbinh quan\b|\btrung binh\b|/\s*nam\b")


def _mentions(text: str) -> list[tuple[int, int, int | None]]:
    """(start, end, years spanned) of each period ``text`` writes, and (start, end, None) of each
    year it writes alone, in order."""
    folded = fold(text.lower())  # the same length: folding maps a character to one character
    periods = []
    for pattern, source in ((_RANGE, text), (_FROM_TO, folded)):
        for m in pattern.finditer(source):
            first, last = int(m.group(1)), int(m.group(2))
            if not first < last <= first + MAX_SPAN:
                continue
            if last == first + 1 and _ONE_YEAR.search(folded[: m.start()]):
                continue
            periods.append((m.start(), m.end(), last - first + 1))
    alone = [
        (m.start(), m.end(), None)
        for m in re.finditer(r"(?<![\d/.,-])(?:19|20)\d\d(?![\d/-])", text)
        if not any(a <= m.start() < b for a, b, _ in periods)
    ]
    return sorted(periods + alone)


def years_spanned(text: str, at: int | None = None) -> int | None:
    """How many years a period ``text`` writes spans, both ends counted ("2020-2024", "giai đoạn
    2021 – 2025", "từ năm 2016 đến năm 2024"); None when it writes none. With ``at`` (where a
    figure stands), the period nearest before it, else the first after it — None when a year
    written alone stands nearer ("giai đoạn 2021-2025 …, riêng năm 2023 là 120"). A school or crop
    year ("năm học 2023-2024") is one year, not a period."""
    mentions = _mentions(text)
    if at is None:
        return next((span for _, _, span in mentions if span), None)
    before = [m for m in mentions if m[1] <= at]
    nearest = before[-1] if before else next((m for m in mentions if m[0] >= at), None)
    return nearest[2] if nearest else None


def time_base(unit: str | None) -> str | None:
    """The unit of time a rate is per, folded ("Giờ/năm" → "nam"); None for a plain unit."""
    if not unit:
        return None
    m = _BASE.search(fold(unit.lower()))
    return m.group(1) if m else None


def without_base(unit: str | None) -> str | None:
    """A rate's unit without its unit of time ("lượt/người/năm" → "lượt/người")."""
    if not unit or time_base(unit) is None:
        return unit
    return unit.rsplit("/", 1)[0].strip() or None


def per_unit(unit: str | None, time: str) -> str:
    """``unit`` per the unit of time ``time`` names, folded ("giờ", "ngay" → "giờ/ngày")."""
    word = {"ngay": "ngày", "tuan": "tuần", "thang": "tháng", "quy": "quý", "nam": "năm"}[time]
    return f"{unit}/{word}" if unit else f"/{word}"


def says_yearly(window: str) -> bool:
    """Whether a figure's own words already give it per year ("mỗi năm", "bình quân", "/năm")."""
    return bool(_YEARLY.search(fold(window.lower())))


def asked_time(question: str, per: list[str]) -> str | None:
    """The unit of time the question averages over ("bình quân mỗi ngày" → "ngay"): what it asks
    per when that is one unit of time, else one written after "mỗi", "hằng", "theo", "trên" or a
    slash. Without accents only in a question typed without any ("moi" is also "mới", new)."""
    if len(per) == 1 and per[0] in TIME:
        return per[0]
    unaccented = fold(question.lower()) == question.lower()
    text = question if unaccented else _lower_words(question)
    for m in (_ASKED_FOLDED if unaccented else _ASKED_ACCENTED).finditer(text):
        before = re.findall(r"\w+", text[: m.start()])
        if "/" in m.group() and before and fold(before[-1].lower()) in TIME:
            continue  # "ngày/tháng": a date's parts, not a rate
        return fold(m.group(1))
    return None


def _lower_words(text: str) -> str:
    """``text`` with capitalised words but the first blanked ("Nam Bộ" names a region, not a year)."""
    text = text[:1].lower() + text[1:]
    return re.sub(r"\b[^\W\d_][^\W_]*", lambda m: m.group() if m.group().islower() else "_", text)


def averages(make: Make, q: Question, chosen: list[Candidate]) -> list[Candidate]:
    """A figure's average per year over the years its own row or sentence spans ("2020-2024 …
    19.588,8": ÷ 5), and a yearly rate ("Giờ/năm"), or a count over the one year the figure is
    about, per the shorter unit of time the question asks ("mỗi ngày": ÷ 365). ``per_time`` says
    whether the question averages over the unit the division yields: a period's average is a
    candidate whatever the question says, the model decides. Never for percentages and ratios, a
    figure already per a unit of time or per year by its own words, or one of a single year."""
    asked = asked_time(q.text, q.per)
    out = []
    for c in chosen:
        f = c.figures[0] if c.figures else None
        if (
            f is None
            or c.value <= 0
            or c.unit == "%"
            or f.is_percent
            or f.kind in ("percent", "ratio")
            or c.features.get("is_ratio_total")
        ):
            continue
        base = time_base(f.unit)
        divisions: list[tuple[int, str, str | None]] = []
        if f.column_header is not None:  # a table cell: its period is another cell of its row
            span = None if _mentions(f.column_header) else years_spanned(c.hit.chunk.text)
        else:
            span = years_spanned(f.sentence, f.start - f.sentence_start)
        if span and base is None and not says_yearly(f.window):
            divisions.append((span, "nam", per_unit(c.unit, "nam")))
        if asked in IN_A_YEAR and (base == "nam" or (base is None and f.year is not None and not span)):
            divisions.append((IN_A_YEAR[asked], asked, per_unit(without_base(c.unit), asked)))
        for n, yields, unit in divisions:
            terms = [Term(c.value, f, c.spans[0]), Term(float(n))]
            cand = make("average", [c], c.value / n, f"{plain(c.value)} / {n}", unit, terms)
            cand.features["per_time"] = float(asked == yields)
            cand.features["q_per_time"] = float(asked is not None)
            cand.features["yearly_rate"] = float(base == "nam")
            cand.features["span_years"] = float(n if yields == "nam" else 0)
            out.append(cand)
    return out
