"""Numeric answers: pick the figure whose indicator, unit, year and place match the question."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from assistant.answering.calculator import calculate
from assistant.answering.levels import level_answer
from assistant.answering.question import STOP, QuestionInfo
from assistant.answering.support import doc_refs
from assistant.answering.text import (
    figure_text,
    local_context,
    plain,
    same_indicator,
    tokens,
    vn_expression,
)
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Hit, Operand
from assistant.vietnamese.numbers import format_number
from assistant.vietnamese.text import fold

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

#: Words after "bao nhiêu" that do not name a unit.
GENERIC_UNITS = {
    "phan",
    "lan",
    "nam",
    "ty",
    "ti",
    "trieu",
    "so",
    "muc",
    "cap",
    "nguoi",
    "don",
    "co",
    "la",
    "tren",
    "dat",
}


#: Words every rate shares: they do not tell one percentage from another.
RATE_WORDS = frozenset(("ty", "ti", "le", "phan", "tram"))
#: Words that ask for a whole, not one of its parts.
_TOTAL_ASKED = r"\btong (cong|so)\b|\btat ca\b|\btoan bo\b"
#: Words that say a target is asked; the target-section signal weighs them, not the coverage.
TARGET_WORDS = frozenset(("muc", "tieu", "chi", "dat", "phan", "dau"))
#: Words too common in a figure's own phrase to count against it.
_FILLER = frozenset(
    STOP | {"duoc", "tai", "cac", "va", "cua", "voi", "dat", "chiem", "trong", "tong", "so", "le", "ty"}
)
_LABEL = re.compile(r"\b([a-z]+)(?: do)? (\d{1,2})\b")


_NAMED_DOCUMENT = 0.4


def candidates(ans: AnswerContext, q: QuestionInfo, top: list[Hit]) -> list[tuple[float, dict, Hit]]:
    """Every figure of the top passages, scored against the question, best first."""
    # "Theo KH CĐS 2023": the year names the plan, not the period asked about; and that plan's
    # figure wins when several documents repeat it.
    ref_years, named = doc_refs(ans, q, names_only=True)
    q, asked, labels = _prepare(ans, q)
    q_named = replace(q, years=[y for y in q.years if y not in ref_years])  # for the named plan's passages
    scored = []
    for rank, hit in enumerate(top):
        if not ans.in_scope(q, hit):
            continue
        in_named = hit.chunk.document in named
        qh = q_named if in_named else q
        for f in ans.figures.get(hit.chunk.id, []):
            if f["raw"] in q.numbers or format_number(f["value"]) in q.numbers:
                continue
            score = (
                _match(ans, qh, asked, labels, f, hit)
                + 0.3 * hit.score
                + 0.1 / (rank + 1)
                + (_NAMED_DOCUMENT if in_named else 0.0)
            )
            scored.append((score, f, hit))
    scored.sort(key=lambda s: -s[0])
    return scored


def _prepare(ans: AnswerContext, q: QuestionInfo) -> tuple[QuestionInfo, set[str], dict[str, str]]:
    """The question as figures are matched against it: without the words every rate or target
    shares, with only the counted words the user wrote (not abbreviation expansions), the
    words it uses, and its labelled numbers ("mức 4")."""
    generic = (RATE_WORDS if q.kind == "percent" else set()) | (TARGET_WORDS if q.asks_target else set())
    if any(k not in generic for k in q.keywords):
        q = replace(q, keywords=[k for k in q.keywords if k not in generic])
    written = set(tokens(q.text))
    q = replace(q, measured=[w for w in q.measured if w in written])
    return q, set(q.keywords) | ans.text_tokens(q.text), _labels(q.folded)


def _match(ans: AnswerContext, q: QuestionInfo, asked: set[str], labels: dict[str, str], f: dict, hit: Hit) -> float:
    """How well one figure's phrase, unit, kind and year fit the question."""
    chunk = hit.chunk
    doc_text = ans.data.documents[chunk.document].text
    local = ans.text_tokens(_clause(doc_text, f))
    sentence = ans.text_tokens(f.get("sentence", ""))
    spec_text = " ".join(x for x in (_head_phrase(f.get("indicator") or ""), f.get("column_header")) if x)
    spec = ans.text_tokens(spec_text)
    own = spec | ans.text_tokens(" ".join(x for x in (f.get("lead"), f.get("context")) if x))
    score = 0.0
    if q.measured:
        named = own | ans.text_tokens(f.get("unit") or "")
        score += 0.8 * sum(w in named for w in q.measured) / len(q.measured)
    # The subject may be left to the sentence before ("… Hệ thống với 12 máy chủ") or to the
    # heading the item is listed under ("3.1. Chương trình … Giảm nghèo" › "+ được cấp 3.941,1 …").
    heading = chunk.section.rsplit("›", 1)[-1]
    subject = ans.text_tokens(f"{_previous_sentence(doc_text, f, chunk)} {heading}")
    local_fit = max(ans.coverage(q, local), 0.8 * ans.coverage(q, local | subject))
    score += (
        1.0 * local_fit
        + 0.4 * ans.coverage(q, sentence)
        + 0.6 * ans.coverage(q, own)
        + 0.2 * ans.coverage(q, ans.text_tokens(f"{chunk.title} {chunk.section}"))
    )
    score += 0.8 * _precision(ans, spec, asked)
    score += _specifier_fit(ans, spec, ans.text_tokens(f.get("context") or ""), asked)
    if f.get("part") and re.search(_TOTAL_ASKED, q.folded):
        score -= 0.3  # a total is asked, this is one of its parts
    score += _label_fit(labels, fold(f"{spec_text} {f.get('lead') or ''} {f.get('context') or ''}".lower()))
    after = fold(doc_text[f["end"] : f["end"] + 25].lower())
    before = fold(doc_text[max(0, f["start"] - 12) : f["start"]].lower())
    versus_target = bool(re.match(r"\s*(muc tieu|so voi|ke hoach)", after)) or "so voi" in before
    lead_in = fold(doc_text[max(f.get("sentence_start", 0), f["start"] - 30) : f["start"]].lower())
    if versus_target:  # "(đạt 79% mục tiêu)": a share of the target, not the value itself
        score += 0.5 if _against_target(q) else -0.7
    if _names_target(lead_in, f):  # "phấn đấu 30% …", "… chưa đạt 30%": the target, not the result
        score += 0.2 if q.asks_target else -0.35
    if q.asks_target:
        column = fold((f.get("column_header") or "").lower())
        section = fold(chunk.section.lower())
        reviews = re.search(r"danh gia|ket qua|tinh hinh thuc hien", section)  # "thực hiện mục tiêu 2022"
        in_targets = bool(
            re.search(r"muc tieu|chi tieu|phan dau", section)
            and not reviews
            or re.search(r"muc tieu|chi tieu|ke hoach", column)
        )
        score += 0.45 if in_targets else -0.3
    if q.kind == "percent" and not q.asks_target and f.get("kind") in ("ratio", "percent"):
        stated = _stated_share(ans, f, chunk)
        if f.get("kind") == "ratio" and not stated:
            score += 0.25  # "21/47" answers a share asked as a percentage
        elif f.get("kind") == "percent" and stated:
            score += 0.3  # "28/39 hệ thống (đạt 71%)": the share as the document states it
    if q.kind == "number" and _asks_money(q):
        score += 0.35 if f.get("kind") == "money" else -0.35
    unit = fold((f.get("unit") or "").lower())
    if q.unit_hint and unit.split()[:1] == [q.unit_hint]:
        score += 0.5
    want_percent = q.kind == "percent" or (q.kind == "computed" and "phan tram" in q.folded)
    if q.kind in ("number", "percent"):
        is_share = bool(f.get("is_percent")) or (want_percent and f.get("kind") == "ratio")
        score += 0.3 if is_share == want_percent else -0.6
    return score + _year_fit(ans, q, f, chunk)


