"""Calculations: choose the operands with their citations and let the calculator compute.

Each operation has planners, tried in order; a planner reads the question for what must be
combined (the parts named in "cáp đồng (treo + ngầm)", the part and the whole of "X chiếm bao
nhiêu % tổng số Y", a table column, …), picks one cited figure for each, and writes the
expression. When no planner finds sound operands the answer falls back to a figure or a sentence.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from assistant.abbreviations import fold
from assistant.answering.figures import candidates, figure_answer
from assistant.answering.operands import (
    Candidate,
    compatible,
    effective_unit,
    near,
    phrase,
    pool,
    preceded_by_total,
    same_sentence,
    section_figures,
    table_column,
    unit_of,
)
from assistant.answering.phrases import (
    _cut,
    _text,
    counted_noun,
    named_parts,
    share_phrases,
)
from assistant.answering.text import figure_text, plain, vn_expression
from assistant.calculator import calculate
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Hit, Operand
from assistant.numbers import format_number
from assistant.question import QuestionInfo

if TYPE_CHECKING:
    from assistant.answering.answerer import DefaultAnswerer

_MIN_MATCH = 0.45  # how well a figure must match the phrase that names it


@dataclass
class Op:
    value: float
    cand: Candidate | None  # None for a constant such as 365 days
    label: str = ""


@dataclass
class Plan:
    ops: list[Op]
    expr: str
    unit: str | None
    percent: bool = False


def computed_answer(ans: DefaultAnswerer, q: QuestionInfo, top: list[Hit]) -> Answer | None:
    cands = pool(ans, q, top)
    if not cands:
        return None
    for planner in PLANNERS.get(q.operation or "", ()):
        plan = planner(ans, q, cands, top)
        if plan is not None:
            answer = render(ans, q, plan)
            if answer is not None:
                return answer
    if q.operation == "percent_of":  # no sound operands: the share may be written in the text
        return figure_answer(ans, replace(q, kind="percent"), top)
    return None


def render(ans: DefaultAnswerer, q: QuestionInfo, plan: Plan) -> Answer | None:
    try:
        calc = calculate(plan.expr)
    except CalculationError:
        return None
    citations, numbers, shown_ops, operands = [], {}, [], []
    for op in plan.ops:
        number = None
        if op.cand is not None:
            c = op.cand
            key = (c.hit.chunk.id, c.f["start"])
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(ans.citation(numbers[key], c.hit.chunk, c.f["start"], c.f["end"]))
                shown_ops.append(f"{figure_text(c.f)} [{numbers[key]}]")
            number = numbers[key]
        operands.append(Operand(value=op.value, raw=op.cand.f["raw"] if op.cand else plain(op.value),
                                label=op.label or (op.cand.f.get("indicator", "") if op.cand else ""),
                                citation=number))
    if not citations:
        return None
    result = round(calc.result, 2)
    unit = "%" if plan.percent else plan.unit
    shown = f"{format_number(result)}%" if plan.percent else f"{format_number(result)} {unit or ''}".strip()
    sources = shown_ops[0] if len(shown_ops) == 1 else f"{', '.join(shown_ops[:-1])} và {shown_ops[-1]}"
    text = f"{shown} (tính từ {sources}: {vn_expression(calc.expression)} = {format_number(result)})."
    calculation = Calculation(expression=calc.expression, result=calc.result, operands=operands)
    return Answer(question=q.text, answer=text, value=result, unit=unit, citations=citations,
                  calculation=calculation)


# --- planners ---------------------------------------------------------------------------------


def _ranked(ans, words: list[str], cands: list[Candidate], head: list[str] = (), k: int = 5,
            least: float = _MIN_MATCH):
    scored = [(near(ans, words, c) + 0.8 * near(ans, list(head), c) + 0.3 * c.base, c) for c in cands]
    scored = [s for s in scored if near(ans, words, s[1]) >= least]
    return sorted(scored, key=lambda s: -s[0])[:k]


def pick_parts(ans, q: QuestionInfo, cands: list[Candidate], parts: list[str], head: str,
               allow_percent: bool = False) -> list[Candidate] | None:
    """One figure for each named part: distinct, compatible, preferably from one sentence."""
    head_words = phrase(ans, head)
    noun = counted_noun(q)
    if noun:  # "tổng số lượt …": only figures counted in "lượt", when there are such
        same = [c for c in cands if effective_unit(ans, c).split()[:1] == [noun]]
        cands = same if len(same) >= len(parts) else cands
    pools = [_ranked(ans, phrase(ans, p), cands, head_words, least=0.35) for p in parts]
    if any(not p for p in pools):
        return None
    best, best_score = None, float("-inf")
    for combo in itertools.product(*pools):
        chosen = [c for _, c in combo]
        if len({c.key for c in chosen}) < len(chosen):
            continue
        if not allow_percent and any(unit_of(c) == "%" for c in chosen):
            continue
        if not all(compatible(a, b) for a, b in itertools.combinations(chosen, 2)):
            continue
        score = sum(s for s, _ in combo)
        if all(same_sentence(chosen[0], c) for c in chosen[1:]):
            score += 0.3
        if len({c.hit.chunk.id for c in chosen}) == 1:
            score += 0.15
        if score > best_score:
            best, best_score = chosen, score
    return best


def plan_parts_sum(ans, q, cands, top) -> Plan | None:
    named = named_parts(q)
    if named is None:
        return None
    chosen = pick_parts(ans, q, cands, *named)
    if not chosen:
        return None
    return Plan([Op(c.value, c) for c in chosen], " + ".join(plain(c.value) for c in chosen), _unit(chosen))


def plan_table_sum(ans, q, cands, top) -> Plan | None:
    if not re.search(r"\bcot\b|cac khoan|\b(cua|cho) (\d+|cac|tat ca) (nhiem vu|du an)", q.folded):
        return None
    cells = table_column(ans, q, cands)
    count = re.search(r"cua (\d+) ", q.folded)
    if len(cells) < 2 or (count and int(count.group(1)) != len(cells)):
        return None
    return Plan([Op(c.value, c) for c in cells], " + ".join(plain(c.value) for c in cells), _unit(cells))


def plan_group_sum(ans, q, cands, top) -> Plan | None:
    m = re.search(r"\btat ca (?:cac )?(.*?)(?:,|$)", _text(q))
    if not m:
        return None
    words = phrase(ans, m.group(1))
    ranked = _ranked(ans, words, cands, k=1)
    if not ranked:
        return None
    best = ranked[0][1]
    members = [c for c in section_figures(ans, best)
               if c.f.get("kind") == best.f.get("kind") and near(ans, words, c) >= 0.6]
    if len(members) < 2:
        return None
    return Plan([Op(c.value, c) for c in members], " + ".join(plain(c.value) for c in members), _unit(members))


def plan_share(ans, q, cands, top) -> Plan | None:
    part, whole = share_phrases(q)
    named = named_parts(q)
    part_words, whole_words = phrase(ans, part), phrase(ans, whole or "")
    if named and "+" in q.text:
        chosen = pick_parts(ans, q, cands, named[0], named[1])
        if not chosen:
            return None
        whole_words = phrase(ans, part)
        wholes = [c for s, c in _ranked(ans, whole_words, cands)
                  if c.value > sum(x.value for x in chosen) and all(compatible(c, x) for x in chosen)]
        if not wholes:
            return None
        w = wholes[0]
        expr = f"({' + '.join(plain(c.value) for c in chosen)}) / {plain(w.value)} * 100"
        return Plan([Op(c.value, c) for c in chosen] + [Op(w.value, w)], expr, "%", percent=True)
    stated = _ranked(ans, part_words, cands, k=1)
    if stated and (stated[0][1].f.get("is_percent") or _share_follows(ans, stated[0][1], cands)):
        return None  # the document states the share itself: a figure answer
    best, best_score = None, float("-inf")
    for s, r in _ranked(ans, part_words, cands, k=8):
        if r.f.get("kind") == "ratio" and r.f.get("total") and r.f["total"] > r.value:
            score = s + (near(ans, whole_words, r) if whole_words else 0.5) + 0.4
            if score > best_score:
                best, best_score = (r, None), score
    if whole_words:
        part_only = [w for w in part_words if w not in whole_words]
        says_total = bool(re.search(r"\btong\b", q.folded))
        whole_words = (["tong"] if says_total else []) + whole_words
        total_bonus = 0.4 if says_total else 0.2
        for sp, p in _ranked(ans, part_words, cands, k=8):
            sp += 0.5 * near(ans, part_only, p)
            for sw, w in _ranked(ans, whole_words, cands, k=8, least=0.3):
                if w.key == p.key or w.value <= p.value or unit_of(p) == "%" or not compatible(p, w):
                    continue
                score = sp + sw - 0.5 * near(ans, part_only, w) + (0.3 if same_sentence(p, w) else 0)
                score += total_bonus if preceded_by_total(ans, w) else 0
                if same_sentence(p, w) and 0 < p.f["start"] - w.f["end"] < 80:
                    score += 0.3  # "tổng số 1.445 chứng thư số (458 tổ chức, …)"
                if score > best_score:
                    best, best_score = (p, w), score
    if best is None:
        return None
    p, w = best
    if w is None:
        return Plan([Op(p.value, p), Op(p.f["total"], p, "tổng số")],
                    f"{plain(p.value)} / {plain(p.f['total'])} * 100", "%", percent=True)
    return Plan([Op(p.value, p), Op(w.value, w)], f"{plain(p.value)} / {plain(w.value)} * 100", "%", percent=True)


def _share_follows(ans, c: Candidate, cands: list[Candidate]) -> bool:
    """"1.057 dịch vụ (chiếm tỷ lệ 57,96%)": the share of ``c`` is written right after it."""
    text = ans.data.documents[c.hit.chunk.document].text
    return any(o.f.get("is_percent") and same_sentence(o, c) and 0 < o.f["start"] - c.f["end"] < 90
               and re.search(r"\bchiem\b|\bty le\b", fold(text[c.f["end"]:o.f["start"]].lower()))
               and not re.search(r"\d", text[c.f["end"]:o.f["start"]]) for o in cands)


_NEGATION = r"\b(?:chua|khong duoc|khong tinh|con thieu|con lai)\b"


def plan_ratio_gap(ans, q, cands, top) -> Plan | None:
    """"Còn bao nhiêu … chưa …" from "14/23 dịch vụ": total − value."""
    if not re.search(_NEGATION + r"|\bcon bao nhieu\b", q.folded):
        return None
    words = phrase(ans, q.text)
    m = re.search(_NEGATION + r"\s*(?:duoc\s+)?([^,?]*)", _text(q))
    negated = phrase(ans, " ".join(_cut(re.findall(r"\w+", m.group(1))))) if m else []
    for s, c in _ranked(ans, words, cands, k=2):
        if negated and near(ans, negated, c) < 0.6:
            continue
        if c.f.get("kind") == "ratio" and c.f.get("total") and c.f["total"] > c.value:
            return Plan([Op(c.f["total"], c, "tổng số"), Op(c.value, c)],
                        f"{plain(c.f['total'])} - {plain(c.value)}", c.f.get("unit"))
    return None


def plan_point_gap(ans, q, cands, top) -> Plan | None:
    """Percentage points between a target ("tối thiểu 50%") and the actual share."""
    if "diem phan tram" not in q.folded:
        return None
    asked = {float(n.replace(",", ".")) for n in re.findall(r"(\d+(?:,\d+)?)\s*%", q.text)}
    shares = [c for c in cands if c.f.get("is_percent")]
    targets = [c for c in shares if c.value in asked]
    words = phrase(ans, re.sub(r"\d+(?:,\d+)?\s*%", " ", q.text))
    if not targets:
        return None
    target = max(targets, key=lambda c: near(ans, words, c))
    actual = [c for c in _ranked(ans, words, shares, k=8, least=0.2) if c[1].value not in asked
              and c[1].f.get("sentence") != target.f.get("sentence") and not _is_target(c[1])]
    if not actual:
        return None
    a = actual[0][1]
    hi, lo = (target, a) if target.value >= a.value else (a, target)
    return Plan([Op(hi.value, hi), Op(lo.value, lo)], f"{plain(hi.value)} - {plain(lo.value)}", "điểm %")


def _is_target(c: Candidate) -> bool:
    qualifier = fold((c.f.get("qualifier") or "").lower())
    section = fold(c.hit.chunk.section.lower())
    return bool(re.search(r"toi thieu|phan dau|it nhat|tren", qualifier) or re.search(r"muc tieu|chi tieu", section))


def plan_whole_minus_part(ans, q, cands, top) -> Plan | None:
    """"… không được ký số": the whole in the same passage minus the part that is named."""
    m = re.search(_NEGATION + r"\s*(?:duoc\s+)?([^,?]*)", _text(q))
    if not m:
        return None
    part_words = phrase(ans, " ".join(_cut(re.findall(r"\w+", m.group(1)))))
    subject = phrase(ans, " ".join(q.measured)) or phrase(ans, q.folded[:m.start()])
    best, best_score = None, float("-inf")
    for sp, p in _ranked(ans, part_words, cands, k=6):
        for w in cands:
            if w.hit.chunk.id != p.hit.chunk.id or w.value <= p.value or w.key == p.key or not compatible(w, p):
                continue
            if unit_of(w) == "%" or w.f["start"] > p.f["start"]:
                continue
            score = sp + near(ans, subject, w) + 0.3 * w.base + (0.3 if same_sentence(w, p) else 0)
            score += 0.2 if preceded_by_total(ans, w) else 0
            if score > best_score:
                best, best_score = (w, p), score
    if best is None:
        return None
    w, p = best
    return Plan([Op(w.value, w), Op(p.value, p)], f"{plain(w.value)} - {plain(p.value)}", _unit([w, p]))


def plan_estimate(ans, q, cands, top) -> Plan | None:
    """"Ước tính … dựa trên tỷ lệ": a count × its share; "tỷ lệ tương ứng trên tổng": count ÷ share."""
    words = phrase(ans, q.text)
    shares = _ranked(ans, words, [c for c in cands if c.f.get("is_percent") and 0 < c.value < 100], k=3)
    for _, p in shares:
        counts = [c for c in cands if same_sentence(c, p) and not c.f.get("is_percent")
                  and c.f.get("kind") != "ratio" and c.f["start"] < p.f["start"]]
        if not counts:
            continue
        n = max(counts, key=lambda c: c.f["start"])
        if re.search(r"tuong ung|tren tong", q.folded):
            expr = f"{plain(n.value)} / {plain(p.value)} * 100"
        else:
            expr = f"{plain(n.value)} * {plain(p.value)} / 100"
        return Plan([Op(n.value, n), Op(p.value, p)], expr, n.f.get("unit"))
    return None


_PER = {"ngay": (365, "nam"), "thang": (12, "nam"), "tuan": (52, "nam")}


def plan_average(ans, q, cands, top) -> Plan | None:
    words = phrase(ans, q.text)
    m = re.search(r"\bmoi (ngay|thang|tuan)\b", q.folded)
    if m:
        days, per = _PER[m.group(1)]
        for _, c in _ranked(ans, words, cands, k=5):
            unit = fold((c.f.get("unit") or "").lower())
            if unit.endswith(f"/{per}"):
                new_unit = (c.f.get("unit") or "").rsplit("/", 1)[0] + "/" + m.group(1).replace("ngay", "ngày") \
                    .replace("thang", "tháng").replace("tuan", "tuần")
                return Plan([Op(c.value, c), Op(days, None, "số ngày" if days == 365 else "")],
                            f"{plain(c.value)} / {days}", new_unit)
        return None
    m = re.search(r"\bmoi (\w+(?: \w+)?)", q.folded)
    if not m:
        return None
    item = phrase(ans, m.group(1))
    for _, total in _ranked(ans, words, [c for c in cands if c.f.get("kind") == "money"], k=3):
        counts = [c for c in cands if same_sentence(c, total) and c.f.get("kind") == "quantity"
                  and near(ans, item, c) >= 0.6]
        if counts:
            n = counts[0]
            return Plan([Op(total.value, total), Op(n.value, n)], f"{plain(total.value)} / {plain(n.value)}",
                        total.f.get("unit"))
    return None


def plan_pair(ans, q, cands, top) -> Plan | None:
    """Two figures of one unit: one for each side of "A và/so với B", else the two best."""
    chosen = None
    sides = re.split(r"\s(?:va|so voi|voi|tren)\s", q.folded, maxsplit=1)
    if len(sides) == 2:
        picks = []
        for side in sides:
            sub = ans.analyze(side)
            sub.keywords = [k for k in sub.keywords if k in q.keywords] or q.keywords
            picks.append([(f, h) for _, f, h in candidates(ans, sub, top)[:3]])
        by_key = {c.key: c for c in cands}
        pairs = [(by_key.get((ha.chunk.document, fa["start"])), by_key.get((hb.chunk.document, fb["start"])))
                 for fa, ha in picks[0] for fb, hb in picks[1]]
        chosen = next(([a, b] for a, b in pairs if a and b and a.key != b.key and a.value != b.value
                       and compatible(a, b)), None)
    if chosen is None:
        first = cands[0]
        other = next((c for c in cands[1:8] if c.value != first.value and compatible(first, c)), None)
        if other is None:
            return None
        chosen = [first, other]
    a, b = chosen
    if q.operation == "percent_of" and (a.hit.chunk.id != b.hit.chunk.id or unit_of(a) == "%"
                                        or _share_follows(ans, min(a, b, key=lambda c: c.value), cands)):
        return None
    if unit_of(a) == "%" and q.operation in ("difference", "remainder", "sum") \
            and not re.search(r"diem phan tram|chenh lech", q.folded):
        return None  # "giảm bao nhiêu % phí": a stated percentage, not a gap
    hi, lo = (a, b) if a.value >= b.value else (b, a)
    op = q.operation
    if op == "percent_change":
        old, new = (hi, lo) if "giam" in q.folded else (lo, hi)
        expr, unit, percent = f"({plain(new.value)} - {plain(old.value)}) / {plain(old.value)} * 100", "%", True
    elif op == "percent_of":
        expr, unit, percent = f"{plain(lo.value)} / {plain(hi.value)} * 100", "%", True
    elif op == "times":
        expr, unit, percent = f"{plain(hi.value)} / {plain(lo.value)}", "lần", False
    elif op == "sum":
        expr, unit, percent = f"{plain(a.value)} + {plain(b.value)}", _unit([a, b]), False
    else:
        expr, unit, percent = f"{plain(hi.value)} - {plain(lo.value)}", _unit([hi, lo]), False
    return Plan([Op(hi.value, hi), Op(lo.value, lo)], expr, unit, percent)


def _unit(cands: list[Candidate]) -> str | None:
    if any(c.f.get("is_percent") for c in cands):
        return "%"
    return next((c.f.get("unit") for c in cands if c.f.get("unit")), None)


PLANNERS = {
    "sum": (plan_table_sum, plan_group_sum, plan_parts_sum),
    "percent_of": (plan_share, plan_pair),
    "remainder": (plan_point_gap, plan_ratio_gap, plan_whole_minus_part, plan_pair),
    "difference": (plan_point_gap, plan_ratio_gap, plan_whole_minus_part, plan_pair),
    "percent_change": (plan_pair,),
    "times": (plan_pair,),
    "estimate": (plan_estimate,),
    "average": (plan_average,),
}
