"""Calculation candidates: operand sets built from the figures the top passages state.

The figures most likely to matter (by the figure model's score) are combined by the operations a
question may ask — difference, sum, share of a whole, ratio, product, the complement of a share or
of "x/y" — never mixing units, and numbers the question itself gives may be operands. Features
describe the operation and how the operands relate (same sentence, parts of one breakdown, one the
whole of another, years apart); the answer model decides.
"""

from __future__ import annotations

import functools
import itertools
import math

from assistant.answering.candidates import Candidate, Span, Term
from assistant.answering.composed import composed_candidates
from assistant.answering.evidence import Evidence
from assistant.answering.figure_candidates import question_features
from assistant.answering.operand_roles import DIVISIONS as _DIVISIONS
from assistant.answering.operand_roles import SUBTRACTIONS as _SUBTRACTIONS
from assistant.answering.operand_roles import mark_operand_relations, mark_planned_left_out, roles
from assistant.answering.periods import averages
from assistant.answering.table_columns import column_groups
from assistant.answering.text import plain
from assistant.vietnamese.text import words

#: Figures (best by the figure model) combined into calculations.
OPERANDS = 6
#: Numbers the question itself gives, at most, also combined (a question listing many numbers would
#: otherwise make sums of five out of all of them).
QUESTION_NUMBERS = 4
OPERATIONS = (
    "difference",
    "sum",
    "share",
    "ratio",
    "product",
    "complement",
    "rate",
    "change",
    "scale",
    "average",
)
#: How the classifier's operation labels map onto the candidate operations.
_LABEL = {
    "difference": "difference",
    "sum": "sum",
    "share": "share",
    "ratio": "ratio",
    "product": "product",
    "complement": "difference",
    "rate": "other",
    "change": "other",
    "scale": "other",
    "average": "ratio",
}


@functools.lru_cache(maxsize=4096)
def _unit_words(unit: str | None) -> tuple[str, ...]:
    """The folded words of a unit (units repeat: measured once)."""
    return tuple(words(unit or ""))


def _unit(c: Candidate) -> str:
    return " ".join(_unit_words(c.unit))


def compatible(cands: list[Candidate]) -> bool:
    """Operands that can be added or subtracted: all percents or none, all money or none (counts of
    differently named things may be added: "1 cổng chính + 31 cổng thành phần")."""
    percents = {c.unit == "%" for c in cands}
    money = {bool(c.figures and c.figures[0].kind == "money") for c in cands if c.figures}
    return len(percents) <= 1 and len(money) <= 1


def comparable(cands: list[Candidate]) -> bool:
    """Operands one can subtract or divide: compatible, and their units (when both are named) name
    the same kind of thing by their head word ("trạm" and "trạm 5G", not "hồ sơ" and "trạm")."""
    heads = {_unit_words(c.unit)[0] for c in cands if c.unit and c.unit != "%" and _unit_words(c.unit)}
    return compatible(cands) and len(heads) <= 1


def same_unit(cands: list[Candidate]) -> bool:
    units = {_unit(c) for c in cands}
    units.discard("")
    return len(units) <= 1