def _clause(doc_text: str, f: dict) -> str:
    """The clause of a prose figure: its sentence between the nearest ';' on either side, so
    that the items of one list ("83,21% … cấp tỉnh, 78,05% … cấp huyện … được xử lý trên …")
    share it and only their own phrases tell them apart. Table cells keep their row."""
    s0, s1 = f.get("sentence_start", 0), f.get("sentence_end", 0)
    if f.get("column_header") or f.get("row_header") or s1 <= s0:
        return local_context(doc_text, f)
    lo = doc_text.rfind(";", s0, f["start"])
    hi = doc_text.find(";", f["end"], s1)
    extra = " ".join(x for x in (f.get("indicator"), f.get("unit")) if x)
    return f"{doc_text[lo + 1 if lo >= 0 else s0 : hi if hi >= 0 else s1]} {extra}"


def _head_phrase(indicator: str) -> str:
    """The indicator without a purpose clause: "tài khoản phục vụ cho việc trao đổi …" → "tài khoản"."""
    return re.split(r"\s(?:phục vụ|để|nhằm|cho việc)\s", f" {indicator} ", maxsplit=1)[0]


def _precision(ans: AnswerContext, spec: set[str], asked: set[str]) -> float:
    """The idf-weighted share of the figure's own words that the question uses: "hồ sơ công việc
    tại cấp xã" fits a question about "cấp huyện" less than "hồ sơ công việc tại cấp huyện"."""
    words = [w for w in spec if w not in _FILLER and not w.isdigit()]
    if not words:
        return 0.5
    weight = {w: ans.idf.get(w, ans.default_idf) for w in words}
    return math.fsum(v for w, v in weight.items() if w in asked) / math.fsum(weight.values())


