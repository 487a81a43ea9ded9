"""Follow-up questions read against the previous one by their grammar: a new topic replaces its
sibling, a question of its own is searched with what the previous one was about, a question that
names its own subject is left alone. Questions written here, about an invented province report."""

from __future__ import annotations

import pytest

from assistant.conversation import resolve, resolve_turn, standalone
from assistant.pipeline import Pipeline
from tests.conftest import invented_pipeline

LEVELS = "Năm 2025 tỉnh Hậu Giang có bao nhiêu dịch vụ công trực tuyến mức 3?"


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        # a year for a year — not the year in a document's name
        (LEVELS, "còn năm 2024 thì sao?", "Năm 2024 tỉnh Hậu Giang có bao nhiêu dịch vụ công trực tuyến mức 3?"),
        (
            "Theo KH CĐS 2025, năm 2024 toàn tỉnh có bao nhiêu trạm BTS?",
            "con nam 2023 thi sao",
            "Theo KH CĐS 2025, năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
        ),
        # a level for a level, an administrative tier for a tier (the same head word)
        (LEVELS, "thế còn DVC mức 4 thì sao?", "Năm 2025 tỉnh Hậu Giang có bao nhiêu dịch vụ công trực tuyến mức 4?"),
        (
            "Năm 2025, tỷ lệ văn bản cấp tỉnh được ký số là bao nhiêu?",
            "Còn cấp xã thì được bao nhiêu %?",
            "Năm 2025, tỷ lệ văn bản cấp xã được ký số là bao nhiêu?",
        ),
        # a narrower kind of the same thing keeps what the follow-up adds
        (
            "Trung tâm dữ liệu tỉnh Hậu Giang có bao nhiêu máy chủ?",
            "còn máy chủ ảo thì có mấy cái?",
            "Trung tâm dữ liệu tỉnh Hậu Giang có bao nhiêu máy chủ ảo — có mấy cái?",
        ),
    ],
)
def test_a_new_topic_replaces_its_sibling(previous, follow_up, expected):
    resolved = resolve(follow_up, [previous])
    assert resolved.question == expected and resolved.search == expected


def test_a_question_of_its_own_is_searched_with_the_previous_subject():
    previous = "Năm 2025 tỉnh Hậu Giang có bao nhiêu đơn vị dùng hệ thống quản lý văn bản?"
    resolved = resolve("trong đó bao nhiêu đơn vị cấp xã?", [previous])
    assert resolved.question == "trong đó bao nhiêu đơn vị cấp xã?"  # answered as asked
    # searched with what the previous question was about, without its asking words ("đơn vị" kept)
    assert resolved.search == (
        "trong đó bao nhiêu đơn vị cấp xã? (Năm 2025 tỉnh Hậu Giang có đơn vị dùng hệ thống quản lý văn bản)"
    )
    anaphor = resolve("đơn vị nào chủ trì dự án đó?", ["Dự án trung tâm dữ liệu có tổng mức đầu tư bao nhiêu?"])
    assert anaphor.question == "đơn vị nào chủ trì dự án đó?"
    assert "Dự án trung tâm dữ liệu có tổng mức đầu tư" in anaphor.search


def test_a_topic_without_asking_words_inherits_the_previous_question():
    previous = "6 tháng đầu năm 2025 hệ thống một cửa điện tử tiếp nhận bao nhiêu hồ sơ?"
    resolved = resolve("thế còn dịch vụ công toàn trình?", [previous])
    assert resolved.question == f"{previous.rstrip('?')} — dịch vụ công toàn trình?"
    # with a sibling to replace ("dịch vụ công một phần"), the topic takes its place
    sibling = "6 tháng đầu năm 2025 dịch vụ công một phần tiếp nhận bao nhiêu hồ sơ?"
    assert resolve("thế còn dịch vụ công toàn trình?", [sibling]).question == (
        "6 tháng đầu năm 2025 dịch vụ công toàn trình tiếp nhận bao nhiêu hồ sơ?"
    )