def calculation_candidates(ev: Evidence, figures: list[Candidate]) -> list[Candidate]:
    """Candidates from the best ``OPERANDS`` figure candidates (``features["stage1"]`` ranks them)."""
    ranked = sorted(figures, key=lambda c: -c.features.get("stage1", 0.0))
    chosen: list[Candidate] = []
    seen: set[float] = set()
    for c in ranked:  # one candidate per value: the same figure repeated is one operand
        key = round(c.value, 6)
        if key in seen or c.features.get("year_like"):
            continue
        seen.add(key)
        chosen.append(c)
        if len(chosen) == OPERANDS:
            break
    chosen += _question_numbers(ev, figures)
    make = _Maker(ev)
    out: list[Candidate] = []
    for a, b in itertools.permutations(chosen, 2):
        if comparable([a, b]):
            out.append(make("difference", [a, b], a.value - b.value, f"{plain(a.value)} - {plain(b.value)}", a.unit))
        if b.value > a.value > 0 and comparable([a, b]):
            out.append(
                make("share", [a, b], a.value / b.value * 100, f"{plain(a.value)} / {plain(b.value)} * 100", "%")
            )
        if b.value and comparable([a, b]) and (a.figures and b.figures):
            out.append(
                make(
                    "change",
                    [a, b],
                    (a.value - b.value) / b.value * 100,
                    f"({plain(a.value)} - {plain(b.value)}) / {plain(b.value)} * 100",
                    "%",
                )
            )
        if b.unit == "%" and a.unit != "%" and 0 < b.value <= 100:
            out.append(
                make("scale", [a, b], a.value / b.value * 100, f"{plain(a.value)} / {plain(b.value)} * 100", a.unit)
            )
        if b.value:
            out.append(make("ratio", [a, b], a.value / b.value, f"{plain(a.value)} / {plain(b.value)}", None))
        if b.unit == "%" and a.unit != "%":
            out.append(
                make("rate", [a, b], a.value * b.value / 100, f"{plain(a.value)} * {plain(b.value)} / 100", a.unit)
            )
    for a, b in itertools.combinations(chosen, 2):
        if a.unit != "%" and b.unit != "%":
            out.append(make("product", [a, b], a.value * b.value, f"{plain(a.value)} * {plain(b.value)}", None))
    for size in (2, 3, 4, 5):
        for group in itertools.combinations(chosen, size):
            if compatible(list(group)):
                out.append(_sum(make, list(group)))
    for group in _breakdowns(figures):
        out.append(_sum(make, group, breakdown=True))
    for group, share in column_groups(ev, chosen):
        cand = _sum(make, group, breakdown=True)
        cand.features["column"], cand.features["column_rows"] = 1.0, share
        out.append(cand)
    for c in chosen:
        if c.unit == "%" and 0 < c.value < 100:
            out.append(make("complement", [c], 100 - c.value, f"100 - {plain(c.value)}", "%"))
        f = c.figures[0] if c.figures else None
        if f is not None and f.total is not None and c.features.get("is_ratio_total", 0.0) == 0.0:
            terms = [Term(f.total, f, c.spans[0]), Term(f.value, f, c.spans[0])]
            out.append(
                make("complement", [c], f.total - f.value, f"{plain(f.total)} - {plain(f.value)}", f.unit, terms)
            )
    out += averages(make, ev.q, chosen)
    out += composed_candidates(make, out, make.leaves, chosen, comparable)
    mark_planned_left_out(out, chosen)
    asks_percent = "%" in ev.q.text or " phan tram " in f" {ev.q.folded} "
    mark_operand_relations(out, figures, ev.q.counted, asks_percent)
    return out


def _sum(make: "_Maker", group: list[Candidate], breakdown: bool = False) -> Candidate:
    group = sorted(group, key=lambda c: (c.hit.rank, c.figures[0].start if c.figures else 0))
    expression = " + ".join(plain(c.value) for c in group)
    cand = make("sum", group, math.fsum(c.value for c in group), expression, group[0].unit)
    cand.features["breakdown"] = float(breakdown)
    return cand


def _breakdowns(figures: list[Candidate]) -> list[list[Candidate]]:
    """Same-unit figures listed together: in one sentence, or the items of one breakdown head."""
    groups: dict[tuple, list[Candidate]] = {}
    for c in figures:
        f = c.figures[0] if c.figures else None
        if f is None or c.features.get("is_ratio_total") or c.unit == "%":
            continue
        key = ("ctx", f.document, f.context) if f.context else ("sent", f.document, f.sentence_start)
        groups.setdefault((*key, _unit(c)), []).append(c)
    out = []
    for group in groups.values():
        unique = list({round(c.value, 6): c for c in group}.values())
        if 2 <= len(unique) <= 12:
            out.append(unique)
    return out


def _question_numbers(ev: Evidence, figures: list[Candidate]) -> list[Candidate]:
    """Numbers the question gives ("với 173.870 hồ sơ …") as operands."""
    out = []
    known = {round(c.value, 6) for c in figures}
    n = len(ev.q.numbers)
    percent = ev.q.written_percent or [False] * n
    target = ev.q.number_target or [False] * n
    for x, written_percent, is_target in zip(ev.q.numbers, percent, target, strict=True):
        if round(x, 6) in known or not ev.passages:
            continue
        # the question's target ("mục tiêu 80%") is a target operand, and compared with percentages
        # only when written as one ("30 xã và 30%": one count, one percentage)
        feats = {"from_question": 1.0, "stage1": 0.5, "fig_target": float(is_target)}
        unit = "%" if written_percent else None
        out.append(Candidate("figure", feats, [Span(ev.passages[0].hit, 0, 0)], value=x, unit=unit))
        if len(out) == QUESTION_NUMBERS:
            break
    return out


