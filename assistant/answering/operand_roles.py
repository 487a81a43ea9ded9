"""What a calculation's operands are in their documents: results or targets.

A figure is a target when its own clause says so ("phấn đấu 95%") or when it stands in a planning
part of its document (objectives, tasks: ``Passage.planned``). A calculation is described by where
its targets stand (the minuend of a gap, the divisor of an achievement share) and by whether it
leaves out a target of its operands' kind that the pool of operands offered — a gap "to the target"
answered as 100 − x while the target stands among the figures read.
"""

from __future__ import annotations

import math

from assistant.answering.candidates import Candidate

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
