"""Index build, persistence and hybrid search on the real documents with the hashing embedder."""

import json
import shutil

import pytest

from assistant.errors import IndexMismatchError, IndexMissingError, InvalidQuestionError
from assistant.filters import Filters
from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings


def _build(settings, embedder, **kw):
    return build_index(settings, embedder, progress=False, log=lambda m: None, **kw)


def test_build_then_search_finds_the_fact(corpus_dir, settings, embedder):
    report = _build(settings, embedder)
    assert report.status == "built" and report.documents == 5 and report.chunks > 300
    manifest = IndexStore(settings.index_dir).manifest()
    assert manifest.embedding_model == "hashing-256" and manifest.dimension == 256
    assert len(manifest.documents) == 5 and all(len(s) == 64 for s in manifest.documents.values())
    hits = Pipeline(settings, embedder).search("toàn tỉnh có bao nhiêu cột treo cáp và trạm BTS", k=5)
    assert any("1.222 trạm thu, phát sóng" in h.chunk.text for h in hits)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert hits[0].score >= hits[-1].score


def test_question_without_diacritics_matches(corpus_dir, settings, embedder):
    _build(settings, embedder)
    hits = Pipeline(settings, embedder).search("so cot treo cap toan tinh", k=5)
    assert any("90.923 cột treo cáp" in h.chunk.text for h in hits)


def test_unchanged_corpus_is_not_rebuilt(corpus_dir, settings, embedder):
    _build(settings, embedder)
    first = IndexStore(settings.index_dir).current.resolve()
    again = _build(settings, embedder)
    assert again.status == "up-to-date"
    assert IndexStore(settings.index_dir).current.resolve() == first


def test_changed_document_reuses_cached_embeddings(corpus_dir, settings, embedder):
    _build(settings, embedder)
    path = corpus_dir / "documents" / "tra-vinh-ke-hoach-ktxh-tttt-2021.txt"
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nĐoạn mới: tỉnh có 77 điểm wifi công cộng.\n", encoding="utf-8"
    )
    report = _build(settings, embedder)
    assert report.status == "built"
    assert 0 < report.embedded < 5 and report.reused > 300
    hits = Pipeline(settings, embedder).search("Đoạn mới: bao nhiêu điểm wifi công cộng?", k=3)
    assert any("77 điểm wifi" in h.chunk.text for h in hits)


def test_corrupt_file_is_skipped_and_the_rest_indexed(corpus_dir, settings, embedder):
    (corpus_dir / "documents" / "hong.docx").write_bytes(b"this is not a zip file")
    messages = []
    report = build_index(settings, embedder, progress=False, log=messages.append)
    assert report.documents == 5
    assert [s["file"] for s in report.skipped] == ["hong.docx"]
    assert any("hong.docx" in m for m in messages)


def test_model_change_forces_rebuild_and_old_index_refuses_new_model(corpus_dir, settings, embedder):
    _build(settings, embedder)
    other = HashingEmbeddings(dimension=128)
    with pytest.raises(IndexMismatchError, match="assistant index --rebuild"):
        Pipeline(settings, other).search("trạm BTS")
    report = _build(settings, other)
    assert report.status == "built" and "mô hình" in report.reason
    assert IndexStore(settings.index_dir).manifest().dimension == 128


def test_interrupted_build_keeps_previous_index(corpus_dir, settings, embedder):
    _build(settings, embedder)
    before = IndexStore(settings.index_dir).current.resolve()

    class Exploding(HashingEmbeddings):
        def embed_documents(self, texts):
            raise KeyboardInterrupt

    (corpus_dir / "documents" / "moi.txt").write_text("Văn bản mới về chuyển đổi số.\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        _build(settings, Exploding())
    store = IndexStore(settings.index_dir)
    assert store.current.resolve() == before
    assert "moi.txt" not in store.manifest().documents
    assert Pipeline(settings, embedder).search("trạm BTS", k=1)


def test_no_pickle_files_in_index(corpus_dir, settings, embedder):
    _build(settings, embedder)
    build = IndexStore(settings.index_dir).current.resolve()
    names = {p.name for p in build.rglob("*")}
    assert {"manifest.json", "chunks.jsonl", "documents.jsonl", "vectors.faiss"} <= names
    assert not [n for n in names if n.endswith((".pkl", ".pickle"))]
    json.loads((build / "manifest.json").read_text(encoding="utf-8"))


def test_filters_by_document_province_and_year(corpus_dir, settings, embedder):
    _build(settings, embedder)
    p = Pipeline(settings, embedder)
    doc = "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt"
    assert {h.chunk.document for h in p.search("hạ tầng viễn thông", k=10, filters=Filters.of(documents=[doc]))} == {
        doc
    }
    assert {
        h.chunk.province
        for h in p.search("ứng dụng công nghệ thông tin", k=10, filters=Filters.of(province="Tiền Giang"))
    } == {"Tiền Giang"}
    hits = p.search("dịch vụ công trực tuyến", k=10, filters=Filters.of(years=2020))
    assert hits and all(2020 in h.chunk.years or not h.chunk.years for h in hits)


def test_empty_and_huge_questions_are_refused(corpus_dir, settings, embedder):
    _build(settings, embedder)
    p = Pipeline(settings, embedder)
    with pytest.raises(InvalidQuestionError, match="trống"):
        p.search("   ")
    with pytest.raises(InvalidQuestionError, match="rút gọn"):
        p.search("trạm " * 1000)


def test_missing_index_says_what_to_run(data_dir, settings, embedder):
    with pytest.raises(IndexMissingError, match="assistant index"):
        Pipeline(settings, embedder).search("trạm BTS")


def test_rrf_fusion_also_works(corpus_dir, settings, embedder):
    _build(settings, embedder)
    rrf = settings.model_copy(update={"fusion": "rrf"})
    hits = Pipeline(rrf, embedder).search("1.222 trạm BTS", k=5)
    assert any("1.222 trạm" in h.chunk.text for h in hits)


def test_empty_documents_dir_is_a_clear_error(data_dir, settings, embedder):
    from assistant.errors import DocumentError

    shutil.rmtree(data_dir / "documents")
    (data_dir / "documents").mkdir()
    with pytest.raises(DocumentError, match="documents"):
        _build(settings, embedder)
