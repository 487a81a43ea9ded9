"""Figure candidates: every figure the top passages state, with the evidence that it answers.

Features compare the question with the figure's sentence, clause, indicator, unit, table headers
and the heads of the breakdown it belongs to; its year, place and document with those asked; its
role (target or result, part or total, percent, money). No feature names a particular question's
words; vocabularies are in :mod:`assistant.answering.vocabulary`.
"""

from __future__ import annotations

import math
from collections import Counter

from assistant.answering import vocabulary as vocab
from assistant.answering.analysis import SMALL
from assistant.answering.candidates import Candidate, Span
from assistant.answering.evidence import Evidence, Passage, text_years
from assistant.answering.segments import mark_owned_words
from assistant.figures.model import Figure
from assistant.figures.window import clause_bounds
from assistant.vietnamese.text import words

#: Passages whose figures are candidates.
PASSAGES = 8


def figure_candidates(ev: Evidence) -> list[Candidate]:
    out: list[Candidate] = []
    figures_of = ev.ctx.data.typed_figures
    q_vector = ev.q.vector
    asked, question = _asked(ev.q), question_features(ev.q)
    for p in ev.passages[:PASSAGES]:
        figs = figures_of.get(p.chunk.id, [])
        vectors = ev.ctx.data.figure_vectors(p.chunk.id)
        similarity = (
            (vectors @ q_vector).tolist() if vectors is not None and q_vector is not None else [0.0] * len(figs)
        )
        text = p.document.text
        per_sentence = Counter(f.sentence_start for f in figs)
        heads = {f.sentence_start for f in figs if f.part}
        order: dict[int, int] = {}
        for f, sim in zip(figs, similarity):
            i = order.get(f.sentence_start, 0)
            order[f.sentence_start] = i + 1
            head = float(not f.part and f.sentence_start in heads and i == 0)
            out.append(_candidate(ev, p, f, text, i, per_sentence[f.sentence_start], asked, question, head=head))
            out[-1].features["semantic"] = sim
            if f.total is not None:  # "27/63": the whole is a figure too
                out.append(_candidate(ev, p, f, text, i, per_sentence[f.sentence_start], asked, question, total=True))
                out[-1].features["semantic"] = sim
    mark_owned_words(ev, out)
    values = Counter(round(c.value, 6) for c in out)
    for c in out:
        c.features["same_value"] = values[round(c.value, 6)] / max(len(out), 1)
        c.features["same_value_n"] = float(values[round(c.value, 6)])
    return out


class _FigureTraits:
    """What a figure's own text says (no question involved), measured once per build and figure."""

    __slots__ = (
        "clause_tokens",
        "sentence_tokens",
        "indicator_tokens",
        "unit_tokens",
        "around",
        "clause_years",
        "small",
        "near",
        "after",
        "before",
        "after_words",
        "lead_words",
        "fig_target",
        "fig_result",
        "context_tokens",
        "column_tokens",
        "row_tokens",
        "local",
    )

    def __init__(self, ev: Evidence, f: Figure, text: str) -> None:
        ctx = ev.ctx
        lo, hi = clause_bounds(text, f.start, f.end)
        clause = text[lo:hi]
        self.clause_tokens = ctx.text_tokens(clause)
        self.sentence_tokens = ctx.text_tokens(f.sentence)
        indicator = " ".join(x for x in (f.lead, f.indicator, f.unit, f.row_header, f.column_header) if x)
        self.indicator_tokens = ctx.text_tokens(indicator)
        self.unit_tokens = set(words(f.unit or ""))
        self.context_tokens = ctx.text_tokens(f.context) if f.context else None
        self.column_tokens = ctx.text_tokens(f.column_header) if f.column_header else None
        self.row_tokens = ctx.text_tokens(f.row_header) if f.row_header else None
        # Where the thing counted could be read from (with the section's words, per passage).
        self.around = self.clause_tokens | self.sentence_tokens | self.indicator_tokens | self.unit_tokens
        if self.context_tokens is not None:
            self.around |= self.context_tokens
        self.clause_years = text_years(clause)
        # the level of its own label ("mức 4: 1.077 dịch vụ" has indicator "dịch vụ (mức 4)") counts
        # as near, though a colon ends the clause before the figure
        label = {int(x) for x in SMALL.findall(f"{f.lead} {f.indicator}")}
        self.small = {int(x) for x in SMALL.findall(text[lo : f.start] + " " + text[f.end : hi])} | label
        after_text = text[f.end : min(hi, f.end + 70)]
        before_text = text[max(lo, f.start - 70) : f.start]
        self.after = ctx.text_tokens(after_text)
        self.before = ctx.text_tokens(before_text)
        self.after_words = words(after_text)[:6]
        self.near = {int(x) for x in SMALL.findall(text[max(lo, f.start - 40) : f.start])} | label
        self.lead_words = words(f"{f.lead} {clause}")
        clause_folded = " ".join(self.lead_words)
        self.fig_target = float(vocab.has_any(clause_folded, vocab.TARGET))
        self.fig_result = float(vocab.has_any(clause_folded, vocab.RESULT))
        self.local = frozenset(self.after | self.before | self.indicator_tokens)


