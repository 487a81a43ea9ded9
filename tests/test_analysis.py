"""Question analysis: the hard facts a question states, read with patterns."""

from __future__ import annotations

import pytest

from assistant.answering.analysis import analyze, asked_parts, counted_noun, without_asking
from assistant.vietnamese.places import PROVINCES


def q(text: str):
    return analyze(text, [])


def test_years_ranges_and_document_numbers():
    assert q("Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?").years == [2023]
    assert q("Giai đoạn 2021 - 2023 đầu tư bao nhiêu?").years == [2021, 2022, 2023]
    assert q("Theo Thông tư 137/2017/TT-BTC thì sao?").years == []  # a year inside a document number
    assert "2063" in q("Theo QĐ 2063 thì tỉnh có bao nhiêu DVC?").doc_numbers
    assert "37" in q("Kế hoạch 37/KH-UBND nói gì?").doc_numbers
    named = q("Theo KH CĐS 2023 tỉnh có bao nhiêu trạm?")
    assert named.doc_years == {2023} and named.report_years == set()
    assert q("báo cáo KTXH năm 2023 ghi bao nhiêu?").report_years == {2023}


@pytest.mark.parametrize(
    ("text", "provinces"),
    [
        ("Trà Vinh có bao nhiêu trạm BTS?", ["trà vinh"]),
        ("tien giang xep hang may", ["tiền giang"]),
        ("Đài VTV Cần Thơ phát sóng bao nhiêu giờ?", []),  # a broadcaster named after a place
        ("Các đơn vị tham gia lại hội nghị bao nhiêu lần?", []),  # "gia lai" only inside other words
        ("Gia Lai có bao nhiêu xã?", ["gia lai"]),
    ],
)
def test_provinces_are_whole_words_from_the_data_file(text, provinces):
    assert q(text).provinces == provinces


def test_every_province_is_in_the_data_file():
    assert len(PROVINCES) == 63 and "hồ chí minh" in PROVINCES and "bà rịa - vũng tàu" in PROVINCES


def test_what_is_counted():
    assert counted_noun("Năm 2023 có bao nhiêu trạm BTS?") == ["tram", "bts"]
    assert counted_noun("Công an tỉnh đầu tư bao nhiêu máy chủ chuyên dụng?") == ["may", "chu", "chuyen"]
    assert counted_noun("Có mấy doanh nghiệp?") == ["doanh", "nghiep"]
    assert counted_noun("Tỉnh có bao nhiêu máy chủ?") == ["may", "chu"]
    assert counted_noun("Sở có mấy máy tính?") == ["may", "tinh"]
    assert counted_noun("Tỷ lệ là bao nhiêu?") == []


def test_a_word_ends_what_is_counted_as_written_not_as_folded():
    # "tài", "cơ", "đảng", "số" fold to "tại", "có", "đang", "so (với)", which end the noun
    assert counted_noun("Tỉnh cấp bao nhiêu tài khoản?") == ["tai", "khoan"]
    assert counted_noun("Có bao nhiêu cơ quan nhà nước kết nối?") == ["co", "quan", "nha"]
    assert counted_noun("Bao nhiêu đảng viên dùng sổ tay?", 6) == ["dang", "vien", "dung", "so", "tay"]
    assert counted_noun("Có bao nhiêu hồ sơ tại cấp xã?") == ["ho", "so"]  # "tại" still ends it
    # typed without accents the two cannot be told apart: the folded words decide, as before
    assert counted_noun("co bao nhieu tai khoan") == []


def test_small_numbers_lists_targets_and_numbers_given():
    levels = q("Có bao nhiêu DVC mức 3 năm 2019?")
    assert levels.small == {3} and levels.years == [2019]
    assert q("Tổng cấp tỉnh, cấp huyện và cấp xã là bao nhiêu?").enumerated == 3
    assert q("Mục tiêu năm 2024 là bao nhiêu?").asks_target
    assert not q("Kết quả năm 2023 là bao nhiêu?").asks_target
    assert q("Với 173.870 hồ sơ tiếp nhận thì còn bao nhiêu?").numbers == [173870.0]


def test_keywords_drop_question_words():
    words = q("Năm 2023 tỉnh có bao nhiêu trạm phát sóng BTS?").keywords
    assert "tram" in words and "bts" in words and "bao" not in words and "nhieu" not in words


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("Tỷ lệ hồ sơ trực tuyến đạt 45%, so với mục tiêu 80% còn thiếu bao nhiêu điểm phần trăm?", [False, True]),
        ("Chỉ tiêu đề ra là 95% thì đã đạt 60% chưa?", [True, False]),
        ("Mục tiêu 95% thì đã đạt 60% chưa?", [True, False]),  # another number ends the clause
        ("Mục tiêu 80%. Đã đạt 45%, còn thiếu bao nhiêu?", [True, False]),
        ("muc tieu 80% thi da dat 45% chua", [True, False]),
        ("Chỉ tiêu cấp huyện và cấp xã là 90% thì sao?", [True]),  # "và" inside a noun phrase
        ("Mục tiêu giảm tỷ lệ hộ nghèo còn 2% thì đã đạt chưa?", [True]),
        ("Mục tiêu: 80% hồ sơ trực tuyến; đã đạt bao nhiêu?", [True]),
        (
            "Kế hoạch đặt mục tiêu tỷ lệ hồ sơ được giải quyết trực tuyến toàn trình đạt 80%, hiện đạt bao nhiêu?",
            [True],
        ),
        ("Với 173.870 hồ sơ thì tỷ lệ trực tuyến là bao nhiêu?", [False]),
    ],
)
def test_which_of_the_question_s_numbers_are_targets(text, targets):
    """A number is a target when its own clause says so, not when the question names one elsewhere."""
    assert q(text).number_target == targets


