import pytest

from assistant.ingest.chunking import chunk_document, heading_level
from assistant.ingest.normalize import normalize_text
from assistant.models import Document
from tests.conftest import DOCUMENTS


def _doc(name: str) -> Document:
    text = normalize_text((DOCUMENTS / name).read_text(encoding="utf-8"))
    return Document(id=name, text=text, sha256="0" * 64)


@pytest.fixture(scope="module")
def all_chunks():
    return {p.name: (_doc(p.name), chunk_document(_doc(p.name))) for p in sorted(DOCUMENTS.glob("*.txt"))}


@pytest.mark.parametrize(
    "line,level",
    [
        ("PHẦN I", 0),
        ("Phần thứ nhất KẾT QUẢ THỰC HIỆN", 0),
        ("PHỤ LỤC 02", 0),
        ("I. KẾT QUẢ ĐẠT ĐƯỢC", 1),
        ("II- NHIỆM VỤ, GIẢI PHÁP", 1),
        ("Điều 1. Ban hành", 1),
        ("1. Nhận thức số", 2),
        ("1.1. Về cải thiện điểm chỉ số", 3),
        ("a) Lĩnh vực y tế", 6),
        ("- Tổ chức hội nghị", None),
        ("Toàn tỉnh có 1.222 trạm", None),
    ],
)
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_offsets_point_into_the_normalized_text(all_chunks):
    for doc, chunks in all_chunks.values():
        assert chunks
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.document == doc.id and len(c.id) == 16


def test_chunks_follow_document_order_without_overlap(all_chunks):
    for _, chunks in all_chunks.values():
        for a, b in zip(chunks, chunks[1:]):
            assert a.end <= b.start


def test_sentences_are_never_cut(all_chunks):
    for doc, chunks in all_chunks.values():
        for c in chunks:
            if c.kind != "text":
                continue
            after = doc.text[c.end : c.end + 1]
            assert after in ("", "\n", " ") or after.isspace()
            if after == " ":  # split inside a paragraph: only after a sentence or clause end
                assert c.text.rstrip()[-1] in '.;!?…:)"”', c.text[-60:]


def test_section_path_follows_structure(all_chunks):
    _, chunks = all_chunks["tra-vinh-ke-hoach-ktxh-tttt-2024.txt"]
    bts = next(c for c in chunks if "1.222 trạm thu, phát sóng" in c.text)
    assert bts.section.startswith("PHẦN I ĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH PHÁT TRIỂN KTXH NĂM 2023")
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in bts.section and "a) Chỉ số hạ tầng kỹ thuật của xã hội" in bts.section
    assert 2023 in bts.years


def test_table_rows_carry_their_header(all_chunks):
    _, chunks = all_chunks["tra-vinh-qd-2063-ung-dung-cntt-2020.txt"]
    rows = [c for c in chunks if c.kind == "table"]
    assert len(rows) > 30
    project = next(c for c in rows if "47.803" in c.text)
    assert project.header.startswith("TT\tTên nhiệm vụ, dự án\tĐơn vị chủ trì triển khai")
    assert "Phụ lục 01" in project.section
    assert "Tổng mức đầu tư: 47.803" in project.context_text()
    # the row broken by a page break is one chunk with its continuation
    wan = next(c for c in rows if "mạng diện rộng (WAN)" in c.text)
    assert "thị xã, thành phố, UBND các xã phường" in wan.text


def test_table_group_rows_become_sections(all_chunks):
    _, chunks = all_chunks["tra-vinh-qd-2063-ung-dung-cntt-2020.txt"]
    row = next(c for c in chunks if c.kind == "table" and "Rà soát đề nghị Sở Thông tin" in c.text)
    assert "II ỨNG DỤNG công nghệ thông tin TRONG NỘI BỘ" in row.section
    assert "Ứng dụng Quản lý văn bản và điều hành (iOffice)" in row.section


def test_chunk_sizes_bounded(all_chunks):
    for _, chunks in all_chunks.values():
        long_text = [c for c in chunks if c.kind == "text" and len(c.text) > 1600]
        assert not long_text, [c.text[:80] for c in long_text]


def test_chunk_ids_are_stable():
    a = chunk_document(_doc("tra-vinh-ke-hoach-ktxh-tttt-2021.txt"))
    b = chunk_document(_doc("tra-vinh-ke-hoach-ktxh-tttt-2021.txt"))
    assert [c.id for c in a] == [c.id for c in b]
