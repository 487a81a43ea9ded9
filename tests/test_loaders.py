"""Loaders on the real corpus and on files the tests build themselves (no mocks, no downloads)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from assistant.errors import DocumentError
from assistant.ingest.loaders import (
    SUPPORTED_SUFFIXES,
    iter_document_paths,
    read_document,
    resolve_document_path,
)

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"
CORPUS = [
    "tien-giang-bao-cao-10-nam-nghi-quyet-36.txt",
    "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt",
    "tra-vinh-ke-hoach-ktxh-tttt-2021.txt",
    "tra-vinh-ke-hoach-ktxh-tttt-2024.txt",
    "tra-vinh-qd-2063-ung-dung-cntt-2020.txt",
]


def make_pdf(pages: list[str]) -> bytes:
    """A minimal valid PDF, written by hand: one Helvetica text line per page."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {count} >>"]
    font = 3 + 2 * count
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 {font} 0 R >> >> /Contents {4 + 2 * i} 0 R >>"
        )
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream.decode('latin-1')}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def assert_names_file(error: pytest.ExceptionInfo, name: str) -> str:
    """The message is Vietnamese and names the file; returns the full text."""
    text = str(error.value)
    assert name in text
    assert any(word in text for word in ("tệp", "Tệp", "Đường dẫn"))
    return text


# --- real corpus -----------------------------------------------------------------------


def test_iter_document_paths_lists_the_corpus_sorted_without_sidecars():
    paths = iter_document_paths(DOCUMENTS)
    assert [p.name for p in paths] == CORPUS
    assert all(p.parent == DOCUMENTS for p in paths)


@pytest.mark.parametrize("name", CORPUS)
def test_real_documents_read_as_text(name):
    text = read_document(DOCUMENTS / name)
    assert len(text) > 20_000
    assert not text.startswith("\ufeff")
    assert "Trà Vinh" in unicodedata.normalize("NFC", text) or "Tiền Giang" in text


def test_decomposed_document_is_returned_undecoded_beyond_utf8():
    """The NFD file stays NFD here: NFC belongs to the normalizer."""
    text = read_document(DOCUMENTS / "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt")
    assert not unicodedata.is_normalized("NFC", text)
    assert text.lstrip().startswith("Phần I")
    assert text.encode("utf-8") == (DOCUMENTS / "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt").read_bytes()


def test_tab_separated_tables_survive_in_txt():
    text = read_document(DOCUMENTS / "tra-vinh-qd-2063-ung-dung-cntt-2020.txt")
    assert "STT\tTên hệ thống, phần mềm\tĐơn vị chủ trì triển khai" in text


# --- text files ------------------------------------------------------------------------


def test_txt_and_md_strip_bom(tmp_path):
    for name in ("a.txt", "b.md"):
        (tmp_path / name).write_bytes("\ufeffKế hoạch năm 2024\n".encode("utf-8"))
        assert read_document(tmp_path / name) == "Kế hoạch năm 2024\n"


def test_non_utf8_text_says_how_to_convert(tmp_path):
    path = tmp_path / "bao-cao-cp1258.txt"
    path.write_bytes("Báo cáo Trà Vinh".encode("cp1258"))  # legacy Windows Vietnamese
    with pytest.raises(DocumentError) as error:
        read_document(path)
    text = assert_names_file(error, "bao-cao-cp1258.txt")
    assert "UTF-8" in text and "lưu lại" in text


@pytest.mark.parametrize("name", ["rong.txt", "rong.md", "rong.docx", "rong.pdf"])
def test_empty_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"")
    with pytest.raises(DocumentError) as error:
        read_document(tmp_path / name)
    text = assert_names_file(error, name)
    assert "Không đọc được tệp" in text and "rỗng" in text


def test_whitespace_only_text_file(tmp_path):
    (tmp_path / "trang.txt").write_text("  \n\n \t\n", encoding="utf-8")
    with pytest.raises(DocumentError) as error:
        read_document(tmp_path / "trang.txt")
    assert_names_file(error, "trang.txt")


