"""A candidate answer, of one of three kinds: a figure the documents state, a calculation over
figures they state, or a sentence (a date, a name, a list, an explanation)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.figures.model import Figure
from assistant.models import Hit


@dataclass
class Span:
    """A stretch of a passage a candidate cites: [start, end) in its document."""

    hit: Hit
    start: int
    end: int


@dataclass
class Term:
    """One operand of a calculation: its value, the figure it was read from (None when the question
    gives it, or the calendar: the 5 years of "2020-2024", the 365 days of a year) and where that
    figure is."""

    value: float
    figure: Figure | None = None
    span: Span | None = None


@dataclass
class Candidate:
    kind: str  # "figure" | "calculation" | "sentence"
    features: dict[str, float]
    spans: list[Span]
    value: float | None = None
    unit: str | None = None
    figures: list[Figure] = field(default_factory=list)  # the stated figure, or the operands in order
    operation: str | None = None  # difference | sum | share | ratio | product
    expression: str | None = None  # plain decimals, e.g. "72524 - 39217.236"
    terms: list[Term] = field(default_factory=list)  # the operands, in the expression's order
    local: frozenset[str] = frozenset()  # a figure's own words: the few before it and after it
    text: str = ""  # the answer text of a sentence candidate (see ``shown``)
    score: float = 0.0  # calibrated probability of being right

    @property
    def hit(self) -> Hit:
        return self.spans[0].hit

    @property
    def numeric(self) -> bool:
        return self.kind in ("figure", "calculation")