def _specifier_fit(ans: AnswerContext, spec: set[str], context: set[str], asked: set[str]) -> float:
    """A breakdown item ("16 cơ quan Đảng" inside "150 cơ quan, đơn vị (…)") answers only when
    the question names what sets it apart from its head; otherwise the head (the total) does."""
    novel = [w for w in spec - context if w not in _FILLER and not w.isdigit()]
    if not context or not novel:
        return 0.0
    weight = {w: ans.idf.get(w, ans.default_idf) for w in novel}
    share = math.fsum(v for w, v in weight.items() if w in asked) / math.fsum(weight.values())
    return 0.6 * share - 0.3


def _labels(folded: str) -> dict[str, str]:
    """Small numbers that label a kind in the question: "mức 4", "cấp độ 3", "giai đoạn 2"."""
    return {word: n for word, n in _LABEL.findall(folded) if word not in ("nam", "thang", "ngay", "quy")}


def _label_fit(labels: dict[str, str], own: str) -> float:
    """ "mức 4" asked and "mức 4" in the figure's phrase: it fits; "mức 3" there: it does not;
    "mức 3" there and no "mức" asked: a part, when the question likely wants the whole."""
    score = 0.0
    for word, n in _LABEL.findall(own):
        if word in labels:
            score += 0.3 if labels[word] == n else -0.3
        elif len(word) > 1 and word not in STOP and word not in ("nam", "thang", "ngay", "quy"):
            score -= 0.15
    return max(-0.3, min(0.3, score))


def _against_target(q: QuestionInfo) -> bool:
    """ "đạt bao nhiêu % (so với) mục tiêu": the question asks for the share of a target."""
    text = fold(q.text.lower())
    return q.against_target or bool(re.search(r"(dat|bang) (bao nhieu|may) (%|phan tram)", text))


_MONEY_ASKED = re.compile(
    r"kinh phi|\bvon\b|ngan sach|muc dau tu|\b(trieu|ty|nghin) dong\b|chi phi|du toan"
    r"|giai ngan|\b(cap|phan bo|bo tri) bao nhieu\W*$"
)
#: Words after "bao nhiêu" that name money, not a counted thing.
_MONEY_UNITS = frozenset(("kinh", "tien", "von", "trieu", "ty", "dong", "nghin", "chi", "ngan"))


def _asks_money(q: QuestionInfo) -> bool:
    """ "… được cấp bao nhiêu kinh phí?", "… dự kiến bao nhiêu tiền?": an amount of money is asked."""
    if q.unit_hint and q.unit_hint not in _MONEY_UNITS:
        return False  # "đầu tư bao nhiêu dự án"
    written = " ".join(tokens(q.text))  # the question as written: expansions come after its end
    return bool(_MONEY_ASKED.search(written) or re.search(r"\btiền\b", q.text.lower()))


