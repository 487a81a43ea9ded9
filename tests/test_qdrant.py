"""The Qdrant backend in embedded local mode (``QdrantClient(path=…)``) on the five real documents:
``assistant index`` writes one collection per build; BM25 on the engine scores as our BM25;
filters and the caller's visible documents are pushed down; removal works; engine RRF ranks as
our ``fusion.rrf``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.filters import Filters, Where
from assistant.indexing.backends import open_indexes
from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.protocols import LexicalIndex, VectorIndex
from assistant.retrieval import fusion
from assistant.retrieval.table import ChunkTable
from assistant.settings import Settings
from assistant.vietnamese.tokens import Tokenizer

pytest.importorskip("qdrant_client")

QUESTIONS = [
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "so ho so truc tuyen toan trinh nam 2022",
    "Tiền Giang xếp hạng mấy về ứng dụng CNTT?",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The same corpus indexed by the built-in backend and by Qdrant: (indexes, table, tokenizer, settings)."""
    import shutil

    from assistant.retrieval.embeddings import HashingEmbeddings
    from tests.conftest import DOCUMENTS

    out = {}
    for backend in ("builtin", "qdrant"):
        root = tmp_path_factory.mktemp(backend)
        shutil.copytree(DOCUMENTS, root / "documents")
        settings = Settings(data_dir=root, embedder="hashing", backend=backend, _env_file=None)
        build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
        data, directory = IndexStore(settings.index_dir).read()
        table = ChunkTable(data.chunks, data.documents)
        out[backend] = (open_indexes(settings, directory, table), table, settings, directory, data)
    tokenizer = Tokenizer(out["builtin"][4].manifest.abbreviations)
    return out, tokenizer


def test_index_writes_a_collection_named_in_the_build(both):
    out, _ = both
    (vectors, lexical), table, settings, directory, data = out["qdrant"]
    assert isinstance(vectors, VectorIndex) and isinstance(lexical, LexicalIndex)
    assert data.manifest.backend == "qdrant" and data.manifest.vector_index == "qdrant-hnsw"
    name = json.loads((directory / "qdrant.json").read_text())["collection"]
    assert name.startswith("assistant-") and len(vectors) == len(table)
    assert not (directory / "vectors.faiss").exists()


def test_engine_bm25_scores_as_ours_and_dense_as_faiss(both):
    out, tokenizer = both
    (fv, fl), *_ = out["builtin"]
    (qv, ql), *_ = out["qdrant"]
    from assistant.retrieval.embeddings import HashingEmbeddings

    embedder = HashingEmbeddings()
    for q in QUESTIONS:
        ours, engine = fl.search(tokenizer(q), 20), ql.search(tokenizer(q), 20)
        assert [c for c, _ in engine[:5]] == [c for c, _ in ours[:5]]
        assert np.allclose([s for _, s in engine], [s for _, s in ours], rtol=1e-5)
        vec = np.asarray(embedder.embed_query(q), dtype=np.float32)
        assert [c for c, _ in qv.search(vec, 5)] == [c for c, _ in fv.search(vec, 5)]


def test_filters_and_visibility_are_pushed_down(both):
    out, tokenizer = both
    (qv, ql), table, *_ = out["qdrant"]
    (fv, fl), *_ = out["builtin"]
    tokens = tokenizer(QUESTIONS[0])
    doc_of = {cid: table.document_of(r) for r, cid in enumerate(table.ids)}
    tien_giang = Where(filters=Filters.of(province="Tiền Giang"))
    assert {doc_of[c] for c, _ in ql.search(tokens, 50, tien_giang)} == {"tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"}
    assert [c for c, _ in ql.search(tokens, 10, tien_giang)] == [c for c, _ in fl.search(tokens, 10, tien_giang)]
    years = Where(filters=Filters.of(years=[2020]))
    assert {c for c, _ in ql.search(tokens, 50, years)} == {c for c, _ in fl.search(tokens, 50, years)}
    hidden = "tra-vinh-ke-hoach-ktxh-tttt-2024.txt"
    visible = Where(visible=frozenset(d for d in table.document_names if d != hidden))
    assert hidden not in {doc_of[c] for c, _ in ql.search(tokens, 200, visible)}
    vec = np.zeros(len(table) and 256, dtype=np.float32)
    vec[0] = 1.0
    assert hidden not in {doc_of[c] for c, _ in qv.search(vec, 200, visible)}
    # The restricted caller's idf is that of its view: the same ranking as our per-view statistics.
    assert [c for c, _ in ql.search(tokens, 5, visible)] == [c for c, _ in fl.search(tokens, 5, visible)]


def test_engine_rrf_ranks_as_our_fusion(both):
    out, tokenizer = both
    (qv, ql), *_ = out["qdrant"]
    from assistant.retrieval.embeddings import HashingEmbeddings

    embedder = HashingEmbeddings()
    for q in QUESTIONS:
        vec = np.asarray(embedder.embed_query(q), dtype=np.float32)
        ours = fusion.rrf(qv.search(vec, 200), ql.search(tokenizer(q), 200), k=60)
        best = sorted(ours, key=lambda c: -ours[c])[:5]
        engine = qv.store.hybrid(vec, tokenizer(q), 5)
        assert [c for c, _ in engine] == best
        assert np.allclose([s for _, s in engine], [ours[c] for c in best])


def test_remove_and_add_back(both):
    out, tokenizer = both
    (qv, ql), table, *_ = out["qdrant"]
    tokens = tokenizer(QUESTIONS[0])
    top = ql.search(tokens, 1)[0][0]
    vector = np.zeros(256, dtype=np.float32)
    vector[3] = 1.0
    n = len(qv)
    assert qv.remove([top]) == 1 and len(qv) == n - 1
    assert top not in dict(ql.search(tokens, 200))
    qv.add([top], vector[None, :])
    assert len(qv) == n and qv.search(vector, 1)[0][0] == top
