"""Index types and the pruned BM25 at small size, on the synthetic corpus (real Vietnamese text,
perturbed): every FAISS type adds, removes and filters; MaxScore returns exactly the exhaustive
top-k; the generator's tokens are the tokenizer's. The sizes themselves are in benchmarks/scale.py."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.filters import Filters, Where
from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.retrieval.float_rows import FileRows
from assistant.retrieval.lexical import BM25Index
from assistant.retrieval.table import ChunkTable
from assistant.retrieval.vector import KINDS, FaissVectorIndex, choose_kind
from assistant.settings import Settings
from benchmarks.synthetic import Synthesizer
from tests.conftest import DOCUMENTS

N = 1500
QUERIES = [
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "so ho so truc tuyen toan trinh",
    "Kinh phí đầu tư hạ tầng viễn thông là bao nhiêu triệu đồng?",
    "Tỷ lệ dân số trưởng thành có điện thoại thông minh",
    "ứng dụng công nghệ thông tin trong cơ quan nhà nước năm 2020",
]


@pytest.fixture(scope="module")
def synthetic():
    synth = Synthesizer(DOCUMENTS)
    passages = [synth.passage(p) for p in range(N)]
    table = ChunkTable.from_columns(
        [p.id for p in passages], [p.document for p in passages], [p.province for p in passages],
        [p.years for p in passages],
    )  # fmt: skip
    texts = [synth.text(p) for p in range(N)]
    embedder = HashingEmbeddings(96)
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    return synth, table, vectors, embedder


def test_generator_tokens_are_the_tokenizers_and_copies_change_figures_places_years(synthetic):
    synth, table, vectors, _ = synthetic
    n = len(synth)
    for p in (0, 7, n + 3, 2 * n + 100, 917 * n + 42):
        assert synth.tokens(p) == synth.tokenizer(synth.text(p))
    assert synth.text(5) == synth.texts[5]  # copy 0 is the real corpus
    copy = synth.passage(n + 5)
    assert copy.document.startswith("c00001-") and copy.source == 5
    assert synth.text(n + 5) != synth.texts[5]
    assert len({synth.passage(c * n).province for c in range(1, 40)}) > 10  # many provinces
    real = np.vstack([vectors[:1]] * 1)
    assert np.allclose(
        synth.vectors(0, 3, real.repeat(n, 0), np.zeros((1, real.shape[1]), np.float32))[0], real[0], atol=1e-6
    )


@pytest.mark.parametrize("kind", KINDS)
def test_every_index_type_adds_removes_filters_and_reloads(synthetic, kind, tmp_path):
    synth, table, vectors, embedder = synthetic
    index = FaissVectorIndex.build(table.ids, vectors, table, kind)
    exact = FaissVectorIndex.build(table.ids, vectors, table, "flat")
    assert index.kind == kind and len(index) == N
    queries = np.asarray([embedder.embed_query(q) for q in QUERIES], dtype=np.float32)
    recall = np.mean(
        [len({c for c, _ in index.search(q, 200)[:10]} & {c for c, _ in exact.search(q, 10)}) / 10 for q in queries]
    )
    assert recall >= (0.6 if kind == "ivf-pq" else 0.95)
    # A selective filter (one small document, under 5 % of the rows) is searched exactly.
    sizes = np.bincount(table.document_codes)
    small = table.document_names[int(np.flatnonzero((sizes >= 10) & (sizes < 0.05 * N))[0])]
    where = Where(filters=Filters.of(documents=[small]))
    for q in queries:
        got = index.search(q, 5, where)
        assert {table.document_of(table.row_of[c]) for c, _ in got} == {small}
        if kind in ("flat", "ivf", "hnsw", "ivf-sq8"):  # ivf-sq8's candidates are scored exactly again
            assert [c for c, _ in got] == [c for c, _ in exact.search(q, 5, where)]
    in_small = [table.ids[r] for r in range(N) if table.document_of(r) == small]
    assert index.remove(in_small[:3]) == 3  # removed rows leave the exact filtered search too
    assert not {c for c, _ in index.search(queries[0], 50, where)} & set(in_small[:3])
    index.add(in_small[:3], vectors[[table.row_of[c] for c in in_small[:3]]])
    gone = table.ids[:300]
    assert index.remove(gone) == 300 and len(index) == N - 300
    assert not {c for c, _ in index.search(queries[0], 200)} & set(gone)
    index.add(gone[:10], vectors[:10])
    assert len(index) == N - 290
    index.save(tmp_path)
    again = FaissVectorIndex.load(tmp_path, table)
    assert again.kind == kind and len(again) == N - 290
    assert again.search(queries[1], 20) == index.search(queries[1], 20)


def test_8_bit_codes_choose_and_the_float_vectors_on_disk_score(synthetic, tmp_path):
    """ivf-sq8 returns exact scores in exact order (the codes only choose the candidates); served,
    its float vectors are read from disk, and a removed row never comes back from them."""
    synth, table, vectors, embedder = synthetic
    index = FaissVectorIndex.build(table.ids, vectors, table, "ivf-sq8")
    exact = FaissVectorIndex.build(table.ids, vectors, table, "flat")
    queries = np.asarray([embedder.embed_query(q) for q in QUERIES], dtype=np.float32)
    for q in queries:
        got, want = index.search(q, 10), exact.search(q, 10)
        assert [c for c, _ in got] == [c for c, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-5)
    index.save(tmp_path)
    served = FaissVectorIndex.load(tmp_path, table)
    assert isinstance(served.full, FileRows) and served.full.shape == vectors.shape
    assert not served.full.changed and served.full.take(np.array([7])).tobytes() == vectors[7].tobytes()
    first = served.search(queries[0], 10)[0][0]
    served.remove([first])
    assert first not in {c for c, _ in served.search(queries[0], 200)}
    where = Where(filters=Filters.of(documents=[table.document_of(table.row_of[first])]))
    assert first not in {c for c, _ in served._search_rows(queries[0], 50, np.flatnonzero(table.mask(where)))}
    assert np.load(tmp_path / "vectors.full.npy").any(axis=1).all()  # removing never wrote to disk
    served.save(tmp_path)  # over the file it reads from
    saved = np.load(tmp_path / "vectors.full.npy")
    assert not saved[table.row_of[first]].any() and saved.any(axis=1).sum() == len(vectors) - 1


def test_a_build_keeps_its_float_vectors_without_a_copy_and_never_writes_into_them(synthetic):
    synth, table, vectors, embedder = synthetic
    given = vectors.copy()
    index = FaissVectorIndex.build(table.ids, given, table, "ivf-sq8")
    assert index.full.array is given  # borrowed, not copied
    query = np.asarray(embedder.embed_query(QUERIES[0]), dtype=np.float32)
    first = index.search(query, 1)[0][0]
    index.remove([first])
    assert np.array_equal(given, vectors)  # the caller's array is untouched
    assert first not in {c for c, _ in index.search(query, 50)}


def test_an_ivf_sq8_build_from_before_its_vectors_were_kept_still_serves(synthetic, tmp_path):
    synth, table, vectors, embedder = synthetic
    FaissVectorIndex.build(table.ids, vectors, table, "ivf-sq8").save(tmp_path)
    (tmp_path / "vectors.full.npy").unlink()
    old = FaissVectorIndex.load(tmp_path, table)
    query = np.asarray(embedder.embed_query(QUERIES[0]), dtype=np.float32)
    assert old.codes_only and len(old.search(query, 10)) == 10  # ranked by its codes, as before
    assert old.remove(table.ids[:5]) == 5 and len(old) == N - 5


def test_float_rows_on_disk_are_read_through_the_descriptor_opened_at_loading(tmp_path):
    from assistant.retrieval.float_rows import FileRows

    rows = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.save(tmp_path / "v.npy", rows)
    on_disk = FileRows(tmp_path / "v.npy")
    (tmp_path / "v.npy").unlink()  # a pruned build directory: a served snapshot still reads it
    assert on_disk.take(np.array([3, 0])).tolist() == [[9, 10, 11], [0, 1, 2]]
    on_disk.put(np.array([1]), np.full((1, 3), -1, np.float32))
    on_disk.save(tmp_path / "w.npy")
    assert np.load(tmp_path / "w.npy").tolist() == [[0, 1, 2], [-1, -1, -1], [6, 7, 8], [9, 10, 11]]
    assert not list(tmp_path.glob("*.tmp"))
    with pytest.raises(IndexError):
        on_disk.take(np.array([4]))


def test_float_rows_are_read_in_any_order_with_repeats_and_changes(tmp_path):
    """Runs of neighbouring rows are read at once; the rows come back in the order asked for."""
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((500, 8)).astype(np.float32)
    np.save(tmp_path / "v.npy", vectors)
    on_disk = FileRows(tmp_path / "v.npy")
    changed = np.full((1, 8), 5.0, np.float32)
    on_disk.put(np.array([201]), changed)
    expected = vectors.copy()
    expected[201] = changed[0]
    for asked in (
        np.arange(150, 260),  # one run
        np.array([499, 0, 7, 7, 8, 9, 201, 3, 200, 202]),  # out of order, repeated, around a change
        rng.permutation(500)[:300],
        np.zeros(0, dtype=np.int64),
    ):
        assert np.array_equal(on_disk.take(asked), expected[asked])


def test_auto_is_exact_for_a_small_corpus():
    assert choose_kind("auto", 517) == "flat" and choose_kind("auto", 2_000_000) == "ivf-sq8"
    with pytest.raises(ValueError):
        choose_kind("annoy", 10)


def test_pruned_bm25_equals_exhaustive_scoring(synthetic, tmp_path):
    synth, table, _, _ = synthetic
    built = BM25Index.build((synth.tokens(p) for p in range(N)), table)
    built.save(tmp_path)
    index = BM25Index.load(tmp_path, table)
    assert all(isinstance(a.base, np.memmap) for a in (index.rows, index.tf, index.indptr))  # not read into RAM
    wheres = [
        None,
        Where(filters=Filters.of(province=synth.passage(N - 1).province)),
        Where(filters=Filters.of(years=[2023])),
    ]
    for query in QUERIES:
        tokens = synth.tokenizer(query)
        for k in (1, 10, 200):
            for where in wheres:
                index.prune_from = 10**18
                full = index.search(tokens, k, where)
                index.prune_from = 0
                assert index.search(tokens, k, where) == full
    # A restricted caller keeps exact statistics of its view (not the pruned whole-corpus path).
    visible = frozenset(table.document_names[:3])
    rows = [r for r in range(N) if table.document_of(r) in visible]
    alone_table = ChunkTable.from_columns([table.ids[r] for r in rows], [table.document_of(r) for r in rows],
                                          [""] * len(rows), [()] * len(rows))  # fmt: skip
    alone = BM25Index.build((synth.tokens(r) for r in rows), alone_table)
    tokens = synth.tokenizer(QUERIES[0])
    assert index.search(tokens, 10, Where(visible=visible)) == alone.search(tokens, 10)


def test_bm25_built_in_blocks_equals_one_block(synthetic, monkeypatch):
    from assistant.retrieval import lexical

    synth, table, _, _ = synthetic
    whole = BM25Index.build((synth.tokens(p) for p in range(N)), table)
    monkeypatch.setattr(lexical, "BLOCK", 97)
    blocks = BM25Index.build((synth.tokens(p) for p in range(N)), table)
    for name in ("indptr", "rows", "tf", "lengths", "bound"):
        assert np.array_equal(getattr(whole, name), getattr(blocks, name))
    assert blocks.vocabulary == whole.vocabulary
    from collections import Counter

    bags = BM25Index.build((Counter(synth.tokens(p)) for p in range(N)), table)  # counted by the caller
    for name in ("indptr", "rows", "tf", "lengths"):
        assert np.array_equal(getattr(whole, name), getattr(bags, name))


def test_index_type_is_a_setting_recorded_in_the_manifest(corpus_dir, embedder):
    settings = Settings(data_dir=corpus_dir, embedder="hashing", _env_file=None)
    build_index(settings, embedder, progress=False, log=lambda m: None)
    assert IndexStore(settings.index_dir).manifest().vector_index == "flat"
    hnsw = Settings(data_dir=corpus_dir, embedder="hashing", vector_index="hnsw", _env_file=None)
    said: list[str] = []
    report = build_index(hnsw, embedder, progress=False, log=said.append)
    assert report.status == "built" and "hnsw" in said[0]
    store = IndexStore(settings.index_dir)
    assert store.manifest().vector_index == "hnsw"
    data, directory = store.read()
    index = FaissVectorIndex.load(directory, ChunkTable(data.chunks, data.documents))
    assert index.kind == "hnsw" and len(index) == len(data.chunks)