def _names_target(lead_in: str, f: dict) -> bool:
    """The figure is a target named next to a result: "phấn đấu 30% hồ sơ …", "2,82% chưa đạt 30%"."""
    lead = fold((f.get("lead") or "").lower())
    return bool(
        re.search(r"\b(chua|khong|van chua) (dat|hoan thanh)\s*(muc\s*)?$", lead_in) or re.search(r"\bphan dau\b", lead)
    )


def _stated_share(ans: AnswerContext, f: dict, chunk) -> dict | None:
    """For a ratio, the percentage its sentence states for it ("28/39 hệ thống (đạt 71%)"); for a
    percentage, the ratio it states the share of; None when the sentence gives only one."""
    for g in ans.figures.get(chunk.id, []):
        if g is f or g.get("sentence_start") != f.get("sentence_start") or abs(g["start"] - f["start"]) > 80:
            continue
        ratio, share = (f, g) if f.get("kind") == "ratio" else (g, f)
        if (
            ratio.get("kind") == "ratio"
            and share.get("is_percent")
            and ratio.get("total")
            and abs(ratio["value"] / ratio["total"] * 100 - share["value"]) <= 1.5
        ):
            return g
    return None


def _year_fit(ans: AnswerContext, q: QuestionInfo, f: dict, chunk) -> float:
    if not q.years:
        return 0.0
    meta = ans.data.documents[chunk.document].metadata
    facts = set(meta.years_reported) | set(chunk.years) | ({f["year"]} if f.get("year") else set())
    if f.get("year") and f["year"] not in q.years:
        return -0.2
    if facts & set(q.years):
        return 0.15
    return -0.25 if facts else 0.0  # the passage reports other years


def figure_answer(ans: AnswerContext, q: QuestionInfo, top: list[Hit]) -> Answer | None:
    if q.kind == "number":
        level = level_answer(ans, q, top)  # "cấp độ mấy?": a label's number, not a figure
        if level is not None:
            return level
    scored = candidates(ans, q, top)
    if q.kind == "computed" and q.operation in ("percent_of", "percent_change"):
        scored = [s for s in scored if s[1].get("is_percent")]  # a share the document states
    if not scored:
        return None
    if q.kind == "number" and re.search(_TOTAL_ASKED, q.folded):
        scored = _head_first(scored)
    best_score, best, hit = scored[0]
    doc_text = ans.data.documents[hit.chunk.document].text
    context = ans.text_tokens(local_context(doc_text, best)) | ans.text_tokens(best.get("sentence", ""))
    if ans.coverage(_prepare(ans, q)[0], context | _surroundings(ans, doc_text, best, hit)) < ans.min_coverage:
        return None
    money = best.get("kind") == "money" and q.unit_hint in _MONEY_UNITS
    if q.kind == "percent" and not (best.get("is_percent") or best.get("kind") == "ratio"):
        return None  # a share is asked, the best figure is a count
    hint = (q.unit_hint or "").rstrip("_")  # "may_": "máy" kept apart from "mấy"
    if hint and hint not in GENERIC_UNITS and hint not in context and not money:
        return None  # asked "bao nhiêu vụ", found "56 phù hiệu": not the same thing
    if q.kind == "percent" and best.get("kind") == "ratio" and best.get("total"):
        return ratio_percent(ans, q, best, hit)
    citations = [ans.citation(1, hit.chunk, best["start"], best["end"])]
    shown = _with_range(doc_text, best)
    text = f"{shown}"
    conflicts = [
        (s, f, h)
        for s, f, h in scored[1:6]
        if s >= best_score - 0.25
        and f["value"] != best["value"]
        and same_indicator(f, best)
        and f.get("sentence") != best.get("sentence")
        and (best.get("part") or not f.get("part"))
        and bool(f.get("is_percent")) == bool(best.get("is_percent"))
    ]
    answer = Answer(
        question=q.text,
        answer="",
        value=best["value"],
        unit="%" if best.get("is_percent") else best.get("unit"),
        citations=citations,
    )
    if conflicts:
        _, other, other_hit = conflicts[0]
        answer.citations.append(ans.citation(2, other_hit.chunk, other["start"], other["end"]))
        answer.conflict = True
        text = (
            f"{shown} [1]; lưu ý: tài liệu cũng ghi {figure_text(other)} [2] cho cùng chỉ tiêu "
            f"— các số liệu không thống nhất, cần đối chiếu."
        )
        answer.answer = f"Theo {hit.chunk.title}: {text}"
        return answer
    answer.answer = f"{text} (theo {hit.chunk.title}) [1]."
    return answer


