"""The default answerer: no LLM, deterministic, offline — analyse, generate candidates, score them
with learned, calibrated models, answer with the best or abstain.

For a question and its retrieved passages it (1) reads the hard facts of the question and asks the
classifier what it asks, (2) makes candidates: every figure the passages state, calculations over
the likeliest figures, and the sentences, lists and dates of the passages, (3) scores each with
the model of its kind, and (4) answers with the best candidate when its score times the probability
that the documents answer such a question at all reaches the threshold chosen by cross-validation
— trying the next when a hard check (a province or year no visible document covers) rules one
out — and abstains otherwise. It reads only the caller's view of the corpus.
"""

from __future__ import annotations

import threading

from assistant.answering.candidates import Candidate
from assistant.answering.compose import NOT_FOUND, compose, consistent
from assistant.answering.context import AnswerContext, TextMemo
from assistant.answering.learned import Models
from assistant.answering.reading import Reading, classify, question_of, read
from assistant.answering.sentence_candidates import shown
from assistant.models import Answer, Hit, RetrievedPassage
from assistant.settings import Settings
from assistant.vietnamese.text import fold
from assistant.view import CorpusView

__all__ = ["NOT_FOUND", "DefaultAnswerer"]

#: Another reading of the same figure within this share of the best score is shown as a disagreement.
RIVAL_SHARE = 0.8


#: Builds whose texts the answerer keeps read (the current one and the one swapped in).
MEMOS_KEPT = 2


class DefaultAnswerer:
    """Answers from retrieved passages with the figures extracted at index time."""

    def __init__(self, settings: Settings, models: Models | None = None) -> None:
        self.settings = settings
        self._models = models
        self._memos: dict[str, TextMemo] = {}  # per build
        self._lock = threading.Lock()

    @property
    def models(self) -> Models:
        if self._models is None:
            with self._lock:
                if self._models is None:
                    self._models = Models.load()
        return self._models

    def context(self, corpus: CorpusView) -> AnswerContext:
        snapshot = corpus.corpus.snapshot
        with self._lock:
            memo = self._memos.get(snapshot.build)
            if memo is None:
                # The build being swapped in and the one still answering (warming a new build runs
                # alongside requests on the old); an older build's texts are of no use.
                memo = TextMemo()
                kept = list(self._memos.items())[-(MEMOS_KEPT - 1) :] if MEMOS_KEPT > 1 else []
                self._memos = {**dict(kept), snapshot.build: memo}
        return AnswerContext(corpus, self.settings, snapshot.tokenizer, memo)

    def read(
        self, question: str, hits: list[Hit], corpus: CorpusView, context: str = ""
    ) -> tuple[AnswerContext, Reading]:
        ctx = self.context(corpus)
        trained_with = self.models.manifest.get("embedding_model")
        same_model = trained_with is None or trained_with == corpus.corpus.snapshot.manifest.embedding_model
        # The models learnt from one embedder's similarities; another's are left out rather than misread.
        q = question_of(ctx, question, corpus.query_vector(question) if same_model else None, context)
        classify(q, self.models)
        return ctx, read(ctx, q, hits[: self.settings.top_k], self.models)

    def answer(self, question: str, hits: list[Hit], corpus: CorpusView, context: str = "") -> Answer:
        ctx, reading = self.read(question, hits, corpus, context)
        return finish(ctx, reading, hits, self.models.threshold)


def finish(ctx: AnswerContext, reading: Reading, hits: list[Hit], threshold: float) -> Answer:
    """The answer of a scored reading: the best candidate, or an abstention."""
    result = None
    if not out_of_scope(ctx, reading) and hits:
        result = choose(ctx, reading, threshold)
    if result is None:
        result = Answer(question=reading.question.text, answer=NOT_FOUND, abstained=True)
    result.retrieved = [RetrievedPassage.from_hit(h) for h in hits]
    return result


def out_of_scope(ctx: AnswerContext, reading: Reading) -> str | None:
    """Why no visible document can answer: a province or a year none of them covers."""
    q = reading.question
    for p in q.provinces:
        if fold(p) not in ctx.known_provinces:
            return f"tỉnh {p.title()}"
    unknown = [y for y in q.years if y not in ctx.known_years and y not in q.doc_years]
    return f"năm {unknown[0]}" if unknown else None


def choose(ctx: AnswerContext, reading: Reading, threshold: float) -> Answer | None:
    """The answer of the best candidate at or above ``threshold``, or None."""
    return pick(ctx, reading, threshold)[1]


#: Operations whose result equals an operand only when the other is the identity (× 100 %, ÷ 1).
_SCALING = frozenset({"rate", "scale", "share", "ratio", "product"})


def ruled_out(c: Candidate) -> bool:
    """Hard checks: another province's figure, a stated count of something the question does not
    count (the counted noun appears nowhere the number could be read from), or a calculation that only
    restates a figure ("1.222 × 100 / 100": the figure itself answers, verified) never answers."""
    if c.kind == "figure" and not consistent(c) and c.features.get("place_miss"):
        return True
    if c.kind == "calculation" and c.operation in _SCALING and c.value is not None:
        if any(abs(t.value - c.value) <= 1e-9 * max(1.0, abs(c.value)) for t in c.terms):
            return True
    # A calculation's counted noun is often the unit of its result, not of its operands ("tăng bao
    # nhiêu bậc", "bao nhiêu điểm phần trăm"): for calculations it is a feature, not a veto
    # (grouped cross-validation: 0.719 → 0.725, false abstention 0.030 → 0.019).
    return c.kind == "figure" and bool(c.features.get("noun_missing"))


def answering_score(reading: Reading, c: Candidate) -> float:
    """What decides whether ``c`` answers: its calibrated score times the probability that the
    documents answer such a question at all (the classifier's answerability head, which has seen
    what officials ask that these planning documents do not say). The candidate models already learn
    from unanswerable questions, so this counts that risk twice and is no calibrated probability; it
    ranks questions better than the score alone (grouped cross-validation), and the threshold is
    chosen on it. The head knows only the documents its questions were written from: for a
    candidate from any other (uploaded tomorrow) it has no opinion and the score decides alone."""
    q = reading.question
    document = reading.evidence.ctx.data.documents.get(c.hit.chunk.document)
    known = document is not None and document.sha256 in q.unanswerable_known
    return c.score * (1.0 - q.unanswerable) if known else c.score


def pick(ctx: AnswerContext, reading: Reading, threshold: float) -> tuple[Candidate | None, Answer | None]:
    """The candidate that answers (the best not ruled out whose answering score reaches
    ``threshold``) and its answer."""
    ranked = sorted(reading.all, key=lambda c: -c.score)
    for best in ranked:
        if answering_score(reading, best) < threshold:
            return None, None
        if ruled_out(best):
            continue
        rivals = _rivals(reading, best) if best.kind == "figure" else []
        if best.kind == "sentence":
            best.text = shown(reading.evidence, best)
        answer = compose(ctx, reading.question.text, best, rivals)
        if not answer.abstained:
            return best, answer
    return None, None


def _rivals(reading: Reading, best) -> list:
    """Figures of another document that the model reads almost as well as the same indicator but
    with another value: the documents disagree, and both are cited."""
    out = []
    f = best.figures[0]
    for c in sorted(reading.figures, key=lambda c: -c.score):
        if c.score < RIVAL_SHARE * best.score or len(out) == 1:
            break
        g = c.figures[0]
        if g.document == f.document or c.unit != best.unit or abs(c.value - best.value) <= 0.01 * abs(best.value):
            continue
        if consistent(c):
            out.append(c)
    return out
