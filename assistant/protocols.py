"""Narrow interfaces at the seams that get swapped: embedder, retriever, answerer."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from assistant.models import Answer, Hit


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalized vectors (a langchain-core ``Embeddings`` fits)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@runtime_checkable
class Retriever(Protocol):
    def search(self, query: str, k: int = 10, *, documents: list[str] | None = None,
               province: str | None = None, year: int | None = None) -> list[Hit]: ...


@runtime_checkable
class Answerer(Protocol):
    def answer(self, question: str, hits: list[Hit]) -> Answer: ...
