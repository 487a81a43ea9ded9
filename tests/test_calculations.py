"""Calculations of the default answerer on real passages: parts, shares, gaps, table columns."""

import pytest

from assistant.answering.calculations import computed_answer
from assistant.answering.operands import Candidate, compatible
from assistant.answering.question import analyze
from tests.passages import BoundAnswerer  # noqa: F401
from tests.passages import ask as _ask
from tests.passages import hits as _hits


def test_operations_read_from_the_question():
    assert analyze("Tổng chiều dài cáp đồng (treo + ngầm) của Trà Vinh là bao nhiêu?").operation == "sum"
    assert analyze("Tỷ lệ cán bộ có trình độ (thạc sĩ + đại học) là bao nhiêu?").operation == "percent_of"
    assert analyze("Ước tính số trạm BTS 4G dựa trên tỷ lệ trạm 4G?").operation == "estimate"
    assert analyze("Thời lượng phát thanh bình quân bao nhiêu giờ mỗi ngày?").operation == "average"
    assert analyze("Vì sao mục tiêu 50% cuộc họp trực tuyến chưa đạt?").operation is None


def test_sum_of_the_parts_named_in_parentheses(index_data):
    a = _ask(
        index_data,
        "Tổng chiều dài cáp đồng (treo + ngầm) của Trà Vinh theo báo cáo năm 2023 là bao nhiêu?",
        "5.760,44 km cáp đồng treo",
    )
    assert a.calculation is not None and a.value == pytest.approx(5971.82)
    assert sorted(o.value for o in a.calculation.operands) == [211.38, 5760.44]
    assert all(o.citation for o in a.calculation.operands) and "5.971,82 km" in a.answer


def test_share_picks_the_part_and_the_whole_by_their_names(index_data):
    a = _ask(
        index_data,
        "Chứng thư số cá nhân chiếm bao nhiêu % tổng số chứng thư số đang hoạt động ở Trà Vinh (6 tháng đầu năm 2023)?",
        "3.247 chứng thư số",
    )
    assert a.calculation is not None and a.calculation.expression == "2599 / 3247 * 100"
    assert a.value == pytest.approx(80.04) and a.unit == "%"


def test_missing_part_of_a_ratio_is_total_minus_value(index_data):
    a = _ask(index_data, "Có bao nhiêu doanh nghiệp ở Tiền Giang chưa nộp thuế điện tử?", "5.555/6.066")
    assert a.calculation is not None and a.calculation.expression == "6066 - 5555" and a.value == 511
    assert len(a.citations) == 1 and "5.555/6.066" in a.citations[0].quote


def test_sum_of_a_table_column(index_data):
    a = _ask(
        index_data,
        "Tổng mức đầu tư của 3 nhiệm vụ/dự án CNTT hoàn thành năm 2019 (Phụ lục 01 QĐ 2063) là bao nhiêu?",
        "47.803\t33.223",
    )
    assert a.calculation is not None and a.value == pytest.approx(75756)
    assert len(a.calculation.operands) == 3 and len(a.citations) == 3


def test_estimate_from_a_count_and_its_share(index_data):
    a = _ask(
        index_data,
        "Ước tính số trạm BTS 4G của Trà Vinh năm 2022 dựa trên tỷ lệ trạm 4G trong tổng số trạm BTS?",
        "86,18%",
    )
    assert a.calculation is not None and a.calculation.expression == "1208 * 86.18 / 100"
    assert a.value == pytest.approx(1041.05, abs=0.01)


def test_per_day_average_of_a_yearly_target(index_data):
    a = _ask(
        index_data,
        "Chỉ tiêu thời lượng phát thanh tiếng dân tộc năm 2024 của Trà Vinh tương đương bình quân "
        "bao nhiêu giờ mỗi ngày?",
        "Thời lượng phát thanh bằng tiếng dân tộc\tGiờ/năm",
    )
    assert a.calculation is not None and a.value == pytest.approx(1.5)


def test_a_count_and_an_amount_of_money_never_combine(index_data):
    data, _ = index_data
    hits = _hits(data, "03 Chương trình mục tiêu quốc gia", "336,6 triệu đồng")
    answerer = BoundAnswerer(*index_data)
    programs = next(Candidate(f, hits[0], 1.0) for f in answerer.figures[hits[0].chunk.id] if f["raw"] == "03")
    money = next(Candidate(f, hits[1], 1.0) for f in answerer.figures[hits[1].chunk.id] if f["raw"] == "336,6")
    assert not compatible(programs, money)


