"""The in-process index backends behind VectorIndex and LexicalIndex, on small real Vietnamese text."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.filters import Filters, Where
from assistant.models import Chunk, Document, DocumentMetadata
from assistant.protocols import LexicalIndex, VectorIndex
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.retrieval.lexical import BM25Index
from assistant.retrieval.table import ChunkTable
from assistant.retrieval.vector import FaissVectorIndex
from assistant.vietnamese.tokens import Tokenizer

PASSAGES = {
    "a.txt": ["Năm 2023 toàn tỉnh có 1.222 trạm BTS.", "Tỷ lệ hồ sơ trực tuyến đạt 59,25%."],
    "b.txt": ["Tiền Giang có 320 trạm phát sóng 5G năm 2024.", "Kinh phí đầu tư là 31.888,142 triệu đồng."],
    "c.txt": ["Cổng dịch vụ công tỉnh tiếp nhận 54.419 hồ sơ trực tuyến.", "Trạm BTS được nâng cấp lên 4G."],
}
PROVINCE = {"a.txt": "Trà Vinh", "b.txt": "Tiền Giang", "c.txt": "Trà Vinh"}
YEARS = {"a.txt": [2023], "b.txt": [2024], "c.txt": [2022]}


@pytest.fixture(scope="module")
def corpus():
    documents, chunks = {}, []
    for doc, texts in PASSAGES.items():
        meta = DocumentMetadata(title=doc, province=PROVINCE[doc], years_reported=YEARS[doc])
        documents[doc] = Document(id=doc, text="\n".join(texts), sha256="0", metadata=meta)
        start = 0
        for i, t in enumerate(texts):
            chunks.append(
                Chunk(
                    id=f"{doc}#{i}",
                    document=doc,
                    title=doc,
                    section="",
                    start=start,
                    end=start + len(t),
                    text=t,
                    province=PROVINCE[doc],
                )
            )
            start += len(t) + 1
    return chunks, documents, ChunkTable(chunks, documents)


def test_vector_index_search_filter_and_remove(corpus, tmp_path):
    chunks, _, table = corpus
    embedder = HashingEmbeddings(64)
    index = FaissVectorIndex.empty(64, table)
    assert isinstance(index, VectorIndex)
    index.add(table.ids, np.array(embedder.embed_documents([c.text for c in chunks]), dtype=np.float32))
    query = np.array(embedder.embed_query("trạm BTS"), dtype=np.float32)
    best = index.search(query, 6)
    assert len(best) == 6 and [s for _, s in best] == sorted((s for _, s in best), reverse=True)
    only_b = index.search(query, 6, Where(filters=Filters.of(documents=["b.txt"])))
    assert [cid.split("#")[0] for cid, _ in only_b] == ["b.txt", "b.txt"]
    hidden = index.search(query, 6, Where(visible=frozenset({"a.txt"}), filters=Filters.of(documents=["b.txt"])))
    assert hidden == []
    assert index.search(query, 6, Where(filters=Filters.of(years=[2024, 34848600303]))) == only_b
    tien_giang = index.search(query, 6, Where(filters=Filters.of(province="tiền giang")))
    assert {cid.split("#")[0] for cid, _ in tien_giang} == {"b.txt"}
    assert index.remove(["a.txt#0"]) == 1 and len(index) == 5
    assert "a.txt#0" not in dict(index.search(query, 6))
    index.save(tmp_path)
    again = FaissVectorIndex.load(tmp_path, table)
    assert again.search(query, 6) == index.search(query, 6)


def test_bm25_matches_the_reference_implementation(corpus):
    bm25s = pytest.importorskip("bm25s")
    chunks, _, table = corpus
    tokenizer = Tokenizer()
    tokens = [tokenizer(c.text) for c in chunks]
    ours = BM25Index.build(tokens, table)
    reference = bm25s.BM25()
    reference.index(tokens, show_progress=False)
    for query in ("trạm BTS năm 2023", "so ho so truc tuyen", "kinh phí đầu tư triệu đồng trạm"):
        q = tokenizer(query)
        assert np.allclose(ours.scores(q), reference.get_scores(q), atol=1e-6)


def test_bm25_search_filters_and_visible_statistics(corpus, tmp_path):
    chunks, _, table = corpus
    tokenizer = Tokenizer()
    index = BM25Index.build([tokenizer(c.text) for c in chunks], table)
    assert isinstance(index, LexicalIndex)
    q = tokenizer("hồ sơ trực tuyến")
    found = index.search(q, 10)
    assert {cid for cid, _ in found} == {"a.txt#1", "c.txt#0"}  # passages sharing no word are left out
    assert index.search(q, 10, Where(filters=Filters.of(years=[2022]))) == [("c.txt#0", dict(found)["c.txt#0"])]
    assert index.search(tokenizer("???"), 10) == [] and index.search([], 10) == []
    # Statistics of the visible rows only: the same as an index built without the hidden document.
    visible = frozenset({"a.txt", "c.txt"})
    rows = [c for c in chunks if c.document in visible]
    alone = BM25Index.build([tokenizer(c.text) for c in rows], ChunkTable(rows, {}))
    assert index.search(q, 10, Where(visible=visible)) == alone.search(q, 10)
    index.save(tmp_path)
    assert BM25Index.load(tmp_path, table).search(q, 10) == found
