"""Helpers for answerer tests: pick real chunks by a needle and answer from them as if retrieved."""

from pathlib import Path

from assistant.answering import DefaultAnswerer
from assistant.indexing.builder import build_index
from assistant.models import Hit
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings


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


def reading_context(root: Path, documents: dict[str, str]):
    """A small corpus of ``documents`` (file name → text) indexed under ``root`` with the hashing
    embedder: its view and the answer context the candidate generators read (no trained models)."""
    (root / "documents").mkdir()
    for name, text in documents.items():
        (root / "documents" / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    view = Pipeline(settings, embedder).snapshot().view()
    return view, DefaultAnswerer(settings, models=object()).context(view)


def evidence_for(setup, question: str, types: dict[str, float], operations: dict[str, float]):
    """The evidence of ``question`` over a :func:`reading_context`, the classifier's outputs set to
    ``types`` and ``operations`` (no trained models)."""
    from assistant.answering.evidence import Evidence
    from assistant.answering.reading import question_of

    view, ctx = setup
    q = question_of(ctx, question, view.query_vector(question))
    q.types, q.operations = types, operations
    return Evidence(ctx, q, view.search(question, 10))
