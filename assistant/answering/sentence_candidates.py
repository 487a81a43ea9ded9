"""Sentence candidates: the clauses of the top passages, the clause continued by the items it
announces (a list, the following bullets, into the next passage of the same section), and the
dates a clause states. Features compare each with the question; the sentence model decides."""

from __future__ import annotations

import math
import re

from assistant.answering import vocabulary as vocab
from assistant.answering.candidates import Candidate, Span
from assistant.answering.evidence import Evidence, Passage, text_years
from assistant.answering.figure_candidates import question_features
from assistant.answering.text import sentences, window
from assistant.models import Hit
from assistant.vietnamese.number_finder import find_numbers
from assistant.vietnamese.text import words

#: Passages whose clauses are candidates.
PASSAGES = 6
#: Characters an answer may use (the evaluation contract accepts 400 with citation markers).
BUDGET = 380
_ONE_DATE = (
    r"(?:[Qq]uý\s+[IV]+(?:/\d{4})?|ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
    r"|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b(?![/-]\w)|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}"
    r"|\b\d{1,2}/\d{1,2}\b(?![/-]\w)|năm\s+\d{4}|\b(?:19|20)\d{2}\b(?![/-]\w))"
)
#: A date, a period ("từ tháng 10/2021 đến tháng 4/2023", "năm 2022 - 2024").
DATE = re.compile(
    rf"(?:[Tt]ừ\s+)?{_ONE_DATE}(?:\s*(?:-|–|đến(?:\s+nay)?)\s*(?:năm\s+|tháng\s+|ngày\s+)?(?:\d{{1,2}}/){{0,2}}\d{{4}}\b)?"
)
_ITEM = re.compile(r"^\s*(?:[-+•*–]|\d+(?:\.\d+)*[.)]|[a-zđ]\))\s+")
#: Numbers that state an amount (not a year, a date or a document's number).
_QUANTITIES = frozenset({"quantity", "percent", "money", "ratio"})
_CAPITALISED = re.compile(r"(?:\b[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+|$)){2,}")


def sentence_candidates(ev: Evidence) -> list[Candidate]:
    out: list[Candidate] = []
    for p in ev.passages[:PASSAGES]:
        clauses = sentences(p.chunk)
        for i, (start, end, text) in enumerate(clauses):
            base = _features(ev, p, i, len(clauses), text)
            out.append(_candidate(ev, p, [(start, end, text, p.hit)], base, text))
            follow = _continuation(clauses, i, ev, p)
            if len(follow) > 1:
                joined = " ".join(t for _, _, t, _ in follow)
                joined_tokens = ev.ctx.text_tokens(joined)
                cov_joined = ev.coverage(joined_tokens)
                parts_min, parts_held = ev.parts_held(joined_tokens, cov_joined)
                feats = dict(
                    base,
                    continued=1.0,
                    items=float(len(follow) - 1),
                    cov_joined=cov_joined,
                    parts_min=parts_min,
                    parts_held=parts_held,
                    numbers=float(sum(_traits(ev, t).numbers for _, _, t, _ in follow)),
                )
                out.append(_candidate(ev, p, follow, feats, joined))
            for n, m in enumerate(DATE.finditer(text)):
                date = m.group(0).strip()
                digits = re.findall(r"\d+", date)
                feats = dict(
                    base,
                    date_answer=1.0,
                    date_index=float(n),
                    date_full=float(len(digits) >= 3),
                    date_in_question=float(
                        all(d in {str(int(x)) for x in ev.q.numbers} | {str(y) for y in ev.q.years} for d in digits)
                    ),
                )
                out.append(_candidate(ev, p, [(start, end, text, p.hit)], feats, date))
    return out


class _Traits:
    """What a clause alone says (no question involved), measured once per build and text."""

    __slots__ = (
        "words",
        "folded",
        "years",
        "length_log",
        "n_dates",
        "has_number",
        "capitalised",
        "organisation",
        "cause",
        "announces",
        "is_item",
        "heading",
        "target",
        "numbers",
    )

    def __init__(self, text: str) -> None:
        self.words = words(text)
        self.folded = folded = " ".join(self.words)
        self.years = text_years(text)
        self.length_log = math.log(len(text) + 1)
        self.n_dates = float(len(DATE.findall(text)))
        self.has_number = float(bool(re.search(r"\d", text)))
        self.capitalised = float(bool(_CAPITALISED.search(text)))
        self.organisation = float(vocab.has_any(folded, vocab.ORGANISATION))
        self.cause = float(vocab.has_any(folded, vocab.CAUSE))
        self.announces = float(text.rstrip().endswith(":"))
        self.is_item = float(bool(_ITEM.match(text)))
        self.heading = float(text.rstrip()[-1:] not in ".;:!?" and (text.isupper() or bool(_ITEM.match(text))))
        self.target = float(vocab.has_any(folded, vocab.TARGET))
        self.numbers = float(sum(m.kind in _QUANTITIES for m in find_numbers(text)))


