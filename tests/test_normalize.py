import unicodedata

from assistant.ingest.normalize import is_wrap_damaged, normalize_text
from tests.conftest import read_doc


def test_nfc_applied_to_decomposed_document():
    raw = read_doc("tra-vinh-ke-hoach-chuyen-doi-so-2023.txt")
    assert not unicodedata.is_normalized("NFC", raw)
    text = normalize_text(raw)
    assert unicodedata.is_normalized("NFC", text)
    assert "tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng đạt 59,25%" in text


def test_line_wraps_joined_inside_sentences():
    text = normalize_text(read_doc("tra-vinh-ke-hoach-ktxh-tttt-2021.txt"))
    # broken across "\n \n" in the file; one sentence after repair
    assert (
        "Thực hiện Công văn số 1369/SKHĐT-THKTKG ngày 27/7/2020 của Sở Kế hoạch và Đầu tư "
        "về việc xây dựng kế hoạch phát triển kinh tế - xã hội năm 2021"
    ) in text


def test_headings_and_bullets_keep_their_own_lines():
    lines = normalize_text(read_doc("tra-vinh-ke-hoach-chuyen-doi-so-2023.txt")).split("\n")
    assert "1. Nhận thức số" in lines
    assert "Phần II" in lines
    assert any(line.startswith("- Tổ chức Hội nghị nâng cao nhận thức chuyển đổi số") for line in lines)


def test_broken_uppercase_heading_rejoined():
    text = normalize_text(read_doc("tra-vinh-ke-hoach-ktxh-tttt-2021.txt"))
    assert "I. BỐI CẢNH THỰC HIỆN KẾ HOẠCH PHÁT TRIỂN KINH TẾ - XÃ HỘI NĂM 2020" in text.split("\n")


def test_clean_documents_are_not_rewrapped():
    raw = read_doc("tra-vinh-ke-hoach-ktxh-tttt-2024.txt")
    assert not is_wrap_damaged(raw.split("\n"))
    text = normalize_text(raw)
    assert "PHẦN I\nĐÁNH GIÁ TÌNH HÌNH THỰC HIỆN KẾ HOẠCH\nPHÁT TRIỂN KTXH NĂM 2023" in text


def test_table_rows_keep_tabs_and_stay_consecutive():
    text = normalize_text(read_doc("tra-vinh-ke-hoach-ktxh-tttt-2024.txt"))
    assert "TT\tChỉ tiêu\tĐơn vị tính\tKế hoạch năm 2024\n1\tSố xã có điểm phục vụ bưu chính" in text


def test_spaces_collapsed_and_paragraphs_separated():
    text = normalize_text("Số:     12/KH  \r\n\r\n\r\n  \r\nĐoạn hai.\n")
    assert text == "Số: 12/KH\n\nĐoạn hai."