def test_unsupported_suffix_lists_supported(tmp_path):
    path = tmp_path / "so-lieu.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(DocumentError) as error:
        read_document(path)
    text = assert_names_file(error, "so-lieu.xlsx")
    assert "Không hỗ trợ" in text
    assert all(suffix in text for suffix in SUPPORTED_SUFFIXES)


def test_missing_file(tmp_path):
    with pytest.raises(DocumentError) as error:
        read_document(tmp_path / "khong-co.txt")
    assert_names_file(error, "khong-co.txt")


# --- docx ------------------------------------------------------------------------------


def build_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("KẾ HOẠCH", level=1)
    document.add_paragraph("Phát triển kinh tế - xã hội ngành thông tin và truyền thông năm 2024")
    document.add_paragraph("")  # empty paragraphs are dropped
    table = document.add_table(rows=4, cols=3)
    rows = [
        ("TT", "Nhiệm vụ", "Đơn vị chủ trì"),
        ("1", "Nâng cấp Trung tâm dữ liệu\ncủa tỉnh", "Sở Thông tin và Truyền thông"),
        ("2", "Số hóa hồ sơ thủ tục hành chính", "Văn phòng UBND tỉnh"),
        ("", "", ""),
    ]
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    merged = table.cell(3, 0).merge(table.cell(3, 1))
    merged.text = "Tổng cộng"
    table.cell(3, 2).text = "72.524 triệu đồng"
    document.add_paragraph("Trên đây là kế hoạch của Sở Thông tin và Truyền thông./.")
    document.save(str(path))


def test_docx_paragraphs_and_tables_in_body_order(tmp_path):
    path = tmp_path / "ke-hoach.docx"
    build_docx(path)
    text = read_document(path)
    assert text == (
        "KẾ HOẠCH\n\n"
        "Phát triển kinh tế - xã hội ngành thông tin và truyền thông năm 2024\n\n"
        "TT\tNhiệm vụ\tĐơn vị chủ trì\n"
        "1\tNâng cấp Trung tâm dữ liệu của tỉnh\tSở Thông tin và Truyền thông\n"
        "2\tSố hóa hồ sơ thủ tục hành chính\tVăn phòng UBND tỉnh\n"
        "Tổng cộng\t72.524 triệu đồng\n\n"
        "Trên đây là kế hoạch của Sở Thông tin và Truyền thông./."
    )


def test_corrupt_docx(tmp_path):
    path = tmp_path / "hong.docx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(DocumentError) as error:
        read_document(path)
    text = assert_names_file(error, "hong.docx")
    assert "Không đọc được tệp hong.docx" in text and ".docx/.pdf/.txt" in text


def test_docx_that_is_a_zip_but_not_word(tmp_path):
    import zipfile

    path = tmp_path / "zip-thuong.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(DocumentError) as error:
        read_document(path)
    assert_names_file(error, "zip-thuong.docx")


# --- pdf -------------------------------------------------------------------------------


def test_pdf_text_per_page_joined_with_blank_lines(tmp_path):
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(make_pdf(["Ke hoach chuyen doi so nam 2023", "Tong kinh phi 72.524 trieu dong"]))
    text = read_document(path)
    assert text == "Ke hoach chuyen doi so nam 2023\n\nTong kinh phi 72.524 trieu dong"


def test_scanned_pdf_needs_ocr(tmp_path):
    path = tmp_path / "ban-scan.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError) as error:
        read_document(path)
    text = assert_names_file(error, "ban-scan.pdf")
    assert "OCR" in text


def test_truncated_pdf(tmp_path):
    data = make_pdf(["Ke hoach nam 2024"])
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError) as error:
        read_document(path)
    text = assert_names_file(error, "cut.pdf")
    assert "Không đọc được tệp cut.pdf" in text


