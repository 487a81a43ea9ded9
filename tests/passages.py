"""Helpers for answerer tests: pick real chunks by a needle and answer from them as if retrieved."""

from assistant.answering import DefaultAnswerer
from assistant.models import Hit


class BoundAnswerer:
    """The default answerer bound to one view of the corpus: ``answer(question, hits)``, and the
    strategy context's helpers (``analyze``, ``figures`` …) for tests of single strategies."""

    def __init__(self, view, settings) -> None:
        self.answerer = DefaultAnswerer(settings)
        self.view = view
        self.context = self.answerer.context(view)

    def answer(self, question: str, hits: list[Hit]):
        return self.answerer.answer(question, hits, self.view)

    def __getattr__(self, name: str):
        return getattr(self.context, name)


def hits(data, *needles: str) -> list[Hit]:
    """One hit per needle: the first chunk whose text holds it, scored in the order given."""
    chunks = [next(c for c in data.chunks if n in c.text) for n in needles]
    return [Hit(chunk=c, score=1.0 - i * 0.1, rank=i + 1) for i, c in enumerate(chunks)]


def ask(index_data, question: str, *needles: str):
    data, settings = index_data
    return BoundAnswerer(data, settings).answer(question, hits(data, *needles))
