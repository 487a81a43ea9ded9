"""The retriever embeds a question once; asked again, its vector comes from a bounded LRU cache."""

from __future__ import annotations

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings


class CountingEmbeddings(HashingEmbeddings):
    """The hashing embedder, counting the queries it really embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


def _retriever(corpus_dir, settings, size=None):
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    embedder = CountingEmbeddings()
    snapshot = Pipeline(settings, embedder).snapshot()
    if size is not None:
        from assistant.retrieval.retriever import HybridRetriever

        r = snapshot.retriever
        r = HybridRetriever(r.chunks, r.documents, r.vectors, r.lexical, r.tokenizer, embedder, settings, size)
        return r, embedder
    return snapshot.retriever, embedder


def test_a_repeated_question_is_embedded_once_with_the_same_hits(corpus_dir, settings):
    retriever, embedder = _retriever(corpus_dir, settings)
    question = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
    first = retriever.search(question, 10)
    again = retriever.search("  Năm 2023 toàn tỉnh   có bao nhiêu trạm BTS? ", 10)  # same once normalized
    assert embedder.queries == [question]
    assert [(h.chunk.id, h.score) for h in first] == [(h.chunk.id, h.score) for h in again]
    assert first and "BTS" in " ".join(h.chunk.text for h in first[:5])
    retriever.search("Năm 2023 có bao nhiêu trạm BTS?", 10)
    assert len(embedder.queries) == 2  # another wording is another question


def test_the_cache_is_bounded_and_drops_the_least_recently_used(corpus_dir, settings):
    retriever, embedder = _retriever(corpus_dir, settings, size=2)
    a, b, c = "trạm BTS năm 2023", "dịch vụ công trực tuyến", "Tiền Giang xếp hạng"
    for q in (a, b, a, c, a, b):  # c pushes out b (a was used more recently); b comes back
        retriever.search(q, 5)
    assert embedder.queries == [a, b, c, b]
    assert retriever.query_vector.cache_info().currsize == 2


def test_cached_vectors_cannot_be_changed_by_a_caller(corpus_dir, settings):
    retriever, _ = _retriever(corpus_dir, settings)
    vector = retriever.query_vector("trạm BTS")
    assert not vector.flags.writeable
