"""Abstention on near misses: the passage speaks of the topic but does not hold the asked figure."""

import pytest

from assistant.answering import NOT_FOUND
from assistant.answering.support import counted_noun, doc_refs, passage_years
from tests.passages import BoundAnswerer  # noqa: F401
from tests.passages import ask as _ask


def _abstains(a):
    return a.abstained and a.answer == NOT_FOUND and a.value is None


def test_counted_noun_and_years():
    assert counted_noun("Hệ thống đã phục vụ bao nhiêu cuộc họp?") == ["cuoc", "hop"]
    assert counted_noun("ung dung smart tra vinh co bao nhieu nguoi dung") == ["nguoi", "dung"]
    assert counted_noun("Có bao nhiêu người đã được tạo lập hồ sơ?") == []  # too vague to check
    assert counted_noun("còn thiếu bao nhiêu điểm phần trăm?") == []
    assert counted_noun("đạt bao nhiêu tỷ đồng?") == []
    assert {2017, 2018, 2019, 2020} <= passage_years("trong giai đoạn 2017 - 2020, hàng năm")


def test_document_named_by_year(index_data):
    data, settings = index_data
    answerer = BoundAnswerer(data, settings)
    years, docs = doc_refs(answerer, answerer.analyze("Theo KH KTXH 2024, tỷ lệ người dân dùng Internet năm 2023?"))
    assert years == {2024} and docs == {"tra-vinh-ke-hoach-ktxh-tttt-2024.txt"}
    years, _ = doc_refs(answerer, answerer.analyze("Năm 2023 Trà Vinh có bao nhiêu trạm BTS?"))
    assert years == set()


def test_figure_counting_another_noun_abstains(index_data):
    a = _ask(
        index_data,
        "Trong năm 2020, hệ thống hội nghị truyền hình của tỉnh Trà Vinh đã phục vụ bao nhiêu cuộc họp?",
        "năng lực hệ thống đáp ứng 14 điểm cầu",
    )
    assert _abstains(a)


def test_figure_of_an_earlier_year_abstains(index_data):
    needle = "giải quyết 281.494 hồ sơ"
    a = _ask(index_data, "Năm 2023 Trà Vinh đã số hóa được bao nhiêu hồ sơ, kết quả giải quyết TTHC?", needle)
    assert _abstains(a)
    a = _ask(index_data, "Năm 2022 hệ thống một cửa điện tử của Trà Vinh đã giải quyết bao nhiêu hồ sơ?", needle)
    assert not a.abstained and a.value == 281494


def test_empty_table_cell_abstains(index_data):
    row = "Thuê hệ thống Hội nghị truyền hình đáp ứng yêu cầu tổ chức các cuộc họp trực tuyến đến cấp xã\t"
    a = _ask(
        index_data,
        "Theo Phụ lục 03 QĐ 2063, kinh phí năm 2020 cho gói Thuê hệ thống HNTH đến cấp xã là bao nhiêu?",
        row,
    )
    assert _abstains(a)
    a = _ask(
        index_data, "Tổng mức đầu tư dự kiến của gói Thuê hệ thống Hội nghị truyền hình đến cấp xã là bao nhiêu?", row
    )
    assert not a.abstained and a.value == pytest.approx(19588.8)


def test_measure_the_passage_never_names_abstains(index_data):
    a = _ask(
        index_data,
        "Doanh thu dịch vụ viễn thông trên địa bàn Trà Vinh năm 2023 đạt bao nhiêu tỷ đồng?",
        "toàn tỉnh hiện có 06 doanh nghiệp cung cấp dịch vụ viễn thông",
    )
    assert _abstains(a)


def test_sentence_without_a_figure_abstains_on_a_number_question(index_data):
    a = _ask(
        index_data,
        "nam 2019 tra vinh co bao nhieu camera giam sat an ninh trat tu",
        "Xây dựng hệ thống camera giám sát an ninh trật tự",
    )
    assert _abstains(a)


def test_other_document_than_the_one_named_abstains(index_data):
    a = _ask(
        index_data,
        "Theo KH KTXH 2024, tỷ lệ hộ gia đình có Internet cáp quang băng rộng năm 2023 là bao nhiêu?",
        "59,25% hộ gia đình có đường Internet cáp quang băng rộng",
    )
    assert _abstains(a)
    a = _ask(
        index_data,
        "Theo KH CĐS 2023, tỷ lệ hộ gia đình có Internet cáp quang băng rộng năm 2022 là bao nhiêu?",
        "59,25% hộ gia đình có đường Internet cáp quang băng rộng",
    )
    assert not a.abstained and a.value == pytest.approx(59.25)


def test_value_of_another_table_row_abstains(index_data):
    a = _ask(
        index_data,
        "Tổng mức đầu tư dự kiến của Đề án tổng thể ứng dụng CNTT lĩnh vực TN&MT tỉnh Trà Vinh "
        "(Phụ lục 03) là bao nhiêu?",
        "Đề án tổng thể Ứng dụng và phát triển hệ thống công nghệ thông tin trong lĩnh vực tài nguyên",
        "Kế hoạch Điều tra, thu thập, cập nhật thông tin dữ liệu tài nguyên và môi trường năm 2020\tSở TN",
    )
    assert _abstains(a)


def test_a_percentage_does_not_answer_how_many(index_data):
    needle = "59,25% hộ gia"
    a = _ask(index_data, "Năm 2022 Trà Vinh có bao nhiêu hộ gia đình có Internet cáp quang băng rộng?", needle)
    assert a.abstained
    a = _ask(index_data, "Năm 2022 tỷ lệ hộ gia đình có Internet cáp quang băng rộng là bao nhiêu?", needle)
    assert not a.abstained and a.value == 59.25