@pytest.mark.parametrize(
    "question",
    [
        "Tiền Giang có bao nhiêu doanh nghiệp CNTT?",  # names a province
        "Có bao nhiêu trạm 5G?",  # names a figure of its own
        "Tỷ lệ hộ gia đình có Internet cáp quang băng rộng năm 2025 là bao nhiêu?",  # long, a year
    ],
)
def test_a_question_that_names_its_own_subject_is_left_alone(question):
    assert resolve(question, [LEVELS]) == resolve(question, [])
    assert standalone(question, [LEVELS]) == question


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        (
            "Năm 2025 tỉnh Hậu Giang chi bao nhiêu tỷ đồng cho chuyển đổi số?",
            "Vậy tăng bao nhiêu % so với năm 2024?",
            "Năm 2025 tỉnh Hậu Giang chi bao nhiêu tỷ đồng cho chuyển đổi số — tăng bao nhiêu % so với năm 2024?",
        ),
        (
            "Năm 2024 tỷ lệ văn bản cấp xã được ký số là bao nhiêu?",
            "so với chỉ tiêu năm 2025 thì còn thiếu mấy điểm phần trăm?",
            "Năm 2024 tỷ lệ văn bản cấp xã được ký số là bao nhiêu — so với chỉ tiêu năm 2025 thì còn thiếu mấy"
            " điểm phần trăm?",
        ),
        (
            "Nam 2025 tinh co bao nhieu tram BTS?",
            "vay giam bao nhieu so voi nam 2024?",
            "Nam 2025 tinh co bao nhieu tram BTS — giam bao nhieu so voi nam 2024?",
        ),
    ],
)
def test_a_year_compared_with_is_not_a_new_period(previous, follow_up, expected):
    """The year after "so với" in a comparison is its other side: the previous question keeps its
    own year, and the whole comparison is read with it."""
    resolved = resolve(follow_up, [previous])
    assert resolved.question == expected and resolved.search == expected


SPENDING = "Năm 2025 tỉnh chi bao nhiêu tỷ đồng cho chuyển đổi số?"


@pytest.mark.parametrize(
    "follow_up, year",
    [
        # the period asked is the year outside the comparison, even when the standard is that year too
        ("Còn năm 2024 thì tăng bao nhiêu so với KH 2024?", "2024"),
        ("So với kế hoạch năm 2024 thì năm 2024 tăng bao nhiêu?", "2024"),
        # "số với", "sơ với" are not "so với"
        ("Còn chi cho chuyển đổi số với lĩnh vực y tế năm 2024 tăng bao nhiêu?", "2024"),
        ("Còn hồ sơ với mức độ 4 năm 2024 tăng bao nhiêu?", "2024"),
        # the clause of "so với" runs past "thi đua", an abbreviation's stop and a list of years
        ("Vậy vượt bao nhiêu so với chỉ tiêu thi đua năm 2024?", "2025"),
        ("Vậy cao hơn bao nhiêu so với TP. Cần Thơ năm 2024?", "2025"),
        ("Vậy tăng bao nhiêu so với các năm 2022, 2023?", "2025"),
        # "đạt", "gấp", "chênh lệch" compare; a follow-up without a connective is one too
        ("Vậy đạt bao nhiêu % so với chỉ tiêu năm 2024?", "2025"),
        ("Gấp mấy lần so với năm 2020?", "2025"),
        ("Chênh lệch so với năm 2023 là bao nhiêu?", "2025"),
        # "tăng cường", "giám sát" (typed without diacritics) compare nothing: the year is the period
        ("So với năm 2024 thì kinh phí tăng cường hạ tầng là bao nhiêu?", "2024"),
        ("so voi nam 2024 thi kinh phi giam sat la bao nhieu?", "2024"),
    ],
)
def test_the_period_and_the_standard_of_a_comparison(follow_up, year):
    resolved = resolve(follow_up, [SPENDING])
    assert resolved.question.startswith(f"Năm {year} tỉnh chi"), resolved.question


