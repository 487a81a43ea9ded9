"""Question analysis: kind, operation, years and places read from real question wording."""

import pytest

from assistant.answering.question import analyze


@pytest.mark.parametrize(
    "question, kind",
    [
        # "máy tính" (computer) is not "mấy" (how many); "Sở" (department) is not "số" (number).
        ("Đơn vị nào chủ trì tập huấn cho đội ứng cứu sự cố máy tính tỉnh Trà Vinh?", "entity"),
        ("Sở TT&TT Trà Vinh hợp tác với đơn vị nào để thực hiện phóng sự?", "entity"),
        ("Số trạm BTS của Trà Vinh năm 2023 là bao nhiêu?", "number"),
        ("Có mấy doanh nghiệp viễn thông?", "number"),
    ],
)
def test_accent_only_homographs(question, kind):
    assert analyze(question).kind == kind


def test_stated_rate_is_not_a_change_between_years():
    q = analyze("Nghị quyết của HĐND tỉnh giảm bao nhiêu % phí, lệ phí khi thực hiện DVCTT?")
    assert q.operation is None and q.kind == "percent"
    q = analyze("Kinh phí năm 2023 tăng bao nhiêu phần trăm so với năm 2022?")
    assert q.operation == "percent_change" and q.kind == "computed"


def test_expansions_do_not_make_a_sum():
    # "TN&MT" expands to "tài nguyên và môi trường"; that "và" must not read as "X và Y".
    q = analyze("Tổng mức đầu tư của Đề án ứng dụng CNTT lĩnh vực TN&MT là bao nhiêu?")
    assert q.operation is None and q.kind == "number"
    assert analyze("Tổng số hồ sơ mức 3 và mức 4 là bao nhiêu?").operation == "sum"


def test_years_inside_document_numbers_are_not_periods():
    q = analyze("Kết quả triển khai phần mềm theo Thông tư 137/2017/TT-BTC năm 2019?")
    assert q.years == [2019]
    assert analyze("Tình hình tháng 9/2020 thế nào?").years == [2020]


def test_broadcaster_names_are_not_places():
    assert analyze("Phóng sự được phát trên VTV Cần Thơ ngày nào?").provinces == []
    assert analyze("Dân số Cần Thơ năm 2022 là bao nhiêu?").provinces == ["cần thơ"]
    assert analyze("dan so can tho nam 2022 la bao nhieu").provinces == ["cần thơ"]
    assert analyze("Sở TT&TT Trà Vinh hợp tác với đơn vị nào?").provinces == ["trà vinh"]


def test_share_of_target_is_read_with_the_percent_sign_in_place():
    q = analyze("Tỷ lệ hồ sơ trực tuyến năm 2022 đạt bao nhiêu % mục tiêu?")
    assert q.against_target and not q.asks_target


def test_carry_over_is_a_sum():
    q = analyze("Tổng kinh phí năm 2023 của chương trình, tính cả phần năm 2022 chuyển sang, là bao nhiêu?")
    assert q.operation == "sum" and q.kind == "computed"
