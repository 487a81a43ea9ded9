"""Hybrid retrieval: FAISS dense scores fused with BM25 over Vietnamese-aware tokens."""

from __future__ import annotations

import re

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.vietnamese.text import fold
from assistant.errors import InvalidQuestionError
from assistant.models import DocumentMetadata
from assistant.answering.question import PROVINCES
from assistant.vietnamese.tokens import Tokenizer
from assistant.models import Hit
from assistant.settings import Settings
from assistant.indexing.store import IndexData


def check_question(text: str, max_chars: int) -> str:
    """The question stripped, or a clear error for an empty or oversized one."""
    if text is None or not str(text).strip():
        raise InvalidQuestionError("Câu hỏi đang trống.", hint="Hãy nhập câu hỏi, ví dụ: “Năm 2023 tỉnh có bao nhiêu trạm BTS?”")
    text = " ".join(str(text).split())
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"Câu hỏi dài {len(text)} ký tự, vượt giới hạn {max_chars} ký tự.",
            hint="Hãy rút gọn câu hỏi, mỗi lần hỏi một ý.",
        )
    return text


class HybridRetriever:
    """Weighted (or RRF) fusion of dense and lexical scores, with document/province/year filters."""

    def __init__(self, data: IndexData, faiss_index, bm25, embedder: Embeddings, settings: Settings) -> None:
        self.data = data
        self.faiss_index = faiss_index
        self.bm25 = bm25
        self.embedder = embedder
        self.settings = settings
        self.tokenizer = Tokenizer(data.manifest.abbreviations, segmenter=data.manifest.tokenizer)
        self._doc_years = {
            d.id: set(d.metadata.years_reported) | set(d.metadata.years_planned) for d in data.documents.values()
        }

    def search(self, query: str, k: int = 10, *, documents: list[str] | None = None,
               province: str | None = None, year: int | None = None) -> list[Hit]:
        query = check_question(query, self.settings.max_question_chars)
        n = len(self.data.chunks)
        if n == 0:
            return []
        lexical = np.asarray(self.bm25.get_scores(self.tokenizer(query)), dtype=np.float32)
        dense = self._dense_scores(query)
        mask = self._filter_mask(documents, province, year)
        fused = self._fuse(dense, lexical, mask) + self._document_prior(query)
        order = [i for i in np.argsort(-fused, kind="stable") if mask[i]][:k]
        return [
            Hit(chunk=self.data.chunks[i], score=float(fused[i]), dense_score=float(dense[i]),
                lexical_score=float(lexical[i]), rank=r + 1)
            for r, i in enumerate(order)
        ]

    def _document_prior(self, query: str) -> np.ndarray:
        """A small boost for chunks of the documents the question points at (year, province, number)."""
        priors = {doc_id: document_prior(query, doc.metadata) for doc_id, doc in self.data.documents.items()}
        if not any(priors.values()):
            return np.zeros(len(self.data.chunks), dtype=np.float32)
        return np.array([priors.get(c.document, 0.0) for c in self.data.chunks], dtype=np.float32)

    def _dense_scores(self, query: str) -> np.ndarray:
        q = np.asarray([self.embedder.embed_query(query)], dtype=np.float32)
        n = self.faiss_index.ntotal
        scores, ids = self.faiss_index.search(q, n)
        out = np.full(n, -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        out[ids[0][valid]] = scores[0][valid]
        return out

    def _fuse(self, dense: np.ndarray, lexical: np.ndarray, mask: np.ndarray) -> np.ndarray:
        pool = min(self.settings.candidates, int(mask.sum())) or 1
        if self.settings.fusion == "rrf":
            return _rrf(dense, mask, self.settings.rrf_k) + _rrf(lexical, mask, self.settings.rrf_k)
        w = self.settings.dense_weight
        return w * _minmax(dense, mask, pool) + (1 - w) * _minmax(lexical, mask, pool)

    def _filter_mask(self, documents: list[str] | None, province: str | None, year: int | None) -> np.ndarray:
        chunks = self.data.chunks
        mask = np.ones(len(chunks), dtype=bool)
        if documents:
            wanted = set(documents)
            mask &= np.array([c.document in wanted for c in chunks])
        if province:
            p = province.strip().lower()
            mask &= np.array([(c.province or "").lower() == p for c in chunks])
        if year:
            mask &= np.array([year in c.years or (not c.years and year in self._doc_years.get(c.document, ()))
                              for c in chunks])
        return mask


_DOC_KIND = re.compile(r"\b(kh|ke hoach|qd|quyet dinh|bao cao|bc)\b(?:\s+\S+){0,4}?\s+(19|20)(\d\d)\b")


def document_prior(query: str, meta: DocumentMetadata) -> float:
    """How strongly the question names this document: its reported year, province, number, title year."""
    folded = fold(query.lower())
    years = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", query)}
    prior = 0.0
    if years & set(meta.years_reported):
        prior += 0.08
    named = {int(m.group(2) + m.group(3)) for m in _DOC_KIND.finditer(folded)}
    title_years = {int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", meta.title)}
    if named & (title_years | set(meta.years_planned)):
        prior += 0.12
    if meta.province:
        province = fold(meta.province.lower())
        mentioned = [p for p in PROVINCES if fold(p) in folded]
        if mentioned:
            prior += 0.1 if province in {fold(p) for p in mentioned} else -0.2
    if meta.number:
        number = meta.number.split("/")[0].strip()
        if number.isdigit() and re.search(rf"(?<!\d){number}(?!\d)", query):
            prior += 0.15
    return prior


def _minmax(scores: np.ndarray, mask: np.ndarray, pool: int) -> np.ndarray:
    """Scale to [0, 1] using the best ``pool`` candidates; everything below them maps to 0."""
    allowed = np.where(mask, scores, -np.inf)
    top = np.sort(allowed)[::-1][:pool]
    top = top[np.isfinite(top)]
    if not len(top):
        return np.zeros_like(scores)
    hi, lo = float(top[0]), float(top[-1])
    if hi - lo < 1e-9:
        return (scores >= hi).astype(np.float32)
    return np.clip((scores - lo) / (hi - lo), 0.0, 1.0)


def _rrf(scores: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float32)
    order = np.argsort(-np.where(mask, scores, -np.inf), kind="stable")
    ranks[order] = np.arange(1, len(scores) + 1)
    return 1.0 / (k + ranks)
