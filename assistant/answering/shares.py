"""Share planners: "X chiếm bao nhiêu % tổng số Y", "tỷ lệ X", estimates from a stated share."""

from __future__ import annotations

import re

from assistant.answering.operands import (
    Candidate,
    compatible,
    near,
    phrase,
    preceded_by_total,
    same_sentence,
    unasked_level,
    unit_of,
)
from assistant.answering.phrases import named_parts, share_phrases
from assistant.answering.plans import Op, Plan, ranked
from assistant.answering.sums import pick_parts
from assistant.answering.text import plain
from assistant.vietnamese.text import fold


def plan_share(ans, q, cands, top) -> Plan | None:
    part, whole = share_phrases(q)
    named = named_parts(q)
    part_words, whole_words = phrase(ans, part), phrase(ans, whole or "")
    if named and "+" in q.text:
        chosen = pick_parts(ans, q, cands, named[0], named[1])
        if not chosen:
            return None
        whole_words = phrase(ans, part)
        wholes = [
            c
            for s, c in ranked(ans, whole_words, cands)
            if c.value > sum(x.value for x in chosen) and all(compatible(c, x) for x in chosen)
        ]
        if not wholes:
            return None
        w = wholes[0]
        expr = f"({' + '.join(plain(c.value) for c in chosen)}) / {plain(w.value)} * 100"
        return Plan([Op(c.value, c) for c in chosen] + [Op(w.value, w)], expr, "%", percent=True)
    stated = ranked(ans, part_words, cands, k=1)
    asks_to_compute = re.search(r"\btu (cac )?so\b.*\bva\b|\bhay tinh\b|\btinh toan\b", q.folded)
    if stated and not asks_to_compute and (stated[0][1].f.get("is_percent") or share_follows(ans, stated[0][1], cands)):
        return None  # the document states the share itself: a figure answer
    best, best_score = None, float("-inf")
    for s, r in ranked(ans, part_words, cands, k=8):
        if r.f.get("kind") == "ratio" and r.f.get("total") and r.f["total"] > r.value:
            score = s + (near(ans, whole_words, r) if whole_words else 0.5) + 0.4
            if score > best_score:
                best, best_score = (r, None), score
    if whole_words:
        part_only = [w for w in part_words if w not in whole_words]
        says_total = bool(re.search(r"\btong\b", q.folded))
        whole_words = (["tong"] if says_total else []) + whole_words
        total_bonus = 0.4 if says_total else 0.2
        for sp, p in ranked(ans, part_words, cands, k=8):
            sp += 0.5 * near(ans, part_only, p)
            for sw, w in ranked(ans, whole_words, cands, k=8, least=0.3):
                if w.key == p.key or w.value <= p.value or unit_of(p) == "%" or not compatible(p, w):
                    continue
                score = sp + sw - 0.5 * near(ans, part_only, w) + (0.3 if same_sentence(p, w) else 0)
                score -= 0.4 * (unasked_level(ans, q, p) + unasked_level(ans, q, w))
                score += total_bonus if preceded_by_total(ans, w) else 0
                if same_sentence(p, w) and 0 < p.f["start"] - w.f["end"] < 80:
                    score += 0.3  # "tổng số 1.445 chứng thư số (458 tổ chức, …)"
                if score > best_score:
                    best, best_score = (p, w), score
    if best is None:
        return None
    p, w = best
    if w is None:
        return Plan(
            [Op(p.value, p), Op(p.f["total"], p, "tổng số")],
            f"{plain(p.value)} / {plain(p.f['total'])} * 100",
            "%",
            percent=True,
        )
    return Plan([Op(p.value, p), Op(w.value, w)], f"{plain(p.value)} / {plain(w.value)} * 100", "%", percent=True)


def share_follows(ans, c: Candidate, cands: list[Candidate]) -> bool:
    """ "1.057 dịch vụ (chiếm tỷ lệ 57,96%)": the share of ``c`` is written right after it."""
    text = ans.data.documents[c.hit.chunk.document].text
    return any(
        o.f.get("is_percent")
        and same_sentence(o, c)
        and 0 < o.f["start"] - c.f["end"] < 90
        and re.search(r"\bchiem\b|\bty le\b", fold(text[c.f["end"] : o.f["start"]].lower()))
        and not re.search(r"\d", text[c.f["end"] : o.f["start"]])
        for o in cands
    )


def plan_estimate(ans, q, cands, top) -> Plan | None:
    """ "Ước tính … dựa trên tỷ lệ": a count × its share; "tỷ lệ tương ứng trên tổng": count ÷ share."""
    words = phrase(ans, q.text)
    shares = ranked(ans, words, [c for c in cands if c.f.get("is_percent") and 0 < c.value < 100], k=3)
    for _, p in shares:
        counts = [
            c
            for c in cands
            if same_sentence(c, p)
            and not c.f.get("is_percent")
            and c.f.get("kind") != "ratio"
            and c.f["start"] < p.f["start"]
        ]
        if not counts:
            continue
        n = max(counts, key=lambda c: c.f["start"])
        if re.search(r"tuong ung|tren tong", q.folded):
            expr = f"{plain(n.value)} / {plain(p.value)} * 100"
        else:
            expr = f"{plain(n.value)} * {plain(p.value)} / 100"
        return Plan([Op(n.value, n), Op(p.value, p)], expr, n.f.get("unit"))
    return None