def _traits(ev: Evidence, text: str) -> _Traits:
    memo = ev.ctx.memo
    t = memo.traits.get(text)
    if t is None:
        t = memo.remember(memo.traits, text, _Traits(text))
    return t


def _features(ev: Evidence, p: Passage, i: int, n: int, text: str) -> dict[str, float]:
    q, ctx = ev.q, ev.ctx
    tokens = ctx.text_tokens(text)
    t = _traits(ev, text)
    year_hit, year_miss = ev.years(t.years)
    place_hit, place_miss = p.place
    named_hit, named_miss = p.named
    cov_only = ev.coverage(tokens)
    parts_min, parts_held = ev.parts_held(tokens, cov_only)
    feats = {
        "rank_inv": 1.0 / (p.rank + 1),
        "passage_score": ev.relative_score(p.hit),
        "passage_dense": p.hit.dense_score or 0.0,
        "cov": ev.coverage(tokens | p.section_tokens),
        "cov_only": cov_only,
        "cov_section": ev.coverage(p.section_tokens),
        "name_missing": p.names_missing,
        "q_named": float(bool(ev.q.names)),
        "q_unknown": ev.unknown_keywords,
        "precision": ev.precision(tokens),
        "bigrams": ev.bigrams_of(t.words),
        "sibling": ev.siblings_of(t.words),
        "length_log": t.length_log,
        "position": i / max(n, 1),
        "first": float(i == 0),
        "n_dates": t.n_dates,
        "has_number": t.has_number,
        "capitalised": t.capitalised,
        "organisation": t.organisation,
        "cause": t.cause,
        "announces": t.announces,
        "is_item": t.is_item,
        "heading": t.heading,
        "in_table": float(p.chunk.kind == "table"),
        "year_hit": year_hit,
        "year_miss": year_miss,
        "place_hit": place_hit,
        "place_miss": place_miss,
        "named_hit": named_hit,
        "named_miss": named_miss,
        "q_target": float(q.asks_target),
        "target": t.target,
        "plan_section": p.plan_section,
        "report_section": p.report_section,
        "continued": 0.0,
        "items": 0.0,
        "cov_joined": 0.0,
        "date_answer": 0.0,
        "date_index": 0.0,
        "date_full": 0.0,
        "date_in_question": 0.0,
        "parts_min": parts_min,  # how far the clause holds each thing a several-part question asks
        "parts_held": parts_held,
        "numbers": t.numbers,
    }
    feats.update(question_features(q))
    return feats


def _continuation(clauses, i: int, ev: Evidence, p: Passage) -> list[tuple]:
    """The clause and the items that follow it (bullets, numbered items, clauses after a ':'),
    continued into the next passage of the same section, within the budget."""
    first = (*clauses[i], p.hit)
    picked = [first]
    used = len(first[2])
    following = [(*c, p.hit) for c in clauses[i + 1 :]]
    if i + 1 >= len(clauses):  # the list may go on in the next passage of the section
        following = _next_passage(ev, p)
    for clause in following:
        if used + len(clause[2]) + 1 > BUDGET:
            break
        if not (_ITEM.match(clause[2]) or first[2].rstrip().endswith(":") or picked[-1][2].rstrip().endswith(";")):
            break
        picked.append(clause)
        used += len(clause[2]) + 1
    return picked


def _next_passage(ev: Evidence, p: Passage) -> list[tuple]:
    chunk = p.chunk
    after = ev.ctx.data.next_chunk(chunk)
    if after is None or after.section != chunk.section or after.kind != chunk.kind:
        return []
    hit = Hit(chunk=after, score=p.hit.score, rank=p.hit.rank)
    return [(*c, hit) for c in sentences(after)]


def _candidate(ev: Evidence, p: Passage, parts: list[tuple], feats: dict[str, float], text: str) -> Candidate:
    spans = [Span(hit, s, e) for s, e, _, hit in parts]
    return Candidate("sentence", feats, spans, text=text)


def shown(ev: Evidence, c: Candidate) -> str:
    """A sentence candidate's answer text: the stretch of at most ``BUDGET`` characters that holds
    the most question-keyword weight (a date as it is)."""
    if c.features.get("date_answer") or len(c.text) <= BUDGET:
        return " ".join(c.text.split())
    weights = {w: ev.ctx.idf.get(w, ev.ctx.default_idf) for w in ev.q.keywords}
    return window(c.text, weights, BUDGET)
