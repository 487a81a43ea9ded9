"""Hybrid retrieval: dense and lexical candidate lists for the allowed corpus, fused."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np

from assistant.filters import Where
from assistant.models import Chunk, Document, Hit
from assistant.protocols import Embedder, LexicalIndex, VectorIndex
from assistant.retrieval import fusion
from assistant.retrieval.prior import document_prior
from assistant.settings import Settings
from assistant.validation import check_question
from assistant.vietnamese.tokens import Tokenizer

#: Candidates each side returns for fusion.
CANDIDATES = 200
#: Query vectors kept, least recently used dropped first (384 floats: 1.5 KB each).
QUERY_CACHE = 2048


class HybridRetriever:
    """Weighted (or RRF) fusion of dense and lexical candidates, plus a small prior for the
    documents a question names."""

    def __init__(
        self,
        chunks: Mapping[str, Chunk],
        documents: Mapping[str, Document],
        vectors: VectorIndex,
        lexical: LexicalIndex,
        tokenizer: Tokenizer,
        embedder: Embedder,
        settings: Settings,
        query_cache: int = QUERY_CACHE,
    ) -> None:
        self.chunks = chunks
        self.documents = documents
        self.vectors = vectors
        self.lexical = lexical
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.settings = settings
        self._order = {cid: i for i, cid in enumerate(chunks)}
        # A question asked again (by anyone, or by a follow-up search) skips the model.
        self.query_vector = lru_cache(maxsize=query_cache)(self._embed_query)

    def _embed_query(self, query: str) -> np.ndarray:
        vector = np.asarray(self.embedder.embed_query(query), dtype=np.float32)
        vector.setflags(write=False)  # shared by every request asking the same question
        return vector

    def search(self, query: str, k: int = 10, where: Where | None = None) -> list[Hit]:
        query = check_question(query, self.settings.max_question_chars)
        if not self.chunks:
            return []
        n = max(self.settings.candidates, CANDIDATES, k)
        vector = self.query_vector(query)
        dense = self.vectors.search(vector, n, where)
        lexical = self.lexical.search(self.tokenizer(query), n, where)
        if self.settings.fusion == "rrf":
            fused = fusion.rrf(dense, lexical, k=self.settings.rrf_k)
        else:
            fused = fusion.weighted(
                dense, lexical, dense_weight=self.settings.dense_weight, pool=self.settings.candidates
            )
        priors: dict[str, float] = {}
        for cid in fused:
            doc = self.chunks[cid].document
            if doc not in priors:
                meta = self.documents[doc].metadata if doc in self.documents else None
                priors[doc] = document_prior(query, meta) if meta is not None else 0.0
        scores = {cid: np.float32(s) + np.float32(priors[self.chunks[cid].document]) for cid, s in fused.items()}
        best = sorted(scores, key=lambda cid: (-scores[cid], self._order[cid]))[:k]
        dense_of, lexical_of = dict(dense), dict(lexical)
        return [
            Hit(
                chunk=self.chunks[cid],
                score=float(scores[cid]),
                dense_score=dense_of.get(cid),
                lexical_score=lexical_of.get(cid, 0.0),
                rank=r + 1,
            )
            for r, cid in enumerate(best)
        ]
