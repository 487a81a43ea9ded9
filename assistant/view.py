"""The corpus as one caller sees it.

Everything the retriever and the answerer read for a request comes through a ``CorpusView``:
the documents the caller may see, their chunks and figures, and statistics computed over them
alone (term idf, the years and provinces they cover). With every document visible the view is
the whole build; with some hidden, an answer is the same as if those documents did not exist.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import cached_property
from typing import Protocol

from assistant.filters import NO_FILTERS, Filters, Where
from assistant.models import Chunk, Document, Hit
from assistant.vietnamese.text import fold


class Build(Protocol):
    """What a view reads from a loaded build (a :class:`assistant.snapshot.Snapshot`)."""

    build: str
    documents: dict[str, Document]
    chunks: list[Chunk]
    figures: dict[str, list[dict]]
    typed_figures: dict[str, list]
    figure_vectors: dict
    term_counts: dict[str, Counter[str]]

    def search(self, query: str, k: int, where: Where) -> list[Hit]: ...

    def query_vector(self, query: str): ...


class VisibleCorpus:
    """One visible set of documents of a build and the statistics over it (computed once, lazily)."""

    def __init__(self, snapshot: Build, visible: frozenset[str] | None) -> None:
        self.snapshot = snapshot
        self.visible = visible

    @cached_property
    def documents(self) -> Mapping[str, Document]:
        every = self.snapshot.documents
        return every if self.visible is None else {k: d for k, d in every.items() if k in self.visible}

    @cached_property
    def chunks(self) -> list[Chunk]:
        every = self.snapshot.chunks
        return every if self.visible is None else [c for c in every if c.document in self.visible]

    @cached_property
    def figures(self) -> Mapping[str, list[dict]]:
        """Figures by chunk id, of visible chunks only."""
        every = self.snapshot.figures
        if self.visible is None:
            return every
        return {c.id: every[c.id] for c in self.chunks if c.id in every}

    @cached_property
    def _following(self) -> dict[str, Chunk]:
        following: dict[str, Chunk] = {}
        for a, b in zip(self.chunks, self.chunks[1:]):
            if a.document == b.document:
                following[a.id] = b
        return following

    @cached_property
    def _tables(self) -> dict[str, tuple[Chunk, ...]]:
        """Each table-row passage's table: the run of table passages of its document and section."""
        tables: dict[str, tuple[Chunk, ...]] = {}
        run: list[Chunk] = []
        for c in [*self.chunks, None]:
            if run and (c is None or c.kind != "table" or (c.document, c.section) != (run[0].document, run[0].section)):
                table = tuple(run)
                tables.update((r.id, table) for r in run)
                run = []
            if c is not None and c.kind == "table":
                run.append(c)
        return tables

    @cached_property
    def typed_figures(self) -> Mapping[str, list]:
        every = self.snapshot.typed_figures
        if self.visible is None:
            return every
        return {c.id: every[c.id] for c in self.chunks if c.id in every}

    @cached_property
    def idf(self) -> dict[str, float]:
        """Inverse document frequency of folded words over the visible chunks."""
        df: Counter[str] = Counter()
        for doc in self.documents:
            df.update(self.snapshot.term_counts.get(doc, {}))
        n = max(len(self.chunks), 1)
        return {t: math.log(1 + n / (1 + d)) for t, d in df.items()}

    @cached_property
    def default_idf(self) -> float:
        return math.log(1 + max(len(self.chunks), 1))

    @cached_property
    def known_years(self) -> set[int]:
        years: set[int] = set()
        for d in self.documents.values():
            years |= set(d.metadata.years_reported) | set(d.metadata.years_planned)
        for c in self.chunks:
            years |= set(c.years)
        return years

    @cached_property
    def known_provinces(self) -> set[str]:
        return {fold((d.metadata.province or "").lower()) for d in self.documents.values()}


class CorpusView:
    """A caller's visible corpus with the request's filters; what answerers and searches read."""

    def __init__(self, corpus: VisibleCorpus, filters: Filters = NO_FILTERS) -> None:
        self.corpus = corpus
        self.filters = filters

    def narrowed(self, filters: Filters | None) -> "CorpusView":
        """The same caller's view with the request's filters applied to its searches."""
        return CorpusView(self.corpus, filters) if filters else self

    @property
    def build(self) -> str:
        return self.corpus.snapshot.build

    @property
    def where(self) -> Where:
        return Where(self.corpus.visible, self.filters)

    def search(self, query: str, k: int = 10) -> list[Hit]:
        return self.corpus.snapshot.search(query, k, self.where)

    def query_vector(self, query: str):
        """The query's embedding (the one retrieval used)."""
        return self.corpus.snapshot.query_vector(query)

    def text(self, document: str) -> str:
        return self.corpus.documents[document].text

    @property
    def documents(self) -> Mapping[str, Document]:
        return self.corpus.documents

    @property
    def chunks(self) -> list[Chunk]:
        return self.corpus.chunks

    @property
    def figures(self) -> Mapping[str, list[dict]]:
        return self.corpus.figures

    @property
    def typed_figures(self) -> Mapping[str, list]:
        return self.corpus.typed_figures

    def figure_vectors(self, chunk_id: str):
        """The embeddings of a visible passage's figure windows, in its figures' order (or None)."""
        if chunk_id not in self.corpus.typed_figures:
            return None
        return self.corpus.snapshot.figure_vectors.get(chunk_id)

    def next_chunk(self, chunk: Chunk) -> Chunk | None:
        """The passage that follows ``chunk`` in its document (if the caller may see it)."""
        return self.corpus._following.get(chunk.id)

    def table_of(self, chunk: Chunk) -> tuple[Chunk, ...]:
        """The visible rows of the table ``chunk`` is a row of, in order (empty for a text passage)."""
        return self.corpus._tables.get(chunk.id, ())

    @property
    def idf(self) -> dict[str, float]:
        return self.corpus.idf

    @property
    def default_idf(self) -> float:
        return self.corpus.default_idf

    @property
    def known_years(self) -> set[int]:
        return self.corpus.known_years

    @property
    def known_provinces(self) -> set[str]:
        return self.corpus.known_provinces