def _position(question_words: list[str], local: frozenset[str]) -> int | None:
    """Where the question first uses a word of an operand's own phrase (None: nowhere)."""
    for i, w in enumerate(question_words):
        if w in local and len(w) > 1 and not w.isdigit():
            return i
    return None


#: Operand features a calculation takes the largest of, and those it takes the smallest of.
_MOST = (
    "semantic",
    "cov_clause",
    "place_miss",
    "named_miss",
    "year_miss",
    "period_miss",
    "rank_inv",
    "name_missing",
    "sibling",
)
_LEAST = ("semantic", "period_hit", "noun_missing")


#: How many words of an operand's unit and indicator say what it counts ("kỳ sát hạch lái xe …").
PER_WORDS = 5


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


class _Operand:
    """What the features of a calculation need from one operand, measured once per question."""

    __slots__ = ("figure", "coverage", "position", "features", "most", "least")

    def __init__(self, ev: Evidence, c: Candidate) -> None:
        self.figure = c.figures[0] if c.figures else None
        self.coverage = ev.coverage(c.local)
        self.position = _position(ev.q.words, c.local)
        self.features = f = c.features
        self.most = tuple(f.get(name, 0.0) for name in _MOST)
        self.least = tuple(f.get(name, 0.0) for name in _LEAST)


