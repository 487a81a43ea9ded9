"""The query vectors the server's workers share: one SQLite file, a cache that never fails a request."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from assistant.retrieval.embeddings import HashingEmbeddings, embed_batches
from assistant.retrieval.query_vectors import SharedQueryVectors
from assistant.service.service import Service

QUESTION = "Năm 2022 toàn tỉnh có bao nhiêu trạm BTS?"


class CountingEmbeddings(HashingEmbeddings):
    """The hashing embedder, counting the questions it really embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return super().embed_query(text)


def test_a_question_embedded_by_one_process_is_read_by_another(tmp_path: Path):
    store = tmp_path / "state" / "query_vectors.db"
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from assistant.retrieval.embeddings import HashingEmbeddings
        from assistant.retrieval.query_vectors import SharedQueryVectors
        SharedQueryVectors(HashingEmbeddings(), Path({str(store)!r})).embed_query({QUESTION!r})
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)

    inner = CountingEmbeddings()
    shared = SharedQueryVectors(inner, store)
    vector = shared.embed_query(QUESTION)
    assert inner.queries == []  # read from the file, not embedded again
    assert np.array_equal(np.asarray(vector, dtype=np.float32), np.asarray(inner.embed_query(QUESTION), np.float32))
    assert (shared.hits, shared.misses) == (1, 0)

    shared.embed_query("Một câu hỏi khác")
    assert inner.queries[-1] == "Một câu hỏi khác"
    assert shared.misses == 1


def test_documents_and_model_id_are_the_wrapped_embedders(tmp_path: Path):
    inner = HashingEmbeddings(dimension=64)
    shared = SharedQueryVectors(inner, tmp_path / "q.db")
    texts = ["Tỷ lệ hồ sơ trực tuyến đạt 59,25%", "Toàn tỉnh có 1.208 trạm BTS"]
    assert shared.model_id == inner.model_id
    assert shared.dimension == 64
    assert shared.embed_documents(texts) == inner.embed_documents(texts)
    got = [v for _, v in embed_batches(shared, texts, batch_size=1)]
    assert np.array_equal(np.vstack(got), np.asarray(inner.embed_documents(texts), dtype=np.float32))


def test_a_damaged_or_unreachable_store_falls_back_to_the_model(tmp_path: Path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    inner = CountingEmbeddings()
    expected = HashingEmbeddings().embed_query(QUESTION)
    assert SharedQueryVectors(inner, damaged).embed_query(QUESTION) == expected
    assert damaged.read_bytes().startswith(b"this is not a database")  # left as it was

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    unreachable = SharedQueryVectors(CountingEmbeddings(), blocker / "q.db")  # a directory cannot be made
    assert unreachable.embed_query(QUESTION) == expected


def test_a_wrong_sized_entry_is_embedded_again(tmp_path: Path):
    path = tmp_path / "q.db"
    shared = SharedQueryVectors(CountingEmbeddings(), path)
    shared.embed_query(QUESTION)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE query_vectors SET vector = ?", (np.zeros(3, np.float32).tobytes(),))
    inner = CountingEmbeddings()
    again = SharedQueryVectors(inner, path)
    assert again.embed_query(QUESTION) == HashingEmbeddings().embed_query(QUESTION)
    assert inner.queries == [QUESTION]


def test_the_store_keeps_at_most_its_limit(tmp_path: Path):
    path = tmp_path / "q.db"
    shared = SharedQueryVectors(CountingEmbeddings(), path, limit=5, prune_every=4)
    for i in range(20):
        shared.embed_query(f"câu hỏi số {i}")
    with sqlite3.connect(path) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM query_vectors").fetchone()
    assert count <= 5 + 3  # pruned to the limit every 4 writes
    inner = CountingEmbeddings()
    SharedQueryVectors(inner, path).embed_query("câu hỏi số 19")  # the newest are the ones kept
    assert inner.queries == []


def test_the_service_workers_share_one_store(settings, corpus_dir):
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    build_index(settings, make_embedder(settings), progress=False)
    first, second = Service(settings), Service(settings)  # two workers of one server
    first.pipeline.search(QUESTION, k=3)
    second.pipeline.search(QUESTION, k=3)
    assert isinstance(second.pipeline.embedder, SharedQueryVectors)
    assert (first.pipeline.embedder.misses, second.pipeline.embedder.hits) == (1, 1)
    assert (settings.state_dir / "query_vectors.db").exists()
