"""Narrow interfaces at the seams that get swapped: embedder, vector and lexical index, retriever,
answerer. The in-process implementations are FAISS and our own BM25; an external engine fits
behind the same two index protocols."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from assistant.filters import Where
from assistant.models import Answer, Hit

if TYPE_CHECKING:
    from assistant.view import CorpusView


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized vectors (a langchain-core ``Embeddings`` fits)."""

    model_id: str

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class VectorIndex(Protocol):
    """Dense vectors by chunk id; ``search`` returns the top ``k`` allowed by ``where``, best first."""

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[str]) -> int: ...

    def search(self, vector: np.ndarray, k: int, where: Where | None = None) -> list[tuple[str, float]]: ...

    def save(self, directory: Path) -> None: ...


@runtime_checkable
class LexicalIndex(Protocol):
    """Keyword scores by chunk id for already tokenized queries; statistics of the visible corpus."""

    def search(self, tokens: list[str], k: int, where: Where | None = None) -> list[tuple[str, float]]: ...

    def save(self, directory: Path) -> None: ...


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int = 10, where: Where | None = None) -> list[Hit]: ...


@runtime_checkable
class Answerer(Protocol):
    """Answers a question from the retrieved passages, reading only the caller's view of the corpus."""

    def answer(self, question: str, hits: list[Hit], corpus: "CorpusView", context: str = "") -> Answer:
        """``context``: what the conversation so far adds to a follow-up (its earlier subject)."""
        ...