class _Maker:
    """Builds calculation candidates for one question: what depends only on the question or on one
    operand is computed once, not once per operand set."""

    def __init__(self, ev: Evidence) -> None:
        self.ev = ev
        self.question = question_features(ev.q)
        self.counted = set(ev.q.counted)
        self.given = sorted(set(ev.q.numbers))
        self._given_of: dict[float, frozenset[int]] = {}
        self.per = ev.q.per
        self.flags = {op: {f"calc_{name}": float(name == op) for name in OPERATIONS} for op in OPERATIONS}
        self._operands: dict[int, _Operand] = {}
        self.leaves: dict[int, list[Candidate]] = {}  # a calculation's operand candidates

    def _given(self, op: str, values: list[float]) -> dict[str, float]:
        """How the operands meet the numbers the question gives ("mục tiêu 30%", "tổng số 1.772"):
        the share of the operands that are such numbers (the 100 a complement takes is one only
        when the question writes 100), and the share of those numbers the calculation uses."""
        given = self.given
        if not given:
            return {"operands_given": 0.0, "given_used": 0.0}
        leaves = [100.0, *values] if op == "complement" and len(values) == 1 else values
        matched = [self._given_matching(v) for v in leaves]
        used = len(frozenset().union(*matched))
        return {"operands_given": sum(bool(m) for m in matched) / len(leaves), "given_used": used / len(given)}

    def _given_matching(self, value: float) -> frozenset[int]:
        """Which of the question's numbers ``value`` is (their indices), measured once per value."""
        found = self._given_of.get(value)
        if found is None:
            found = self._given_of[value] = frozenset(i for i, x in enumerate(self.given) if _close(value, x))
        return found

    def _per(self, op: str, operands: list[Candidate]) -> dict[str, float]:
        """For a division, how much of what the question averages over ("bình quân mỗi kỳ sát
        hạch") the divisor's own words and unit name, and how much the dividend's do."""
        per = self.per
        if not per or op not in _DIVISIONS or len(operands) < 2:
            return {"per_divisor": 0.0, "per_dividend": 0.0}

        def share(c: Candidate) -> float:
            f = c.figures[0] if c.figures else None
            if f is None:
                return 0.0
            named = set(words(f"{f.unit or ''} {f.indicator or ''}")[:PER_WORDS])
            return sum(w in named for w in per) / len(per)

        return {"per_divisor": share(operands[-1]), "per_dividend": share(operands[0])}

    def operand(self, c: Candidate) -> _Operand:
        o = self._operands.get(id(c))
        if o is None:
            o = self._operands[id(c)] = _Operand(self.ev, c)
        return o

    def __call__(
        self,
        op: str,
        operands: list[Candidate],
        value: float,
        expression: str,
        unit: str | None,
        terms: list[Term] | None = None,
    ) -> Candidate:
        ev = self.ev
        q = ev.q
        facts = [self.operand(c) for c in operands]
        feats_of = [o.features for o in facts]
        stage1 = [f.get("stage1", 0.0) for f in feats_of]
        figs = [o.figure for o in facts if o.figure is not None]
        sentences = {f.sentence_start for f in figs}
        chunks = {c.hit.chunk.id for c in operands}
        docs = {c.hit.chunk.document for c in operands}
        contexts = {f.context for f in figs}
        years = {f.year for f in figs if f.year}
        values = [c.value for c in operands]
        biggest = max(values) if values else 0.0
        whole = float(len(values) > 2 and abs(biggest - (math.fsum(values) - biggest)) < 1e-6 * max(biggest, 1))
        unit_words = _unit_words(unit)
        locals_ = [c.local for c in operands if c.local]
        union = frozenset().union(*locals_) if locals_ else frozenset()
        positions = [o.position for o in facts]
        feats = dict(self.flags[op])
        feats["cov_terms"] = ev.coverage(union)
        feats["cov_earlier_terms"] = ev.earlier_coverage(union)
        alone = [o.coverage for o in facts]
        feats["cov_terms_min"] = min(alone, default=0.0)
        feats["complementarity"] = feats["cov_terms"] - max(alone, default=0.0)
        if len(locals_) >= 2:
            a, b = locals_[0], locals_[1]
            feats["distinct_locals"] = 1.0 - len(a & b) / max(len(a | b), 1)
        else:
            feats["distinct_locals"] = 0.0
        feats["order_agrees"] = float(
            len(positions) >= 2 and None not in positions[:2] and positions[0] <= positions[1]
        )

        most = dict(zip(_MOST, map(max, zip(*(o.most for o in facts)))))
        least = dict(zip(_LEAST, map(min, zip(*(o.least for o in facts)))))
        op_prob = q.operations.get(_LABEL[op], 0.0)
        feats.update(
            {
                "op_prob": op_prob,
                "n_operands": float(len(operands)),
                "q_enumerated": float(q.enumerated),
                "operands_match_listed": float(len(operands) == q.enumerated),
                "operands_match_count": float(len(operands) in q.small),  # "cộng 3 nhiệm vụ"
                "computed_op": q.types.get("computed", 0.0) * op_prob,
                "stage1_min": min(stage1),
                "stage1_mean": math.fsum(stage1) / len(stage1),
                "stage1_max": max(stage1),
                "same_unit": float(same_unit(operands)),
                "same_sentence": float(len(sentences) == 1 and len(figs) == len(operands)),
                "same_passage": float(len(chunks) == 1),
                "same_document": float(len(docs) == 1),
                "same_context": float(len(contexts) == 1 and bool(next(iter(contexts))) and len(figs) == len(operands)),
                "parts": float(all(f.part for f in figs) and bool(figs)),
                "includes_whole": whole,
                "years_differ": float(len(years) > 1),
                "q_two_years": float(len(q.years) >= 2),
                "from_question": float(any(f.get("from_question") for f in feats_of)),
                "result_positive": float(value > 0),
                "result_log": math.log10(abs(value) + 1.0),
                "share_range": float(0 < value <= 100) if op in ("share", "complement") else 0.0,
                # "bao nhiêu điểm phần trăm" is answered by a difference of two percentages
                "points_of_percents": float(q.asks_points and op in _SUBTRACTIONS and unit == "%"),
                "noun_in_result_unit": float(not self.counted.isdisjoint(unit_words)),
                "semantic_min": least["semantic"],
                "semantic_max": most["semantic"],
                "cov_operands": most["cov_clause"],
                "place_miss": most["place_miss"],
                "named_miss": most["named_miss"],
                "year_miss": most["year_miss"],
                "period_miss": most["period_miss"],
                "period_hit": least["period_hit"],
                "rank_inv": most["rank_inv"],
                "noun_missing": least["noun_missing"],
                "name_missing": most["name_missing"],
                "sibling": most["sibling"],
                "q_unknown": ev.unknown_keywords,
            }
        )
        feats.update(roles(op, feats_of))
        feats.update(self._given(op, values))
        feats.update(self._per(op, operands))
        feats.update(self.question)
        spans = [s for c in operands for s in c.spans if s.end > s.start]
        seen, unique = set(), []
        for s in spans:
            if (s.hit.chunk.id, s.start) not in seen:
                seen.add((s.hit.chunk.id, s.start))
                unique.append(s)
        if terms is None:
            terms = [
                Term(c.value, c.figures[0] if c.figures else None, c.spans[0] if c.figures else None) for c in operands
            ]
            if op == "complement":
                terms = [Term(100.0), *terms]
        cand = Candidate(
            "calculation",
            feats,
            unique or operands[0].spans,
            value=value,
            unit=unit,
            figures=figs,
            operation=op,
            expression=expression,
            terms=terms,
        )
        self.leaves[id(cand)] = operands
        return cand
