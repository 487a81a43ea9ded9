"""Numeric answers: pick the figure whose indicator, unit, year and place match the question."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.abbreviations import fold
from assistant.answering.text import figure_text, local_context, plain, same_indicator, vn_expression
from assistant.calculator import calculate
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Hit, Operand
from assistant.numbers import format_number
from assistant.question import QuestionInfo

if TYPE_CHECKING:
    from assistant.answering.answerer import DefaultAnswerer

#: Words after "bao nhiêu" that do not name a unit.
GENERIC_UNITS = {"phan", "lan", "nam", "ty", "ti", "trieu", "so", "muc", "cap", "nguoi", "don", "co", "la", "tren", "dat"}


def candidates(ans: "DefaultAnswerer", q: QuestionInfo, top: list[Hit]) -> list[tuple[float, dict, Hit]]:
    scored = []
    for rank, hit in enumerate(top):
        chunk = hit.chunk
        if not ans.in_scope(q, hit):
            continue
        doc_text = ans.data.documents[chunk.document].text
        section_tokens = ans.text_tokens(f"{chunk.title} {chunk.section}")
        for f in ans.figures.get(chunk.id, []):
            if f["raw"] in q.numbers or format_number(f["value"]) in q.numbers:
                continue
            local = ans.text_tokens(local_context(doc_text, f))
            sentence = ans.text_tokens(f.get("sentence", ""))
            own = ans.text_tokens(" ".join(x for x in (f.get("indicator"), f.get("column_header")) if x))
            score = 0.0
            if q.measured:
                named = own | ans.text_tokens(f.get("unit") or "")
                score += 0.8 * sum(w in named for w in q.measured) / len(q.measured)
            score += (1.0 * ans.coverage(q, local) + 0.4 * ans.coverage(q, sentence) + 0.6 * ans.coverage(q, own)
                     + 0.2 * ans.coverage(q, section_tokens) + 0.3 * hit.score + 0.1 / (rank + 1))
            after = fold(doc_text[f["end"]:f["end"] + 25].lower())
            before = fold(doc_text[max(0, f["start"] - 12):f["start"]].lower())
            versus_target = bool(re.match(r"\s*(muc tieu|so voi|ke hoach)", after)) or "so voi" in before
            if versus_target:  # "(đạt 79% mục tiêu)": a share of the target, not the value itself
                score += 0.35 if q.against_target else -0.35
            in_targets = bool(re.search(r"muc tieu|chi tieu|phan dau", fold(chunk.section.lower())))
            if q.asks_target:
                score += 0.25 if in_targets else -0.1
            if q.kind == "percent" and f.get("kind") == "ratio":
                score += 0.25  # "21/47" answers a share asked as a percentage
            unit = fold((f.get("unit") or "").lower())
            if q.unit_hint and unit.split()[:1] == [q.unit_hint]:
                score += 0.5
            want_percent = q.kind == "percent" or (q.kind == "computed" and "phan tram" in q.folded)
            if q.kind in ("number", "percent"):
                is_share = bool(f.get("is_percent")) or (want_percent and f.get("kind") == "ratio")
                score += 0.3 if is_share == want_percent else -0.6
            if q.years:
                meta = ans.data.documents[chunk.document].metadata
                facts = set(meta.years_reported) | set(chunk.years) | ({f["year"]} if f.get("year") else set())
                if f.get("year") and f["year"] not in q.years:
                    score -= 0.2
                elif facts & set(q.years):
                    score += 0.15
                elif facts:
                    score -= 0.25  # the passage reports other years
            scored.append((score, f, hit))
    scored.sort(key=lambda s: -s[0])
    return scored

def figure_answer(ans: "DefaultAnswerer", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    scored = candidates(ans, q, top)
    if not scored:
        return None
    best_score, best, hit = scored[0]
    doc_text = ans.data.documents[hit.chunk.document].text
    context = ans.text_tokens(local_context(doc_text, best)) | ans.text_tokens(best.get("sentence", ""))
    if ans.coverage(q, context | ans.text_tokens(hit.chunk.section)) < ans.min_coverage:
        return None
    if q.unit_hint and q.unit_hint not in GENERIC_UNITS and q.unit_hint not in context:
        return None  # asked "bao nhiêu vụ", found "56 phù hiệu": not the same thing
    if q.kind == "percent" and best.get("kind") == "ratio" and best.get("total"):
        return ratio_percent(ans, q, best, hit)
    citations = [ans.citation(1, hit.chunk, best["start"], best["end"])]
    shown = figure_text(best)
    text = f"{shown}"
    conflicts = [
        (s, f, h) for s, f, h in scored[1:6]
        if s >= best_score - 0.15 and f["value"] != best["value"] and same_indicator(f, best)
        and f.get("sentence") != best.get("sentence")
        and bool(f.get("is_percent")) == bool(best.get("is_percent"))
    ]
    answer = Answer(question=q.text, answer="", value=best["value"],
                    unit="%" if best.get("is_percent") else best.get("unit"), citations=citations)
    if conflicts:
        s, other, other_hit = conflicts[0]
        answer.citations.append(ans.citation(2, other_hit.chunk, other["start"], other["end"]))
        answer.conflict = True
        text = (f"{shown} [1]; lưu ý: tài liệu cũng ghi {figure_text(other)} [2] cho cùng chỉ tiêu "
                f"— các số liệu không thống nhất, cần đối chiếu.")
        answer.answer = f"Theo {hit.chunk.title}: {text}"
        return answer
    answer.answer = f"{text} (theo {hit.chunk.title}) [1]."
    return answer

def ratio_percent(ans: "DefaultAnswerer", q: QuestionInfo, f: dict, hit: Hit) -> Answer | None:
    try:
        calc = calculate(f"{plain(f['value'])} / {plain(f['total'])} * 100")
    except CalculationError:
        return None
    result = round(calc.result, 2)
    calc = Calculation(expression=calc.expression, result=calc.result, operands=[
        Operand(value=f["value"], raw=f["raw"], label=f.get("indicator", ""), citation=1),
        Operand(value=f["total"], raw=f["raw"], label="tổng số", citation=1),
    ])
    text = (f"{format_number(result)}% (tính từ {f['raw']} {f.get('unit') or ''} [1]: "
            f"{vn_expression(calc.expression)} = {format_number(result)}%).").replace(" ]", "]")
    return Answer(question=q.text, answer=text, value=result, unit="%", calculation=calc,
                  citations=[ans.citation(1, hit.chunk, f["start"], f["end"])])

# --- calculations ------------------------------------------------------