def test_a_stated_share_is_not_recomputed(index_data):
    data, settings = index_data
    answerer = BoundAnswerer(data, settings)
    q = answerer.analyze("DVCTT toàn trình chiếm tỷ lệ bao nhiêu trong tổng số DVC của Trà Vinh năm 2023?")
    hits = _hits(data, "1.057 dịch vụ công trực tuyến toàn trình (chiếm tỷ lệ 57,96%)")
    a = computed_answer(answerer, q, hits)  # "(chiếm tỷ lệ 57,96%)" is the answer: no calculation
    assert a.calculation is None and a.value == pytest.approx(57.96) and "57,96%" in a.answer


def test_parts_are_scopes_and_the_head_picks_inside_them(index_data):
    # "mức độ 3 tiếp nhận 65.451 hồ sơ, trong đó …, 87 nộp trực tuyến; mức độ 4 … 2.105 trực tuyến"
    a = _ask(
        index_data,
        "Tổng số hồ sơ nộp trực tuyến qua DVC mức 3 và mức 4 năm 2019 ở Trà Vinh là bao nhiêu?",
        "87 nộp trực tuyến",
    )
    assert a.calculation is not None and a.calculation.expression == "87 + 2105" and a.value == 2192


def test_a_sub_item_named_by_the_head_beats_its_parent(index_data):
    # "(vốn ngân sách trung ương: 2.717 …, trong đó: vốn đầu tư phát triển: 2.244 …; vốn ngân sách
    # tỉnh: 407,6 … trong đó vốn đầu tư: 336,6 …)"
    a = _ask(
        index_data,
        "Tổng vốn đầu tư phát triển (trung ương + tỉnh) năm 2023 cho Tiểu dự án 2 thuộc CTMTQG "
        "vùng DTTS&MN do Sở TT&TT Trà Vinh thực hiện là bao nhiêu?",
        "vốn đầu tư: 336,6 triệu đồng",
    )
    assert a.calculation is not None and a.calculation.expression == "2244 + 336.6"


def test_point_gap_skips_other_targets_and_attainment_rates(index_data):
    # "tối thiểu 70% TTHC …; tối thiểu 50% hồ sơ …" are targets; "(đạt 31,32% so với mục tiêu …)"
    # is how much of the target was reached: the actual share is 15,66%.
    a = _ask(
        index_data,
        "So với chỉ tiêu tối thiểu 50% hồ sơ nộp trực tuyến đặt ra trong KH CĐS 2023, tỷ lệ thực tế "
        "năm 2022 của Trà Vinh còn thiếu bao nhiêu điểm phần trăm?",
        "tối thiểu 70% TTHC có phát sinh hồ sơ nộp trực tuyến",
        "15,66% hồ sơ tiếp nhận và giải quyết",
    )
    assert a.calculation is not None and a.calculation.expression == "50 - 15.66"
    assert a.value == pytest.approx(34.34)


def test_share_asked_to_compute_ignores_an_unasked_level(index_data):
    # The whole year (288.374 hồ sơ, 45.173 trực tuyến), not "dịch vụ công mức 3 tiếp nhận 107.550 hồ sơ".
    a = _ask(
        index_data,
        "Từ số hồ sơ Cổng DVC Trà Vinh tiếp nhận năm 2022 và số hồ sơ nộp trực tuyến, hãy tính tỷ lệ hồ sơ trực tuyến.",
        "45.173 trực tuyến",
    )
    assert a.calculation is not None and a.calculation.expression == "45173 / 288374 * 100"


@pytest.mark.parametrize(
    "question, needle, expected",
    [
        (
            "Cộng cả kinh phí năm 2022 chuyển sang, tổng kinh phí Chương trình mục tiêu quốc gia Giảm nghèo "
            "bền vững của Sở TT&TT Trà Vinh trong năm 2023 là bao nhiêu?",
            "1.459 triệu đồng",
            5400.1,
        ),
        (
            "Cộng cả kinh phí năm 2022 chuyển sang, Sở TT&TT Trà Vinh có tổng cộng bao nhiêu kinh phí Chương trình "
            "mục tiêu quốc gia Xây dựng nông thôn mới trong năm 2023?",
            "200 triệu đồng và năm 2023 được cấp",
            400,
        ),
    ],
)
def test_carried_over_money_plus_the_money_granted_under_the_named_programme(index_data, question, needle, expected):
    a = _ask(index_data, question, needle, "1.446 triệu đồng")
    assert a.calculation is not None and a.value == pytest.approx(expected)
    assert len(a.calculation.operands) == 2