def test_percentage_points_are_read_in_words_and_signs():
    assert q("Còn cách mục tiêu bao nhiêu điểm phần trăm?").asks_points
    assert q("con cach muc tieu bao nhieu diem %?").asks_points
    assert q("Chênh lệch mấy điểm % so với năm trước?").asks_points
    assert q("Còn cách mục tiêu bao nhiêu điểm (phần trăm)?").asks_points
    assert not q("Tỷ lệ tăng bao nhiêu phần trăm?").asks_points
    assert not q("Có bao nhiêu điểm phục vụ một cửa?").asks_points


@pytest.mark.parametrize(
    "text, parts",
    [
        ("Tỉnh có bao nhiêu máy chủ và bao nhiêu máy trạm?", ["Tỉnh có bao nhiêu máy chủ", "bao nhiêu máy trạm"]),
        ("Hội nghị tổ chức ngày nào, có bao nhiêu đại biểu?", ["Hội nghị tổ chức ngày nào", "có bao nhiêu đại biểu"]),
        # a stretch that asks nothing belongs to the part it leads into
        (
            "Kinh phí chia theo nguồn: trung ương bao nhiêu, địa phương bao nhiêu?",
            ["Kinh phí chia theo nguồn  trung ương bao nhiêu", "địa phương bao nhiêu"],
        ),
        # "còn" goes on asking; it does not start another part
        (
            "Tỷ lệ đạt bao nhiêu, so với mục tiêu thì còn thiếu bao nhiêu?",
            ["Tỷ lệ đạt bao nhiêu", "so với mục tiêu thì còn thiếu bao nhiêu"],
        ),
        ("Vì sao tỷ lệ còn thấp và giải pháp là gì?", ["Vì sao tỷ lệ còn thấp", "giải pháp là gì"]),
        ("tinh co bao nhieu may chu va bao nhieu may tram", ["tinh co bao nhieu may chu", "bao nhieu may tram"]),
        # one thing asked: a list of what is summed, "nhiều" (many), "sao lưu" (backup), "AI", "thì sao"
        ("Tổng số máy chủ và máy trạm là bao nhiêu?", []),
        ("Có nhiều đơn vị đăng ký, bao nhiêu đơn vị đã kết nối?", []),
        ("Dự án sao lưu, phục hồi dữ liệu được bố trí bao nhiêu?", []),
        ("AI được ứng dụng trong những lĩnh vực nào?", []),
        ("Còn năm 2024 thì sao?", []),
        ("tinh co nhieu may chu, bao nhieu may tram?", []),
        # more asking words, and a question mark between two questions
        (
            "Dự án thực hiện trong bao lâu và kinh phí bao nhiêu?",
            ["Dự án thực hiện trong bao lâu", "kinh phí bao nhiêu"],
        ),
        ("Có bao nhiêu trạm BTS? Bao nhiêu trạm 5G?", ["Có bao nhiêu trạm BTS", "Bao nhiêu trạm 5G"]),
        ("BAO NHIÊU TRẠM BTS, Ở ĐÂU?", ["BAO NHIÊU TRẠM BTS", "Ở ĐÂU"]),
        # words that only look like asking: a stretch of time, a star rating, a copy, "cùng kỳ"
        ("Mấy năm gần đây, tỉnh đã đầu tư bao nhiêu dự án?", []),
        ("Sản phẩm OCOP 4 sao, có bao nhiêu sản phẩm?", []),
        ("Văn bản chứng thực bản sao, cấp được bao nhiêu?", []),
        ("Tỷ lệ tăng bao nhiêu so với cùng kỳ năm 2022?", []),
        # five things asked: the last ones join the fourth part, nothing is dropped
        (
            "Vốn trung ương bao nhiêu, tỉnh bao nhiêu, huyện bao nhiêu, xã bao nhiêu, vốn vay bao nhiêu?",
            ["Vốn trung ương bao nhiêu", "tỉnh bao nhiêu", "huyện bao nhiêu", "xã bao nhiêu vốn vay bao nhiêu"],
        ),
    ],
)
def test_the_things_a_question_asks_are_told_apart(text, parts):
    assert asked_parts(text) == parts
    assert analyze(text, []).part_texts == parts


def test_a_part_names_what_it_asks_about_not_its_asking_words():
    assert without_asking("Trạm 5G đặt ở đâu").split() == ["Trạm", "5G", "đặt", "ở"]
    assert without_asking("Có bao nhiêu máy chủ").split() == ["Có", "máy", "chủ"]
    assert without_asking("AI dùng ở lĩnh vực nào").split() == ["AI", "dùng", "ở", "lĩnh", "vực"]
