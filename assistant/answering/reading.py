"""Reading a question against its passages: analysis, candidates and their scores — the steps the
answerer and the training share, so that training sees exactly what answering does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.answering.analysis import Question, analyze, keywords_of, provinces_named, without_asking
from assistant.answering.calculation_candidates import calculation_candidates
from assistant.answering.candidates import Candidate
from assistant.answering.context import AnswerContext
from assistant.answering.evidence import Evidence
from assistant.answering.figure_candidates import figure_candidates
from assistant.answering.learned import LISTWISE_FEATURES, Models
from assistant.answering.ranker import Ranker
from assistant.answering.sentence_candidates import sentence_candidates
from assistant.models import Hit
from assistant.vietnamese.text import fold, words


@dataclass
class Reading:
    question: Question
    evidence: Evidence
    figures: list[Candidate]
    calculations: list[Candidate]
    sentences: list[Candidate]
    figure_keys: frozenset[str] = frozenset()  # what the figure model reads (before its own score)

    @property
    def numeric(self) -> list[Candidate]:
        return self.figures + self.calculations

    @property
    def all(self) -> list[Candidate]:
        return self.figures + self.calculations + self.sentences


def question_of(ctx: AnswerContext, text: str, vector: np.ndarray | None, context: str = "") -> Question:
    """The analysed question, without the classifier's outputs yet. A follow-up that names no
    province, or no year, is about the one its ``context`` (the conversation's earlier subject)
    names."""
    q = analyze(text, words(ctx.tokenizer.expand(text)))
    earlier = analyze(context, words(ctx.tokenizer.expand(context))) if context else None
    if not q.provinces and context:
        q.provinces = provinces_named(context)
    if not q.years and earlier is not None:
        q.years = earlier.years
        # "KH 2024" named earlier still names the document, not a year asked about
        q.doc_years, q.report_years = earlier.doc_years, earlier.report_years
    place_words = {w for p in q.provinces for w in fold(p).split()}
    q.keywords = [k for k in q.keywords if k not in place_words] or q.keywords
    # each part keeps its places: "Trà Vinh bao nhiêu, Tiền Giang bao nhiêu?" tells them apart by place
    q.parts = [
        keywords_of(words(part) + words(ctx.tokenizer.expand(part))) for part in map(without_asking, q.part_texts)
    ]
    if earlier is not None:  # what the follow-up leaves to its conversation: operands of "tăng bao nhiêu %?"
        own = set(q.keywords) | place_words
        q.earlier = [k for k in dict.fromkeys(earlier.keywords) if k not in own]
    q.vector = vector
    return q


def classify(q: Question, models: Models) -> None:
    set_predicted(q, models.classifier.predict(q.text, q.vector))
    q.unanswerable_known = models.seen_documents


def set_predicted(q: Question, predicted: dict[str, dict[str, float]]) -> None:
    """The classifier's outputs on the question: answer type, operation, answerability."""
    q.types = predicted["type"]
    q.operations = predicted["operation"]
    q.unanswerable = predicted["answerable"]["unanswerable"]


#: Features also given relative to the best value among the question's candidates of the same pool:
#: a pointwise model then sees how a candidate compares with its rivals.
RELATIVE = {
    "figure": (
        "cov_clause",
        "cov_indicator",
        "prec_indicator",
        "cov_sentence",
        "noun_in_clause",
        "noun_in_unit",
        "passage_score",
        "bigrams_clause",
        "small_hit",
        "cov_after",
        "cov_before",
        "cov_local",
        "counted_after",
        "counted_run",
        "semantic",
        "cov_earlier",
    ),
    "numeric": (
        "stage1",
        "stage1_min",
        "stage1_mean",
        "cov_operands",
        "op_prob",
        "cov_terms",
        "cov_terms_min",
        "complementarity",
        "computed_op",
        "cov_earlier_terms",
    ),
    "sentence": ("cov", "cov_only", "precision", "bigrams", "passage_score", "cov_joined", "parts_min"),
}


#: Figure features also measured against the other figures of the same sentence (a breakdown's total
#: and its items share one: "335 camera, trong đó 80 camera thông minh"), where the best of the whole
#: pool may stand in another passage.
SENTENCE_RELATIVE = ("cov_local", "counted_run", "counted_after", "cov_after", "cov_before", "semantic")


def relativize_in_sentence(candidates: list[Candidate], keys: tuple[str, ...] = SENTENCE_RELATIVE) -> None:
    """``rel_sent_<key>``: a figure's feature minus the best of the figures of its own sentence (0 for
    the best). A figure that reads as a year neither sets nor gets it; one alone in its sentence gets
    0, as does a table cell (its sentence is its own cell; ``in_sentence`` and ``in_table`` tell
    these apart), and candidates without it read 0, the best, as for ``rel_``."""
    groups: dict[tuple[str, int], list[Candidate]] = {}
    for c in candidates:
        if c.figures and not c.features.get("year_like"):
            f = c.figures[0]
            groups.setdefault((f.document, f.sentence_start), []).append(c)
    for group in groups.values():
        relativize(group, keys, prefix="rel_sent_")


def relativize(candidates: list[Candidate], keys: tuple[str, ...], prefix: str = "rel_") -> None:
    """``<prefix><key>``: each candidate's feature minus the best of ``candidates``."""
    for key in keys:
        values = [c.features.get(key, 0.0) for c in candidates]
        if not values:
            continue
        top = max(values)
        for c, v in zip(candidates, values):
            c.features[f"{prefix}{key}"] = v - top


def agreement(c: Candidate, q: Question) -> None:
    """How the candidate's kind agrees with what the classifier says is asked."""
    t = q.types
    if c.kind == "figure":
        pct = c.features.get("is_percent", 0.0)
        c.features["kind_agree"] = pct * t.get("percent", 0.0) + (1 - pct) * t.get("number", 0.0)
    elif c.kind == "calculation":
        c.features["kind_agree"] = t.get("computed", 0.0) * c.features.get("op_prob", 0.0)
    else:
        date = c.features.get("date_answer", 0.0)
        c.features["kind_agree"] = date * t.get("date", 0.0) + (1 - date) * (
            t.get("entity", 0.0) + t.get("list", 0.0) + t.get("text", 0.0)
        )


def read(ctx: AnswerContext, q: Question, hits: list[Hit], models: Models | None) -> Reading:
    """Candidates of every kind, scored by ``models`` (unscored when None: the figure model's score
    ``stage1`` then comes from the caller, as in training)."""
    ev = Evidence(ctx, q, hits)
    figures = figure_candidates(ev)
    relativize(figures, RELATIVE["figure"])
    relativize_in_sentence(figures)
    figure_keys = frozenset(k for c in figures for k in c.features)
    if models is not None:
        for c, p in zip(figures, models.figures.probability([c.features for c in figures])):
            c.features["stage1"] = float(p)
    calculations = calculation_candidates(ev, figures) if figures else []
    sentences = sentence_candidates(ev)
    relativize(sentences, RELATIVE["sentence"])
    reading = Reading(q, ev, figures, calculations, sentences, figure_keys)
    if models is not None:
        score(reading, models)
    return reading


def prepare_numeric(reading: Reading) -> None:
    """Features of the numeric pool that need every figure and calculation: relative values and
    agreement with the classifier (before the numeric model scores it)."""
    numeric = reading.numeric
    relativize(numeric, RELATIVE["numeric"])
    for c in reading.all:
        agreement(c, reading.question)


def set_listwise(candidates: list[Candidate], ranker: Ranker | None) -> None:
    """``listwise``: the listwise model's score of each of one question's numeric candidates, and
    ``listwise_gap``: that score minus the best of them (0 for the one it ranks first). The listwise
    model is fitted to order a question's candidates, not to say how likely one is right; the numeric
    model reads both and says that."""
    if ranker is None or not candidates:
        return
    scores = ranker.raw(ranker.matrix([c.features for c in candidates]))
    top = float(scores.max())
    score_name, gap_name = LISTWISE_FEATURES
    for c, s in zip(candidates, scores.tolist()):
        c.features[score_name] = s
        c.features[gap_name] = s - top


def score(reading: Reading, models: Models) -> None:
    prepare_numeric(reading)
    numeric = reading.numeric
    set_listwise(numeric, models.listwise)
    for c, p in zip(numeric, models.numeric.probability([c.features for c in numeric])):
        c.score = float(p)
    for c, p in zip(reading.sentences, models.sentences.probability([c.features for c in reading.sentences])):
        c.score = float(p)
