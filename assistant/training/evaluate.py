"""Out-of-fold evaluation: every question answered by models that never saw its fact (grouped
cross-validation) or its document (leave-one-document-out), scored by the evaluation contract."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assistant.answering.answerer import answering_score, finish, out_of_scope, pick
from assistant.evaluation.dataset import Question, prediction_from_answer
from assistant.evaluation.metrics import compute_metrics
from assistant.evaluation.scoring import is_correct
from assistant.models import Answer
from assistant.training.procedure import Case, apply, fit_models, folds_by_group
from assistant.training.signals import fired_on

FALSE_ABSTENTION = 0.03


@dataclass
class Outcome:
    """One held-out question as its fold's models answered it, with what the report needs taken
    in that fold (later folds rewrite the reading's features)."""

    gold: Question
    document: str
    answer: Answer  # at threshold 0: the best candidate, always answering
    best: float  # what the threshold is compared with: its score times the question's answerability
    right: bool  # right when answered
    score: float  # its calibrated score (the candidate model's probability of being right)
    withheld: Answer  # the abstention given below the threshold
    fired: dict[str, frozenset[str]] = field(default_factory=dict)  # see signals.fired_on
    #: Some candidate of the reading is labelled right (the ceiling: a wrong answer with a right
    #: candidate is the rankers' miss, one without is the candidates')
    reachable: bool = False

    @property
    def answerable(self) -> bool:
        return self.gold.type != "unanswerable"

    def correct_at(self, threshold: float) -> bool:
        return self.right if self.best >= threshold else not self.answerable

    def given_at(self, threshold: float) -> Answer:
        """What the question is told at ``threshold``: the best candidate's answer, or the abstention."""
        return self.answer if self.best >= threshold else self.withheld

    def answered_at(self, threshold: float) -> bool:
        """Whether the question gets an answer at ``threshold`` (not an abstention, its own included)."""
        return not self.given_at(threshold).abstained


def outcomes(cases: list[Case]) -> list[Outcome]:
    out = []
    for case in cases:
        it = case.item
        answer = finish(it.ctx, case.reading, it.hits, 0.0)
        # the probability of the candidate that answers (ruled-out ones are skipped, as when answering)
        chosen = None if out_of_scope(it.ctx, case.reading) or not it.hits else pick(it.ctx, case.reading, 0.0)[0]
        best = answering_score(case.reading, chosen) if chosen is not None else 0.0
        prediction = prediction_from_answer(it.gold, answer, 0.0)
        right = is_correct(it.gold, prediction) and not answer.abstained
        withheld = finish(it.ctx, case.reading, it.hits, 2.0)  # no score reaches 2: the abstention
        score = chosen.score if chosen is not None else 0.0
        fired = fired_on(case.reading)
        out.append(Outcome(it.gold, it.document, answer, best, right, score, withheld, fired, reachable(case)))
    return out


def reachable(case: Case) -> bool:
    """Whether any candidate of the case's reading is labelled right, as the rankers learn it."""
    it, r = case.item, case.reading
    return (
        any(case.sentence_labels)
        or any(it.numeric_right(c.value) for c in r.figures)
        or any(it.calculation_right(c.value) for c in r.calculations)
    )


def fold_outcomes(
    cases: list[Case], folds: list[int], which: list[int], *, progress=None, fit=fit_models
) -> dict[int, Outcome]:
    """Outcomes (by case index) of the cases of folds ``which`` (not the copies read without
    similarities), each answered by models fitted on every other fold (fold -1 included)."""
    results: dict[int, Outcome] = {}
    for k in which:
        train = [c for c, f in zip(cases, folds) if f != k]
        held = [i for i, f in enumerate(folds) if f == k and not cases[i].item.augmented]  # copies: fitted on only
        test = [cases[i] for i in held]
        models = fit(train)
        apply(test, models)
        for i, o in zip(held, outcomes(test)):
            results[i] = o
        if progress:
            progress(k)
    return results


def cross_validate(cases: list[Case], folds: list[int], *, progress=None, fit=fit_models) -> list[Outcome]:
    """Outcomes of every case (not the copies read without similarities) answered by models fitted
    on the other folds (``fit``: tests pass smaller models); cases of fold -1 are only trained on."""
    results = fold_outcomes(cases, folds, sorted(set(folds) - {-1}), progress=progress, fit=fit)
    return [results[i] for i in sorted(results)]


def grouped_folds(cases: list[Case], k: int = 5) -> list[int]:
    return folds_by_group(cases, k)


def document_folds(cases: list[Case], held: set[str] | None = None) -> list[int]:
    """A fold per document; with ``held``, only those documents are held out (the others: -1)."""
    names = sorted({c.item.document for c in cases})
    return [names.index(c.item.document) if held is None or c.item.document in held else -1 for c in cases]


def leave_one_document_out(
    cases: list[Case], threshold: float, *, progress=None, fit=fit_models, held: set[str] | None = None
) -> tuple[list[Outcome], dict]:
    """Models fitted on the other documents' questions answer each document's (each of ``held``
    only, when given): the outcomes, and the metrics at ``threshold`` overall and by document."""
    outcomes = cross_validate(cases, document_folds(cases, held), progress=progress, fit=fit)
    by_document = {
        doc: metrics_at([o for o in outcomes if o.document == doc], threshold)
        for doc in sorted({o.document for o in outcomes})
    }
    return outcomes, {"all": metrics_at(outcomes, threshold), "by_document": by_document}


def choose_threshold(results: list[Outcome], limit: float = FALSE_ABSTENTION) -> float:
    """The threshold with the best accuracy among those abstaining on at most ``limit`` of the
    answerable questions."""
    answerable = [o for o in results if o.answerable]
    candidates = sorted({0.0, *(round(o.best, 4) for o in results)})
    best_t, best_acc = 0.0, -1.0
    for t in candidates:
        fa = sum(o.best < t for o in answerable) / max(len(answerable), 1)
        if fa > limit:
            break
        acc = sum(o.correct_at(t) for o in results) / len(results)
        if acc > best_acc:
            best_t, best_acc = t, acc
    return best_t


def metrics_at(results: list[Outcome], threshold: float) -> dict:
    """The evaluation's metrics when the answerer abstains below ``threshold``."""
    questions, predictions = [], []
    for o in results:
        questions.append(o.gold)
        predictions.append(prediction_from_answer(o.gold, o.given_at(threshold), 0.0))
    m = compute_metrics(questions, predictions)
    m["threshold"] = threshold
    return m


def calibration_table(results: list[Outcome], bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean calibrated score of the chosen candidate, observed rate of right answers, count) per bin."""
    out = []
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges, edges[1:]):
        chosen = [o for o in results if lo <= o.score < hi or (hi == 1 and o.score == 1)]
        if chosen:
            out.append(
                (float(np.mean([o.score for o in chosen])), float(np.mean([o.right for o in chosen])), len(chosen))
            )
    return out