def test_pdf_with_garbage_inside(tmp_path):
    path = tmp_path / "rac.pdf"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(2048) + b"\n%%EOF\n")
    with pytest.raises(DocumentError) as error:
        read_document(path)
    assert_names_file(error, "rac.pdf")


def test_not_a_pdf_at_all(tmp_path):
    path = tmp_path / "gia.pdf"
    path.write_text("Đây không phải PDF", encoding="utf-8")
    with pytest.raises(DocumentError) as error:
        read_document(path)
    assert_names_file(error, "gia.pdf")


# --- paths -----------------------------------------------------------------------------


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    root = tmp_path / "documents"
    root.mkdir()
    (root / "b-ke-hoach.txt").write_text("Kế hoạch", encoding="utf-8")
    (root / "a-bao-cao.md").write_text("Báo cáo", encoding="utf-8")
    (root / "c.docx").write_bytes(b"x")
    (root / "d.PDF").write_bytes(b"x")
    (root / "b-ke-hoach.txt.meta.yaml").write_text("title: X\n", encoding="utf-8")
    (root / ".an.txt").write_text("ẩn", encoding="utf-8")
    (root / "~$c.docx").write_bytes(b"lock")
    (root / "so-lieu.xlsx").write_bytes(b"x")
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text("trong", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật", encoding="utf-8")
    (root / "ra-ngoai.txt").symlink_to(secret)
    return root


def test_iter_skips_hidden_temp_sidecars_and_outside_links(corpus_dir):
    names = [p.name for p in iter_document_paths(corpus_dir)]
    assert names == ["a-bao-cao.md", "b-ke-hoach.txt", "c.docx", "d.PDF"]


def test_iter_missing_dir(tmp_path):
    with pytest.raises(DocumentError) as error:
        iter_document_paths(tmp_path / "khong-co")
    assert "documents/" in str(error.value)


def test_resolve_accepts_plain_names(corpus_dir):
    assert resolve_document_path(corpus_dir, "b-ke-hoach.txt") == (corpus_dir / "b-ke-hoach.txt").resolve()
    assert resolve_document_path(corpus_dir, "sub/inner.txt") == (corpus_dir / "sub" / "inner.txt").resolve()
    new = resolve_document_path(corpus_dir, "moi.docx", must_exist=False)
    assert new == (corpus_dir / "moi.docx").resolve()


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "a/../../x.txt",
        "..\\..\\x.txt",
        "C:\\Windows\\win.ini",
        "../secret.txt",
        "ra-ngoai.txt",  # a symlink inside documents/ that points outside
        ".an.txt",
        "~$c.docx",
        "b-ke-hoach.txt.meta.yaml",
        "so-lieu.xlsx",
        "",
    ],
)
def test_resolve_rejects_escapes_and_unsupported(corpus_dir, name):
    with pytest.raises(DocumentError) as error:
        resolve_document_path(corpus_dir, name)
    text = str(error.value)
    assert text.startswith("Đường dẫn không hợp lệ:")
    assert "chỉ dùng tên tệp trong thư mục documents/" in text
    assert name in text


def test_resolve_missing_file(corpus_dir):
    with pytest.raises(DocumentError) as error:
        resolve_document_path(corpus_dir, "khong-co.pdf")
    assert_names_file(error, "khong-co.pdf")


def test_real_corpus_names_resolve():
    for name in CORPUS:
        assert resolve_document_path(DOCUMENTS, name).name == name


def test_docx_vertically_merged_cell_repeats_on_each_row(tmp_path):
    """Each row stays self-contained (a row is later a chunk); only repeats within a row go."""
    document = docx.Document()
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(table.rows, [("Đơn vị", "Nhiệm vụ"), ("", "Số hóa"), ("", "Đào tạo")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Sở Tài chính"
    path = tmp_path / "gop-doc.docx"
    document.save(str(path))
    assert read_document(path) == "Đơn vị\tNhiệm vụ\nSở Tài chính\tSố hóa\nSở Tài chính\tĐào tạo"
