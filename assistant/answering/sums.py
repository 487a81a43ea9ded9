"""Sum planners: named parts ("mức 3 và mức 4", "(trung ương + tỉnh)"), a table column, a group."""

from __future__ import annotations

import itertools
import re

from assistant.answering.operands import (
    Candidate,
    compatible,
    effective_unit,
    label,
    label_match,
    near,
    phrase,
    same_sentence,
    scope_owner,
    section_figures,
    table_column,
    unit_of,
    weight,
)
from assistant.answering.phrases import _text, counted_noun, named_parts
from assistant.answering.plans import Plan, ranked, sum_plan
from assistant.answering.question import QuestionInfo
from assistant.vietnamese.text import fold


def pick_parts(
    ans, q: QuestionInfo, cands: list[Candidate], parts: list[str], head: str, allow_percent: bool = False
) -> list[Candidate] | None:
    """One figure for each named part: distinct, compatible, preferably from one sentence.

    A part names a scope ("mức độ 3 tiếp nhận …, trong đó …, 87 nộp trực tuyến; mức độ 4 …"):
    every figure the sentence places under it fits it equally, and the head ("hồ sơ nộp trực
    tuyến") picks among them by the figure's own label; parallel labels fit best together.
    """
    head_words = phrase(ans, head)
    noun = counted_noun(q)
    if noun:  # "tổng số lượt …": only figures counted in "lượt", when there are such
        same = [c for c in cands if effective_unit(ans, c).split()[:1] == [noun]]
        cands = same if len(same) >= len(parts) else cands
    part_words = [phrase(ans, p) for p in parts]
    asked = set(q.folded.split())
    pools = [_part_pool(ans, i, part_words, head_words, asked, cands) for i in range(len(parts))]
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
            score += 0.3 * _parallel(ans, chosen, part_words)
        if len({c.hit.chunk.id for c in chosen}) == 1:
            score += 0.15
        if score > best_score:
            best, best_score = chosen, score
    return best


def _part_pool(
    ans, i: int, part_words: list[list[str]], head_words: list[str], asked: set[str], cands: list[Candidate], k: int = 5
) -> list[tuple[float, Candidate]]:
    scored = []
    for c in cands:
        fit = 1.0 if scope_owner(ans, c, part_words) == i else near(ans, part_words[i], c)
        if fit < 0.35:
            continue
        head_fit = label_match(ans, head_words, c, asked) + 0.3 * near(ans, head_words, c) if head_words else 0.0
        scored.append((fit + head_fit + 0.3 * c.base, c))
    return sorted(scored, key=lambda s: -s[0])[:k]


def _parallel(ans, chosen: list[Candidate], part_words: list[list[str]]) -> float:
    """How alike the labels of the chosen figures are once the parts' own words are set aside."""
    skip = {w for p in part_words for w in p}
    labels = [set(label(ans, c)) - skip for c in chosen]
    union = set().union(*labels)
    return len(set.intersection(*labels)) / len(union) if union else 0.0


def plan_parts_sum(ans, q, cands, top) -> Plan | None:
    named = named_parts(q)
    if named is None:
        return None
    chosen = pick_parts(ans, q, cands, *named)
    if not chosen:
        return None
    return sum_plan(chosen)


def plan_table_sum(ans, q, cands, top) -> Plan | None:
    if not re.search(r"\bcot\b|cac khoan|\b(cua|cho) (\d+|cac|tat ca) (nhiem vu|du an)", q.folded):
        return None
    cells = table_column(ans, q, cands)
    count = re.search(r"cua (\d+) ", q.folded)
    if len(cells) < 2 or (count and int(count.group(1)) != len(cells)):
        return None
    return sum_plan(cells)


def plan_group_sum(ans, q, cands, top) -> Plan | None:
    m = re.search(r"\btat ca (?:cac )?(.*?)(?:,|$)", _text(q))
    if not m:
        return None
    words = phrase(ans, m.group(1))
    top_match = ranked(ans, words, cands, k=1)
    if not top_match:
        return None
    best = top_match[0][1]
    members = [
        c for c in section_figures(ans, best) if c.f.get("kind") == best.f.get("kind") and near(ans, words, c) >= 0.6
    ]
    if len(members) < 2:
        return None
    return sum_plan(members)


_HEADING = re.compile(r"^[ \t]*(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[a-zđ]\))\s+\S", re.M)
_GRANTED = re.compile(r"\bduoc (?:cap|giao|phan bo|bo tri)\b|\bdu toan\b")


def _heading_before(text: str, start: int) -> tuple[int, str]:
    """The numbered heading line nearest before ``start`` ("3.1. Chương trình …"), with its offset."""
    last = None
    for m in _HEADING.finditer(text, 0, start):
        last = m
    if last is None:
        return -1, ""
    end = text.find("\n", last.start())
    return last.start(), text[last.start() : end if end != -1 else len(text)]


def plan_carry_sum(ans, q, cands, top) -> Plan | None:
    """Money carried over plus money granted: "cộng cả năm 2022 chuyển sang, … năm 2023 có tổng
    bao nhiêu kinh phí X" → "+ Năm 2022 chuyển sang năm 2023: A" + "+ Năm 2023 được cấp B" under
    the heading that names X."""
    if "chuyen sang" not in q.folded:
        return None
    money = [c for c in cands if c.f.get("kind") == "money" and not c.f.get("is_percent")]
    named = [w for w in q.keywords if w not in ("chuyen", "sang", "kinh", "phi", "cong", "ca", "tong")]
    best, best_score = None, 0.0
    for c in money:
        text = ans.data.documents[c.hit.chunk.document].text
        line_start = text.rfind("\n", 0, c.f["start"]) + 1
        lead = fold(text[line_start : c.f["start"]].lower())
        if "chuyen sang" not in lead or re.search(r"\bdong\b", lead.rsplit("chuyen sang", 1)[1]):
            continue  # the first sum of money after "chuyển sang", not a share of it
        at, heading = _heading_before(text, c.f["start"])
        granted = _granted_after(ans, c, money, text, at)
        if granted is None:
            continue
        score = weight(ans, named, ans.text_tokens(heading)) + 0.1 * c.base
        if score > best_score:
            best, best_score = (c, granted), score
    if best is None or best_score < 0.3:
        return None
    return sum_plan(list(best))


def _granted_after(ans, carry: Candidate, money: list[Candidate], text: str, heading_at: int):
    """The first money figure after ``carry`` whose lead-in says it was granted, in the same block."""
    after = sorted(
        (c for c in money if c.hit.chunk.document == carry.hit.chunk.document and c.f["start"] > carry.f["end"]),
        key=lambda c: c.f["start"],
    )
    for c in after:
        if _heading_before(text, c.f["start"])[0] != heading_at:
            return None
        if _GRANTED.search(fold(text[carry.f["end"] : c.f["start"]].lower())):
            return c if compatible(carry, c) else None
    return None
