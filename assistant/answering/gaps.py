"""Gap planners: what is still missing, not counted, or short of a target."""

from __future__ import annotations

import re

from assistant.answering.operands import (
    Candidate,
    compatible,
    doc_text,
    near,
    phrase,
    preceded_by_total,
    same_sentence,
    unit_of,
)
from assistant.answering.phrases import _cut, _text
from assistant.answering.plans import Op, Plan, plan_unit, ranked
from assistant.answering.text import plain
from assistant.vietnamese.text import fold

_NEGATION = r"\b(?:chua|khong duoc|khong tinh|con thieu|con lai)\b"


def plan_ratio_gap(ans, q, cands, top) -> Plan | None:
    """ "Còn bao nhiêu … chưa …" from "14/23 dịch vụ": total − value."""
    if not re.search(_NEGATION + r"|\bcon bao nhieu\b", q.folded):
        return None
    words = phrase(ans, q.text)
    m = re.search(_NEGATION + r"\s*(?:duoc\s+)?([^,?]*)", _text(q))
    negated = phrase(ans, " ".join(_cut(re.findall(r"\w+", m.group(1))))) if m else []
    for s, c in ranked(ans, words, cands, k=2):
        if negated and near(ans, negated, c) < 0.6:
            continue
        if c.f.get("kind") == "ratio" and c.f.get("total") and c.f["total"] > c.value:
            return Plan(
                [Op(c.f["total"], c, "tổng số"), Op(c.value, c)],
                f"{plain(c.f['total'])} - {plain(c.value)}",
                c.f.get("unit"),
            )
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
    actual = [
        c
        for c in ranked(ans, words, shares, k=8, least=0.2)
        if c[1].value not in asked
        and c[1].f.get("sentence") != target.f.get("sentence")
        and not _is_target(ans, c[1])
        and not _is_attainment(ans, c[1])
    ]
    if not actual:
        return None
    a = actual[0][1]
    hi, lo = (target, a) if target.value >= a.value else (a, target)
    return Plan([Op(hi.value, hi), Op(lo.value, lo)], f"{plain(hi.value)} - {plain(lo.value)}", "điểm %")


def _is_target(ans, c: Candidate) -> bool:
    """A share set as a goal: "tối thiểu 70%", "phấn đấu đạt 80%", or under a "Mục tiêu" heading."""
    qualifier = fold((c.f.get("qualifier") or "").lower())
    section = fold(c.hit.chunk.section.lower())
    before = fold(doc_text(ans, c)[max(0, c.f["start"] - 25) : c.f["start"]].lower())
    heading = re.search(r"(^|›)\s*([\w.]+\s+)?(muc tieu|chi tieu)", section)  # not "thực hiện mục tiêu"
    return bool(
        re.search(r"toi thieu|phan dau|it nhat|tren", qualifier)
        or heading
        or re.search(r"(toi thieu|phan dau( dat)?|it nhat|dat tren|dat tu)\s*$", before)
    )


def _is_attainment(ans, c: Candidate) -> bool:
    """ "đạt 31,32% so với mục tiêu kế hoạch": how much of a target is reached, not a share."""
    after = fold(doc_text(ans, c)[c.f["end"] : c.f["end"] + 40].lower())
    return bool(re.match(r"\W*(so voi|cua) (muc tieu|ke hoach|chi tieu)", after))


def plan_whole_minus_part(ans, q, cands, top) -> Plan | None:
    """ "… không được ký số": the whole in the same passage minus the part that is named."""
    m = re.search(_NEGATION + r"\s*(?:duoc\s+)?([^,?]*)", _text(q))
    if not m:
        return None
    part_words = phrase(ans, " ".join(_cut(re.findall(r"\w+", m.group(1)))))
    subject = phrase(ans, " ".join(q.measured)) or phrase(ans, q.folded[: m.start()])
    best, best_score = None, float("-inf")
    for sp, p in ranked(ans, part_words, cands, k=6):
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
    return Plan([Op(w.value, w), Op(p.value, p)], f"{plain(w.value)} - {plain(p.value)}", plan_unit([w, p]))
