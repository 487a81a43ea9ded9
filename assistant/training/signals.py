"""What fires on one question: the vocabularies and hard-fact patterns of its analysis and the
features of its candidates (counted over a training run by the report: a rule that fires on one
question is a defect). Kept with each outcome, taken in its own fold."""

from __future__ import annotations

from assistant.answering import vocabulary as vocab
from assistant.answering.reading import Reading

FACTS = (
    "years",
    "document numbers",
    "documents by kind and year",
    "provinces",
    "counted noun",
    "per noun",
    "small numbers",
    "several things listed",
    "numbers given",
)


#: Not a count: the features the chosen candidate has at all (listed with 0 when they never fire).
PRESENT = "features (chosen candidate, present)"


def fired_on(reading: Reading) -> dict[str, frozenset[str]]:
    q = reading.question
    vocabularies = {name for name, words in vocab.VOCABULARIES.items() if vocab.has_any(q.folded, words)}
    facts = {
        "years": bool(q.years),
        "document numbers": bool(q.doc_numbers),
        "documents by kind and year": bool(q.doc_years),
        "provinces": bool(q.provinces),
        "counted noun": bool(q.counted),
        "per noun": bool(q.per),
        "small numbers": bool(q.small),
        "several things listed": q.enumerated > 1,
        "numbers given": bool(q.numbers),
    }
    assert tuple(facts) == FACTS
    any_candidate: set[str] = set()
    for c in reading.all:
        any_candidate |= {k for k, v in c.features.items() if v}
    best = max(reading.all, key=lambda c: c.score, default=None)
    chosen = {k for k, v in best.features.items() if v} if best is not None else set()
    return {
        "vocabularies": frozenset(vocabularies),
        "hard facts": frozenset(k for k, v in facts.items() if v),
        "features (any candidate)": frozenset(any_candidate),
        "features (chosen candidate)": frozenset(chosen),
        PRESENT: frozenset(best.features) if best is not None else frozenset(),
    }
