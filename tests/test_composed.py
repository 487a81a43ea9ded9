"""Two-step calculations compare operands by value and unit: a figure read twice (from two
passages) is one figure, never a gap to itself nor a part of two sums."""

from __future__ import annotations

from assistant.answering.candidates import Candidate
from assistant.answering.composed import composed_candidates


def _figure(value: float, unit: str | None = "hồ sơ") -> Candidate:
    return Candidate("figure", {"stage1": 0.5}, [], value=value, unit=unit)


def _make(leaves: dict[int, list[Candidate]]):
    def make(op, operands, value, expression, unit):
        cand = Candidate("calculation", {}, [], value=value, unit=unit, operation=op, expression=expression)
        leaves[id(cand)] = operands
        return cand

    return make


def _sum(make, parts: list[Candidate]) -> Candidate:
    return make("sum", parts, sum(p.value for p in parts), " + ".join(str(p.value) for p in parts), parts[0].unit)


def _composed(figures, sums):
    leaves: dict[int, list[Candidate]] = {}
    make = _make(leaves)
    steps = [_sum(make, parts) for parts in sums]
    out = composed_candidates(make, steps, leaves, figures, lambda cands: True)
    return {c.expression for c in out}


def test_a_share_s_percentage_read_again_is_no_gap_to_itself():
    """The gap in points between a share "x/y" and a stated percentage: never the share against a
    percentage that is its own operand read from a second passage."""
    leaves: dict[int, list[Candidate]] = {}
    make = _make(leaves)
    part, whole, stated = _figure(300.0), _figure(400.0), _figure(80.0, "%")
    share = make("share", [stated, whole], 20.0, "80 / 400 * 100", "%")  # a share over a percentage
    again = _figure(80.0, "%")  # the same percentage, from another passage
    target = _figure(95.0, "%")
    out = composed_candidates(make, [share], leaves, [part, whole, stated, again, target], lambda cands: True)
    made = {c.expression for c in out}
    assert "95 - 80 / 400 * 100" in made
    assert not any(e.startswith("80 - ") or e.endswith(" - 80") for e in made)


def test_two_sums_that_share_a_figure_read_twice_are_not_compared():
    a, b, c, whole = _figure(100.0), _figure(200.0), _figure(400.0), _figure(2000.0)
    a_again = _figure(100.0)
    made = _composed([a, b, c, whole, a_again], [[a, b], [a_again, c]])
    assert "(100 + 200) / 2000 * 100" in made and "(100 + 400) / 2000 * 100" in made  # both sums kept
    assert "(100 + 200) / (100 + 400) * 100" not in made
    d = _figure(50.0)
    made = _composed([a, b, c, d, whole], [[d, b], [a, c]])
    assert "(50 + 200) / (100 + 400) * 100" in made