#: "30% - 50%", "300 - 500m", "từ 5 đến 7 ngày": the second bound right after a figure.
_RANGE_END = re.compile(r"\s*(?:-|–|đến|tới)\s*\d[\d.,]*(?:\s*%|[^\W\d_]{1,3}\b)?")


def _with_range(doc_text: str, f: dict) -> str:
    """The figure as the answer shows it; a range the document gives is shown whole."""
    m = _RANGE_END.match(doc_text, f["end"])
    if not m or "\n" in m.group(0):
        return figure_text(f)
    span = doc_text[f["start"] : m.end()]
    unit = f.get("unit") or ""
    return span if f.get("is_percent") or not unit or unit in span else f"{span} {unit}"


def _head_first(scored: list[tuple[float, dict, Hit]]) -> list[tuple[float, dict, Hit]]:
    """A total is asked and the best figure is an item of "Trong đó, …" breaking down the
    sentence before: the best figure of that sentence in the same unit (its head) comes first."""
    _, best, hit = scored[0]
    if not best.get("part") or not re.match(r"(trong đó|cụ thể)\b", best.get("sentence", ""), re.IGNORECASE):
        return scored
    heads = [
        s
        for s in scored
        if s[2].chunk.id == hit.chunk.id
        and not s[1].get("part")
        and s[1].get("unit") == best.get("unit")
        and 0 <= best.get("sentence_start", 0) - s[1].get("sentence_end", 0) <= 3
    ]
    return [heads[0], *(s for s in scored if s is not heads[0])] if heads else scored


def _surroundings(ans: AnswerContext, doc_text: str, f: dict, hit: Hit) -> set[str]:
    """What a figure's sentence leaves to its surroundings: its lead words, the heads it breaks
    down, the section and, in prose, the sentence before it ("Trung tâm tích hợp dữ liệu đã được
    nâng cấp … Hệ thống với 12 máy chủ …")."""
    chunk = hit.chunk
    parts = [f.get("lead"), f.get("context"), chunk.section, _previous_sentence(doc_text, f, chunk)]
    return ans.text_tokens(" ".join(x for x in parts if x))


#: Where a sentence starts: after . : ; ! ? and at a line that opens with a bullet or a heading
#: number (other line breaks may only wrap a sentence).
_SENTENCE_STOP = re.compile(r"[.:;!?…]\s|\n\s*(?=(?:[-+•*]|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ]\)|[IVX]+\.)\s)")


def _previous_sentence(doc_text: str, f: dict, chunk) -> str:
    """The prose sentence before a figure's own, inside its chunk (wrapped lines joined)."""
    s0 = f.get("sentence_start", 0)
    if f.get("column_header") or not chunk.start < s0 <= chunk.end:
        return ""
    lo = max(chunk.start, s0 - 400)
    stops = [m.end() for m in _SENTENCE_STOP.finditer(doc_text, lo, max(lo, s0 - 2))]
    return doc_text[stops[-1] if stops else lo : s0]


def ratio_percent(ans: AnswerContext, q: QuestionInfo, f: dict, hit: Hit) -> Answer | None:
    try:
        calc = calculate(f"{plain(f['value'])} / {plain(f['total'])} * 100")
    except CalculationError:
        return None
    result = round(calc.result, 2)
    calc = Calculation(
        expression=calc.expression,
        result=calc.result,
        operands=[
            Operand(value=f["value"], raw=f["raw"], label=f.get("indicator", ""), citation=1),
            Operand(value=f["total"], raw=f["raw"], label="tổng số", citation=1),
        ],
    )
    text = (
        f"{format_number(result)}% (tính từ {f['raw']} {f.get('unit') or ''} [1]: "
        f"{vn_expression(calc.expression)} = {format_number(result)}%)."
    ).replace(" ]", "]")
    return Answer(
        question=q.text,
        answer=text,
        value=result,
        unit="%",
        calculation=calc,
        citations=[ans.citation(1, hit.chunk, f["start"], f["end"])],
    )


# --- calculations ------------------------------------------------------