def test_a_new_standard_replaces_the_previous_one():
    history = [SPENDING, "Vậy tăng bao nhiêu % so với năm 2024?"]
    assert resolve_turn("Vậy so với năm 2023 thì tăng bao nhiêu %?", history).question == (
        "Năm 2025 tỉnh chi bao nhiêu tỷ đồng cho chuyển đổi số — tăng bao nhiêu % so với năm 2023?"
    )


def test_a_year_after_so_voi_without_a_comparison_is_the_period_asked():
    """ "so với năm 2024 thì tỷ lệ này là bao nhiêu?" compares nothing: it asks 2024's figure."""
    previous = "Năm 2025 tỷ lệ văn bản cấp xã được ký số là bao nhiêu?"
    resolved = resolve("so với năm 2024 thì tỷ lệ này là bao nhiêu?", [previous])
    assert "Năm 2024 tỷ lệ văn bản cấp xã" in resolved.question


def test_asking_words_do_not_make_a_follow_up_long():
    """ "Tương đương tăng bao nhiêu phần trăm?" names nothing of its own: seven words, two of them
    asking, still a follow-up (searched with the previous subject)."""
    previous = "Năm 2025 tỉnh Hậu Giang chi bao nhiêu tỷ đồng cho chuyển đổi số?"
    resolved = resolve("Tương đương tăng bao nhiêu phần trăm?", [previous])
    assert resolved.search.startswith("Tương đương tăng bao nhiêu phần trăm? (")
    assert "chuyển đổi số" in resolved.search
    # seven words of its own are a question of its own
    own = "Tỷ lệ hộ gia đình dùng cáp quang là bao nhiêu?"
    assert resolve(own, [previous]) == resolve(own, [])


def test_each_turn_is_completed_in_turn():
    history = [LEVELS, "còn mức 4 thì sao?"]
    assert standalone("còn năm 2024 thì sao?", history) == (
        "Năm 2024 tỉnh Hậu Giang có bao nhiêu dịch vụ công trực tuyến mức 4?"
    )
    assert resolve_turn("Có bao nhiêu trạm 5G?", history).search == "Có bao nhiêu trạm 5G?"


@pytest.mark.parametrize(
    "previous, follow_up, expected",
    [
        # the year of the period is replaced where it stands, not its first digits elsewhere
        (
            "Theo QĐ 12/2025/QĐ-UBND, năm 2025 có bao nhiêu trạm?",
            "còn năm 2024 thì sao?",
            "Theo QĐ 12/2025/QĐ-UBND, năm 2024 có bao nhiêu trạm?",
        ),
        ("Mã 12025 năm 2025 có bao nhiêu trạm?", "còn năm 2024 thì sao?", "Mã 12025 năm 2024 có bao nhiêu trạm?"),
        # "thị" is not "thì"; "cấp cho" is a verb, the phrase is "cấp tỉnh"
        (
            "Năm 2025 tỉnh có bao nhiêu dự án khu công nghiệp?",
            "còn khu đô thị thì bao nhiêu?",
            "Năm 2025 tỉnh có bao nhiêu dự án khu đô thị?",
        ),
        (
            "Kinh phí cấp cho cấp tỉnh năm 2025 là bao nhiêu?",
            "Còn cấp xã thì sao?",
            "Kinh phí cấp cho cấp xã năm 2025 là bao nhiêu?",
        ),
        # the value of a level is its number, however the level is named
        (
            "Năm 2022 tỉnh cung cấp bao nhiêu dịch vụ công trực tuyến mức độ 3?",
            "thế còn mức 4?",
            "Năm 2022 tỉnh cung cấp bao nhiêu dịch vụ công trực tuyến mức 4?",
        ),
        # "thì sao?" alone asks the previous question again
        (LEVELS, "thì sao?", LEVELS),
    ],
)
def test_replacements_land_where_the_sibling_stands(previous, follow_up, expected):
    assert standalone(follow_up, [previous]) == expected


