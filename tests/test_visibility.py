"""A caller who may not see a document gets the same answers as if it did not exist."""

from __future__ import annotations

import shutil

import pytest

from assistant.filters import Filters
from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

RESTRICTED = "mat-bao-cao-ha-tang-2023.txt"
RESTRICTED_TEXT = (
    "BÁO CÁO MẬT\n\nTình hình hạ tầng viễn thông tỉnh Vĩnh Long năm 2026\n\n"
    "I. KẾT QUẢ\n\n"
    "- Năm 2026 toàn tỉnh Vĩnh Long có 7.777 trạm BTS, trong đó 555 trạm phát sóng 5G.\n"
    "- Tỷ lệ dịch vụ công trực tuyến toàn trình đạt 99,9%.\n"
    "- Tổng kinh phí đầu tư hạ tầng viễn thông năm 2023 là 123.456 triệu đồng.\n"
)
QUESTIONS = [
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "Năm 2026 Vĩnh Long có bao nhiêu trạm BTS?",
    "Năm 2023 Trà Vinh có bao nhiêu trạm phát sóng 5G?",
    "Tỷ lệ dịch vụ công trực tuyến toàn trình năm 2023 là bao nhiêu?",
    "Tổng kinh phí đầu tư hạ tầng viễn thông năm 2023 là bao nhiêu?",
    "Tiền Giang xếp hạng mấy về ứng dụng CNTT năm 2022?",
    "Đơn vị nào chủ trì xây dựng Kiến trúc chính quyền điện tử 2.0?",
]


def _pipeline(root, with_restricted: bool, embedder) -> Pipeline:
    (root / "documents").mkdir(parents=True)
    for p in DOCUMENTS.glob("*.txt"):
        shutil.copy(p, root / "documents" / p.name)
    if with_restricted:
        (root / "documents" / RESTRICTED).write_text(RESTRICTED_TEXT, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, embedder, progress=False, log=lambda m: None)
    return Pipeline(settings, embedder)


@pytest.fixture(scope="module")
def pipelines(tmp_path_factory):
    from assistant.retrieval.embeddings import HashingEmbeddings

    embedder = HashingEmbeddings()
    with_doc = _pipeline(tmp_path_factory.mktemp("with"), True, embedder)
    without = _pipeline(tmp_path_factory.mktemp("without"), False, embedder)
    return with_doc, without


def _comparable(answer) -> dict:
    return answer.model_dump(exclude={"timings", "build"})


def test_the_restricted_document_is_found_by_those_who_may_see_it(pipelines):
    with_doc, _ = pipelines
    a = with_doc.ask("Năm 2026 Vĩnh Long có bao nhiêu trạm BTS?")
    assert a.value == 7777 and a.citations[0].document == RESTRICTED


@pytest.mark.parametrize("question", QUESTIONS)
def test_hidden_document_changes_nothing(pipelines, question):
    with_doc, without = pipelines
    visible = [d for d in with_doc.snapshot().documents if d != RESTRICTED]
    hidden = with_doc.ask(question, visible_documents=visible)
    absent = without.ask(question)
    assert _comparable(hidden) == _comparable(absent)
    text = hidden.model_dump_json()
    assert RESTRICTED not in text and "7.777" not in text and "123.456" not in text

    hits = with_doc.search(question, k=10, visible_documents=visible)
    assert [(h.chunk.id, h.score) for h in hits] == [(h.chunk.id, h.score) for h in without.search(question, k=10)]


def test_filters_narrow_inside_what_is_visible(pipelines):
    with_doc, _ = pipelines
    visible = [d for d in with_doc.snapshot().documents if d != RESTRICTED]
    hits = with_doc.search(
        "trạm BTS năm 2023", k=10, visible_documents=visible, filters=Filters.of(documents=[RESTRICTED])
    )
    assert hits == []
    only = with_doc.search("trạm BTS năm 2023", k=10, filters=Filters.of(documents=[RESTRICTED]))
    assert only and {h.chunk.document for h in only} == {RESTRICTED}


def test_the_view_holds_only_what_the_caller_may_see(pipelines):
    with_doc, without = pipelines
    visible = [d for d in with_doc.snapshot().documents if d != RESTRICTED]
    hidden = with_doc.snapshot().view(frozenset(visible))
    absent = without.snapshot().view()
    assert RESTRICTED not in hidden.documents and all(c.document != RESTRICTED for c in hidden.chunks)
    assert set(hidden.figures) == set(absent.figures)
    assert hidden.known_years == absent.known_years and 2026 not in hidden.known_years
    assert hidden.known_provinces == absent.known_provinces and "vinh long" not in hidden.known_provinces
    assert hidden.idf == absent.idf and hidden.default_idf == absent.default_idf
    everything = with_doc.snapshot().view()
    assert 2026 in everything.known_years and "vinh long" in everything.known_provinces
