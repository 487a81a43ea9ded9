"""The questions a training run learns from, each read once against its retrieved passages."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tqdm import tqdm

from assistant.answering.analysis import Question as Analysis
from assistant.answering.context import AnswerContext
from assistant.answering.reading import question_of
from assistant.conversation import resolve_turn
from assistant.evaluation.dataset import NUMERIC_TYPES, Question, load_questions
from assistant.evaluation.scoring import date_correct, within_tolerance, words_correct
from assistant.models import Hit


@dataclass
class Item:
    gold: Question
    asked: str  # the question completed from its conversation
    group: str  # cross-validation keeps a fact on one side
    hits: list[Hit]
    ctx: AnswerContext
    analysis: Analysis
    operands: list[float] = field(default_factory=list)
    #: A copy read without the question's embedding (as answering reads it when the index was built
    #: with another embedder than the models learnt from): fitted on, never evaluated.
    augmented: bool = False

    @property
    def document(self) -> str:
        return self.gold.doc

    def numeric_right(self, value: float | None) -> bool:
        g = self.gold
        return (
            value is not None and g.type in NUMERIC_TYPES and g.value is not None and within_tolerance(value, g.value)
        )

    def calculation_right(self, value: float | None) -> bool:
        """A calculation is right for a computed answer within the contract's tolerance; for a
        figure the documents state, only when it gives that figure up to its rounding. Otherwise a
        calculation that nudges the stated figure by a small operand ("1.222 − 2 = 1.220") would be
        learnt as right, since the contract's 1 % accepts it."""
        if not self.numeric_right(value):
            return False
        g = self.gold
        return bool(g.calculation) or g.type == "computed" or abs(value - g.value) <= half_unit(g.value)

    def operand_right(self, value: float | None) -> bool:
        """The figure is the answer, or one of the gold calculation's operands."""
        if self.numeric_right(value):
            return True
        return value is not None and any(within_tolerance(value, x) for x in self.operands)

    def sentence_right(self, text: str) -> bool:
        g = self.gold
        if g.type == "date":
            return date_correct(g.answer, text)
        if g.type in ("entity", "list", "text"):
            return words_correct(g.answer, text)
        return False


def half_unit(value: float) -> float:
    """Half a unit of the last decimal ``value`` is written with (0.5 for 1222, 0.005 for 15,66),
    read from its shortest exact decimal form (no cut at ten significant digits)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    return 0.5 * 10.0**-decimals + 1e-9


def data_digest(paths: list[Path]) -> str:
    """A short hash of the question sets' bytes, in order (recorded in the models' manifest)."""
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths)).hexdigest()[:16]


def load_sets(paths: list[Path]) -> list[Question]:
    out: list[Question] = []
    seen: set[str] = set()
    for path in paths:
        for q in load_questions(path):
            if q.id not in seen:
                seen.add(q.id)
                out.append(q)
    return out


#: One question in this many is also learnt from without its embedding's similarities.
WITHOUT_SIMILARITIES_EVERY = 4


def _without_similarities(gold: Question) -> bool:
    """A stable choice of the questions also read without their embedding (by a hash of the id)."""
    return int(hashlib.sha1(gold.id.encode("utf-8")).hexdigest(), 16) % WITHOUT_SIMILARITIES_EVERY == 0


def prepare(questions: list[Question], pipeline, answerer, *, progress: bool = True) -> list[Item]:
    """Retrieve for every question (as answering does) and analyse it; every
    ``WITHOUT_SIMILARITIES_EVERY``-th question is also read without its embedding, so that the models
    answer as well when another embedder's similarities are left out."""
    snapshot = pipeline.snapshot()
    view = snapshot.view()
    k = pipeline.settings.top_k
    items = []
    for gold in tqdm(questions, desc="Đọc câu hỏi", unit="câu", disable=not progress):
        resolved = resolve_turn(" ".join(gold.question.split()), list(gold.history))
        asked = resolved.question
        hits = view.search(resolved.search, k)
        ctx = answerer.context(view)
        context = resolved.context
        analysis = question_of(ctx, asked, view.query_vector(asked), context)
        operands = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", gold.calculation or "")]
        items.append(Item(gold, asked, gold.fact or gold.id, hits, ctx, analysis, operands))
        if _without_similarities(gold):
            blind = question_of(ctx, asked, None, context)
            items.append(Item(gold, asked, gold.fact or gold.id, hits, ctx, blind, operands, augmented=True))
    return items