def test_odd_histories_and_questions():
    import unicodedata

    # an empty or blank turn (an image-only message of a chat client) is skipped
    cable = "Tổng chiều dài cáp quang trên địa bàn tỉnh Trà Vinh là bao nhiêu km?"
    assert standalone("thế còn cáp quang treo?", [cable, ""]) == standalone("thế còn cáp quang treo?", [cable])
    assert resolve("còn năm 2024 thì sao?", ["  ", "???"]) == resolve("còn năm 2024 thì sao?", [])
    # a previous question in decomposed Unicode reads as its NFC form
    nfd = unicodedata.normalize("NFD", "Theo Kế hoạch chuyển đổi số 2025, năm 2024 có bao nhiêu trạm?")
    assert standalone("còn năm 2023 thì sao?", [nfd]) == "Theo Kế hoạch chuyển đổi số 2025, năm 2023 có bao nhiêu trạm?"
    # questions ending in "sao" that are not "thì sao" stand alone
    for question in ("Năm 2024 tỉnh Trà Vinh có bao nhiêu hồ sơ chứng thực bản sao?", "Có bao nhiêu khách sạn 5 sao?"):
        assert resolve(question, [LEVELS]) == resolve(question, [])
    # a long previous question or follow-up stays within bounds
    long = resolve("trong đó bao nhiêu đơn vị cấp xã?", ["Dự án " + "rất dài " * 400 + "có bao nhiêu đơn vị?"])
    assert len(long.search) < 1500 and long.question == "trong đó bao nhiêu đơn vị cấp xã?"
    assert resolve("còn " + "năm 2024 " * 200 + "thì sao?", [LEVELS]).question.startswith("còn năm 2024")


def test_a_follow_up_of_a_follow_up_keeps_the_subject():
    history = [
        "6 tháng đầu năm 2025 hệ thống một cửa điện tử tiếp nhận bao nhiêu hồ sơ?",
        "trong đó bao nhiêu hồ sơ trực tuyến?",
    ]
    resolved = resolve_turn("còn năm 2024 thì sao?", history)
    assert "2024" in resolved.search and "một cửa điện tử" in resolved.search and "trực tuyến" in resolved.search


REPORT = """BÁO CÁO
Kết quả chuyển đổi số tỉnh Hậu Giang năm 2025

I. HẠ TẦNG SỐ
- Toàn tỉnh có 1.876 trạm phát sóng di động (BTS), trong đó 642 trạm 5G.
- Hệ thống quản lý văn bản có 412 đơn vị sử dụng: cấp tỉnh 58 đơn vị, cấp huyện 129 đơn vị, cấp xã 225 đơn vị.

II. AN TOÀN THÔNG TIN
- Trung tâm giám sát an toàn thông tin do Sở Thông tin và Truyền thông chủ trì vận hành từ tháng 3/2025.
"""

OTHER = """KẾ HOẠCH
Phát triển viễn thông tỉnh Sóc Trăng năm 2026

- Toàn tỉnh Sóc Trăng có 1.532 trạm phát sóng di động (BTS), trong đó 300 trạm 5G.
- Xây dựng 12 điểm truy cập Internet công cộng tại các huyện.
"""


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    documents = {"bao-cao-hau-giang-2025.txt": REPORT, "ke-hoach-soc-trang-2026.txt": OTHER}
    return invented_pipeline(tmp_path_factory.mktemp("conversation"), documents)


def test_a_follow_up_is_answered_from_the_passage_of_the_previous_question(pipeline):
    """Both reports count 5G stations: "trong đó" means the province the previous question named."""
    for province, total, part, document in (
        ("Hậu Giang", 1876, 642, "bao-cao-hau-giang-2025.txt"),
        ("Sóc Trăng", 1532, 300, "ke-hoach-soc-trang-2026.txt"),
    ):
        first = f"Tỉnh {province} có bao nhiêu trạm phát sóng di động BTS?"
        assert pipeline.ask(first).value == total
        follow = pipeline.ask("trong đó có bao nhiêu trạm 5G?", history=[first])
        assert follow.question == "trong đó có bao nhiêu trạm 5G?"
        assert not follow.abstained and follow.value == part, follow.answer
        assert follow.citations[0].document == document