def _traits(ev: Evidence, f: Figure, text: str) -> _FigureTraits:
    memo = ev.ctx.memo
    # Everything the traits are made of (two figures on one span still get their own).
    key = (f.document, f.chunk_id, f.start, f.end, f.sentence, f.lead, f.indicator, f.unit)
    key += (f.row_header, f.column_header, f.context)
    t = memo.traits.get(key)
    if t is None:
        t = memo.remember(memo.traits, key, _FigureTraits(ev, f, text))
    return t


def _asked(q) -> dict[str, float]:
    """Features of the question alone, shared by all its figure candidates."""
    return {
        "q_small": float(bool(q.small)),
        "q_total": float(vocab.has_any(q.folded, vocab.TOTAL)),
        "q_money": float(vocab.has_any(q.folded, vocab.MONEY)),
        "q_percent": float(vocab.has_any(q.folded, vocab.PERCENT)),
    }


def _asks_money(counted: list[str]) -> bool:
    """Whether the counted noun of "bao nhiêu …" names money rather than things ("tiền", "kinh phí")."""
    phrase = " ".join(counted)
    return any(phrase == n or phrase.startswith(n + " ") for n in vocab.MONEY_NOUNS)


def _candidate(
    ev: Evidence,
    p: Passage,
    f: Figure,
    text: str,
    index: int,
    in_sentence: int,
    asked: dict[str, float],
    question: dict[str, float],
    total: bool = False,
    head: float = 0.0,
) -> Candidate:
    q = ev.q
    t = _traits(ev, f, text)
    clause_tokens, unit_tokens, after, before = t.clause_tokens, t.unit_tokens, t.after, t.before
    value = f.total if total else f.value
    fig_years = {f.year} if f.year else set()
    counted = q.counted
    noun_in_unit = sum(w in unit_tokens for w in counted) / len(counted) if counted and unit_tokens else 0.0
    noun_in_clause = sum(w in clause_tokens for w in counted) / len(counted) if counted else 0.0
    # The thing counted appears nowhere the figure could be read from: another thing's count.
    around, section = t.around, p.section_tokens
    noun_missing = float(bool(counted) and not any(w in around or w in section for w in counted))
    if f.kind == "money" and _asks_money(counted):
        noun_missing = 0.0  # "bao nhiêu tiền": a sum of money answers, whatever its clause calls it
    year_hit, year_miss = ev.years(fig_years)
    sent_year_hit, sent_year_miss = ev.years(t.clause_years)
    period = p.period(f.year, t.clause_years)
    period_hit, period_miss = ev.years({period} if period else set())
    place_hit, place_miss = p.place
    named_hit, named_miss = p.named
    after_words = t.after_words
    feats = {
        "cov_after": ev.coverage(after),
        "cov_before": ev.coverage(before),
        "cov_local": ev.coverage(after | before),
        "counted_after": sum(w in after_words for w in counted) / len(counted) if counted else 0.0,
        "counted_next": float(bool(counted) and after_words[: len(counted)] == counted),
        # how far the words after the figure follow the question's whole counted phrase: "296 cảnh
        # báo lỗ hổng bảo mật" all of it, "421 cảnh báo, trong đó" two words of six
        "counted_run": _run(after_words, q.counted_phrase) / len(q.counted_phrase) if q.counted_phrase else 0.0,
        "q_small": asked["q_small"],
        "small_hit": len(q.small & t.small) / len(q.small) if q.small else 0.0,
        "small_miss": float(bool(t.near) and not (t.near & q.small)),
        "q_total": asked["q_total"],
        "head": head,
        "rank_inv": 1.0 / (p.rank + 1),
        "passage_score": ev.relative_score(p.hit),
        "passage_dense": p.hit.dense_score or 0.0,
        "cov_sentence": ev.coverage(t.sentence_tokens | section),
        "cov_sentence_only": ev.coverage(t.sentence_tokens),
        "cov_clause": ev.coverage(clause_tokens),
        "cov_earlier": ev.earlier_coverage(clause_tokens | t.indicator_tokens),
        "q_earlier": float(bool(q.earlier)),
        "cov_indicator": ev.coverage(t.indicator_tokens),
        "prec_indicator": ev.precision(t.indicator_tokens),
        "cov_section": ev.coverage(section),
        "name_missing": p.names_missing,
        "q_named": float(bool(ev.q.names)),
        "q_unknown": ev.unknown_keywords,
        "cov_context": ev.coverage(t.context_tokens) if t.context_tokens is not None else 0.0,
        "bigrams_clause": ev.bigrams_of(t.lead_words),
        "sibling": ev.siblings_of(t.lead_words),
        "q_counts": float(bool(counted)),
        "noun_in_unit": noun_in_unit,
        "noun_in_clause": noun_in_clause,
        "noun_missing": noun_missing,
        "unit_missing": float(not unit_tokens),
        "is_percent": float(f.is_percent and not total),
        "kind_money": float(f.kind == "money"),
        "kind_ratio": float(f.kind == "ratio" and not total),
        "is_ratio_total": float(total),
        "q_money": asked["q_money"],
        "q_percent": asked["q_percent"],
        "q_has_year": float(bool(q.years)),
        "year_hit": year_hit,
        "year_miss": year_miss,
        "period_hit": period_hit,
        "period_miss": period_miss,
        "period_known": float(period is not None),
        "clause_year_hit": sent_year_hit,
        "clause_year_miss": sent_year_miss,
        "doc_covers_year": float(bool(set(q.years) & p.doc_years)) if q.years else 0.0,
        "doc_reports_year": float(bool(set(q.years) & set(p.document.metadata.years_reported))) if q.years else 0.0,
        "q_target": float(q.asks_target),
        "fig_target": t.fig_target,
        "fig_result": t.fig_result,
        "plan_section": p.plan_section,
        "report_section": p.report_section,
        "planned_section": p.planned,
        "place_hit": place_hit,
        "place_miss": place_miss,
        "named_hit": named_hit,
        "named_miss": named_miss,
        "part": float(f.part),
        "has_context": float(bool(f.context)),
        "in_table": float(p.chunk.kind == "table"),
        "cov_column": ev.coverage(t.column_tokens) if t.column_tokens is not None else 0.0,
        "cov_row": ev.coverage(t.row_tokens) if t.row_tokens is not None else 0.0,
        "position": float(index),
        "in_sentence": float(in_sentence),
        "qualified": float(bool(f.qualifier)),
        "value_in_question": float(any(abs(value - x) < 1e-9 for x in q.numbers)),
        "log_value": math.log10(abs(value) + 1.0),
        "year_like": float(1900 <= value <= 2100 and float(value).is_integer()),
    }
    feats.update(question)
    unit = "%" if f.is_percent and not total else f.unit
    return Candidate(
        "figure",
        feats,
        [Span(p.hit, f.sentence_start, f.sentence_end)],
        value=value,
        unit=unit,
        figures=[f],
        local=t.local,
    )


def question_features(q) -> dict[str, float]:
    """What the classifier says the question asks, as features of every candidate."""
    out = {f"type_{k}": v for k, v in q.types.items()}
    out.update({f"op_{k}": v for k, v in q.operations.items()})
    out["q_parts"] = float(len(q.parts) or 1)
    return out


def _run(a: list[str], b: list[str]) -> int:
    """How many words ``a`` and ``b`` share from their start."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
