"""One loaded build, immutable once made: documents, chunks, figures, indexes and the retriever.

A ``Pipeline`` swaps snapshots in one assignment when a new build is published; a request keeps
the snapshot it started with to its end, so it never mixes two builds.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field

import numpy as np

from assistant.answer_cache import AnswerCache, Lookups
from assistant.answer_store import AnswerStore
from assistant.figures.model import Figure
from assistant.filters import Where
from assistant.indexing.backends import open_indexes
from assistant.indexing.manifest import Manifest
from assistant.indexing.store import IndexStore
from assistant.models import Chunk, Document, Hit
from assistant.protocols import Embedder, LexicalIndex, VectorIndex
from assistant.retrieval.retriever import HybridRetriever
from assistant.retrieval.table import ChunkTable
from assistant.settings import Settings
from assistant.vietnamese.text import words
from assistant.vietnamese.tokens import Tokenizer
from assistant.view import CorpusView, VisibleCorpus

#: Visible sets whose statistics are kept (a few per access group in practice).
VIEWS_KEPT = 32


@dataclass(eq=False)
class Snapshot:
    build: str
    manifest: Manifest
    documents: dict[str, Document]
    chunks: list[Chunk]
    figures: dict[str, list[dict]]  # by chunk id
    typed_figures: dict[str, list[Figure]]  # the same, as Figure objects
    figure_vectors: dict[str, np.ndarray]  # by chunk id: the embeddings of its figures' windows, in order
    vectors: VectorIndex
    lexical: LexicalIndex
    tokenizer: Tokenizer
    retriever: HybridRetriever
    term_counts: dict[str, Counter[str]]  # per document: in how many of its chunks each folded word occurs
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))  # answers given on this build
    _views: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def search(self, query: str, k: int, where: Where) -> list[Hit]:
        return self.retriever.search(query, k, where)

    def query_vector(self, query: str):
        return self.retriever.query_vector(query)

    def view(self, visible: frozenset[str] | None = None) -> CorpusView:
        """The corpus as a caller who may see ``visible`` (None: every document) sees it."""
        if visible is not None and set(self.documents) <= visible:
            visible = None
        with self._lock:
            corpus = self._views.get(visible)
            if corpus is None:
                corpus = self._views[visible] = VisibleCorpus(self, visible)
                while len(self._views) > VIEWS_KEPT:
                    self._views.popitem(last=False)
            else:
                self._views.move_to_end(visible)
        return CorpusView(corpus)


def load_snapshot(
    settings: Settings, embedder: Embedder, lookups: Lookups | None = None, store: AnswerStore | None = None
) -> Snapshot:
    """Read the current build into memory (fails with a clear error when there is none); its answer
    cache shares ``store`` with other processes."""
    data, directory = IndexStore(settings.index_dir).read(expected_model=embedder.model_id)
    table = ChunkTable(data.chunks, data.documents)
    vectors, lexical = open_indexes(settings, directory, table)
    tokenizer = Tokenizer(data.manifest.abbreviations, segmenter=data.manifest.tokenizer)
    by_id = {c.id: c for c in data.chunks}
    retriever = HybridRetriever(by_id, data.documents, vectors, lexical, tokenizer, embedder, settings)
    figures: dict[str, list[dict]] = defaultdict(list)
    for f in data.figures:
        figures[f["chunk_id"]].append(f)
    term_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for c in data.chunks:
        term_counts[c.document].update(set(words(c.context_text())))
    typed = {cid: [Figure(**f) for f in rows] for cid, rows in figures.items()}
    by_chunk: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(data.figures):
        by_chunk[f["chunk_id"]].append(i)
    figure_vectors = {}
    if data.figure_vectors is not None and len(data.figure_vectors) == len(data.figures):
        figure_vectors = {cid: data.figure_vectors[rows] for cid, rows in by_chunk.items()}
    snapshot = Snapshot(
        data.build,
        data.manifest,
        data.documents,
        data.chunks,
        dict(figures),
        typed,
        figure_vectors,
        vectors,
        lexical,
        tokenizer,
        retriever,
        dict(term_counts),
        AnswerCache(settings.answer_cache_size, lookups, store, data.build, by_id),
    )
    snapshot.view().idf  # statistics of the whole corpus, computed before the first request
    return snapshot
