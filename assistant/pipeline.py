"""The one answer path: index → hybrid retrieval → answerer. Used by CLI, API, UI and eval."""

from __future__ import annotations

import time

from langchain_core.embeddings import Embeddings

from assistant.retrieval.embeddings import make_embedder
from assistant.models import Answer, Hit
from assistant.retrieval.retriever import HybridRetriever, check_question
from assistant.settings import Settings
from assistant.indexing.store import IndexStore


class Pipeline:
    """Light to construct; ``warm_up()`` (or the first call) loads the index and the model."""

    def __init__(self, settings: Settings, embedder: Embeddings | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._retriever: HybridRetriever | None = None
        self._answerer = None
        self._llm_answerer = None

    @property
    def embedder(self) -> Embeddings:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            store = IndexStore(self.settings.index_dir)
            data, faiss_index, bm25 = store.load(expected_model=self.embedder.model_id)
            self._retriever = HybridRetriever(data, faiss_index, bm25, self.embedder, self.settings)
        return self._retriever

    def warm_up(self) -> "Pipeline":
        self.retriever.search("khởi động", k=1)
        return self

    def reload(self) -> None:
        """Drop the loaded index so the next call reads the current build."""
        self._retriever = None
        self._answerer = None
        self._llm_answerer = None

    def search(self, query: str, k: int = 10, **filters) -> list[Hit]:
        return self.retriever.search(query, k=k, **filters)

    @property
    def answerer(self):
        if self._answerer is None:
            from assistant.answering import DefaultAnswerer

            self._answerer = DefaultAnswerer(self.retriever.data, self.settings)
        return self._answerer

    @property
    def llm_answerer(self):
        if self._llm_answerer is None:
            from assistant.answering.llm import LLMAnswerer

            self._llm_answerer = LLMAnswerer(self.retriever.data, self.settings, search=self.search,
                                             fallback=self.answerer)
        return self._llm_answerer

    def ask(self, question: str, history: list[str] | None = None, **filters) -> Answer:
        t0 = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        hits = self.search(question, k=self.settings.top_k, **filters)
        t1 = time.perf_counter()
        answerer = self.llm_answerer if self.settings.answer_mode == "llm" else self.answerer
        answer = answerer.answer(question, hits)
        answer.timings = {"retrieval_ms": (t1 - t0) * 1000, "answer_ms": (time.perf_counter() - t1) * 1000,
                          "total_ms": (time.perf_counter() - t0) * 1000}
        return answer
