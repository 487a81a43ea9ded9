"""What a calculation's operands are in their documents: results or targets.

A figure is a target when its own clause says so ("phấn đấu 95%") or when it stands in a planning
part of its document (objectives, tasks: ``Passage.planned``). A calculation is described by where
its targets stand (the minuend of a gap, the divisor of an achievement share) and by whether it
leaves out a target of its operands' kind that the pool of operands offered — a gap "to the target"
answered as 100 − x while the target stands among the figures read.
"""

from __future__ import annotations

import math

from assistant.answering.breakdown import item_heads
from assistant.answering.candidates import Candidate
from assistant.figures.model import Figure
from assistant.vietnamese.text import words

#: Operations that divide by their last operand.
DIVISIONS = frozenset({"ratio", "share", "scale"})
#: Operations that subtract their other operands from the first (a relative change is a division).
SUBTRACTIONS = frozenset({"difference"})


def planned(features: dict[str, float]) -> float:
    """Whether a figure is a plan's figure: its clause says a target, or it stands in a planning part."""
    return max(features.get("fig_target", 0.0), features.get("planned_section", 0.0))


def roles(op: str, feats_of: list[dict[str, float]]) -> dict[str, float]:
    """Which operands are targets rather than results: for a difference, whether the first one is
    (the minuend of a gap to a target); for a division, whether the last one is (the share of a
    target achieved); and the share of operands that are (a complement's 100 is no operand: "100 −
    80" with 80 a target gives 1). The ``planned`` ones count a planning part's figures as targets."""
    targets = [f.get("fig_target", 0.0) for f in feats_of]
    plans = [planned(f) for f in feats_of]
    return {
        "target_first": targets[0] if op in SUBTRACTIONS else 0.0,
        "target_last": targets[-1] if op in DIVISIONS else 0.0,
        "targets": math.fsum(targets) / len(targets) if targets else 0.0,
        "planned_first": plans[0] if op in SUBTRACTIONS and plans else 0.0,
        "planned": math.fsum(plans) / len(plans) if plans else 0.0,
    }


def _percent(c: Candidate) -> bool:
    return c.figures[0].is_percent if c.figures else c.unit == "%"


def mark_planned_left_out(calculations: list[Candidate], pool: list[Candidate]) -> None:
    """``planned_available``: a planned figure of the kind of a calculation's operands (a percentage
    for percentages, a count or amount for those) was in the operand ``pool``; ``planned_left_out``:
    and the calculation uses no planned figure. Kinds are the operands', not the result's: a share
    of two counts ends in "%" and could never have used a planned percentage."""
    offered = {_percent(c) for c in pool if planned(c.features)}
    for cand in calculations:
        kinds = {f.is_percent for f in cand.figures}
        available = float(bool(kinds & offered))
        cand.features["planned_available"] = available
        cand.features["planned_left_out"] = available * float(cand.features.get("planned", 0.0) == 0.0)


def _decimals(raw: str) -> int:
    """Digits a figure is stated with after its decimal comma ("69,09" → 2, "31.888,142" → 3)."""
    digits = raw.rsplit(",", 1)[1] if "," in raw else ""
    n = 0
    while n < len(digits) and digits[n].isdigit():
        n += 1
    return n


def _head(unit: str | None) -> str:
    """The first word of a unit, folded ("" for none; "%" for a percentage)."""
    if unit == "%":
        return "%"
    found = words(unit or "")
    return found[0] if found else ""


def _restates(cand: Candidate, stated: list[tuple[float, str, int]]) -> bool:
    """Whether the result, rounded as a stated figure with the same unit is written (and within 1 %
    of it: 1,6 is not the "2" of a small count), is that figure. A sum or difference of items
    stated without a unit ("cấp tỉnh 16, cấp huyện 72") may restate any count; a ratio or a
    product (no unit) restates nothing."""
    head = _head(cand.unit) or next((_head(f.unit) for f in cand.figures if f.unit), "")
    if cand.value is None or (not head and cand.operation not in ("sum", "difference")):
        return False
    value = cand.value
    return any(
        (h == head or (not head and h != "%")) and abs(value - v) <= min(0.5 * 10.0**-d, 0.01 * abs(v)) + 1e-9
        for v, h, d in stated
    )


def _item_heads(pool: list[Candidate]) -> dict[tuple[str, int], tuple[str, int]]:
    """Each breakdown item's head, by (document, start): see ``breakdown.item_heads``."""
    by_sentence: dict[tuple[str, int], list[Figure]] = {}
    for c in pool:
        for f in c.figures[:1]:
            by_sentence.setdefault((f.document, f.sentence_start), []).append(f)
    out = {}
    for (document, _), figs in by_sentence.items():
        for item, head in item_heads(figs).items():
            out[(document, item)] = (document, head)
    return out


def mark_operand_relations(
    calculations: list[Candidate], pool: list[Candidate], counted: list[str], asks_percent: bool
) -> None:
    """Three relations of a calculation to what its passages state and what the question asks:

    - ``restates_stated``: its result, rounded as written, is a figure with its unit that a passage
      of its operands states and that is none of them (39 + 140 where "179" stands; 100 − 30,91
      where "69,09%" stands): the document gives the answer, the calculation only repeats it;
    - ``whole_and_part`` (sums and differences): two operands are a breakdown's head and one of its
      own items (the total of a sentence and a figure inside its parenthesis or after its "trong
      đó"): a sum of them counts the item twice, a difference leaves the other items;
    - ``noun_left_in_operands``: the question counts what the operands' units name ("chiếm bao
      nhiêu đơn vị") and the result's unit does not name it (a share in %); never when the
      question asks a percentage ("phần trăm" folds to the words of "trạm").

    ``pool`` is every figure candidate; ``counted`` the question's counted noun (folded words)."""
    stated: dict[str, list[tuple[float, str, int]]] = {}
    for c in pool:
        if c.features.get("year_like") or not c.figures:
            continue
        f = c.figures[0]
        stated.setdefault(c.hit.chunk.id, []).append((c.value, _head(c.unit), _decimals(f.raw)))
    nouns = set() if asks_percent else set(counted)
    heads = _item_heads(pool)
    for cand in calculations:
        leaves = {round(t.value, 9) for t in cand.terms}
        chunks = {s.hit.chunk.id for s in cand.spans}
        around = [s for chunk in chunks for s in stated.get(chunk, []) if round(s[0], 9) not in leaves]
        cand.features["restates_stated"] = float(_restates(cand, around))
        figs = cand.figures
        whole_and_part = 0.0
        if cand.operation in ("sum", "difference") and any(f.part for f in figs):
            keys = {(f.document, f.start) for f in figs}
            whole_and_part = float(any(heads.get(key) in keys for key in keys))
        cand.features["whole_and_part"] = whole_and_part
        operand_units = {w for f in figs for w in words(f.unit or "")}
        result_unit = set(words(cand.unit or ""))
        cand.features["noun_left_in_operands"] = float(bool(nouns & operand_units) and not nouns & result_unit)
