"""Calendar arithmetic: averages over the period a figure's row spans, yearly rates per day."""

from __future__ import annotations

import pytest

from assistant.answering.calculation_candidates import calculation_candidates
from assistant.answering.figure_candidates import figure_candidates
from assistant.answering.periods import asked_time, says_yearly, time_base, without_base, years_spanned
from tests.passages import evidence_for, reading_context


@pytest.mark.parametrize(
    "text, years",
    [
        ("Thuê dịch vụ lưu trữ\tSở TTTT\t2021-2023\t1.200", 3),
        ("giai đoạn 2021 – 2025", 5),
        ("từ năm 2016 đến năm 2024", 9),
        ("Tu nam 2019 den het nam 2020", 2),
        ("năm 2022 đạt 45%", None),
        ("Quyết định 45/2020-2022", None),  # not a period: part of a number
        ("2025-2021", None),  # backwards
        ("1990-2040", None),  # longer than any plan period
        ("năm học 2023-2024", None),  # a school year is one year
        ("niên vụ 2022-2023", None),
        ("mã 2020-2024-01", None),  # a code
        ("giai đoạn 2021—2025", 5),  # em dash
        ("giai đoạn 2021 đến 2025", 5),
        ("từ năm 2016 tới năm 2020", 5),
        ("từ năm 2016 đến năm 2020, giai đoạn 2021-2023", 5),  # the first one written
    ],
)
def test_years_spanned(text, years):
    assert years_spanned(text) == years


@pytest.mark.parametrize(
    "unit, base, rest",
    [
        ("Giờ/năm", "nam", "Giờ"),
        ("lượt / tháng", "thang", "lượt"),
        ("lượt/người/năm", "nam", "lượt/người"),
        ("triệu đồng", None, "triệu đồng"),
        (None, None, None),
        ("/", None, "/"),
    ],
)
def test_time_base(unit, base, rest):
    assert time_base(unit) == base
    assert without_base(unit) == rest


@pytest.mark.parametrize(
    "question, per, asked",
    [
        ("Bình quân mỗi ngày bao nhiêu giờ?", ["ngay"], "ngay"),
        ("Chia đều theo năm thì mỗi năm bao nhiêu tiền?", [], "nam"),
        ("Hằng tháng tiếp nhận bao nhiêu hồ sơ?", [], "thang"),
        ("bao nhieu luot/ngay", [], "ngay"),
        ("Theo năm 2023 thì có bao nhiêu hồ sơ?", [], None),  # a year, not a unit of time
        ("Tính theo năm, 2023 có bao nhiêu hồ sơ?", [], None),
        ("Bình quân mỗi cơ quan bao nhiêu máy?", ["co", "quan"], None),
        ("Số thuê bao phát triển mới tháng này?", [], None),  # "mới" (new) is not "mỗi"
        ("Doanh nghiệp thành lập mới năm nay là bao nhiêu?", [], None),
        ("Trên Nam Bộ có bao nhiêu trạm?", [], None),  # a region
        ("Ngày/tháng ban hành kế hoạch?", [], None),
        ("Chia theo quý I/2023 thì sao?", [], None),
        ("Số học sinh theo năm học 2023-2024?", [], None),
        ("Bình quân mỗi ngày công bao nhiêu hồ sơ?", ["ngay", "cong"], None),
        ("moi thang bao nhieu ho so", ["thang"], "thang"),
    ],
)
def test_asked_time(question, per, asked):
    assert asked_time(question, per) == asked


PLAN = """KẾ HOẠCH
Ứng dụng công nghệ thông tin tỉnh Vĩnh Long

I. DANH MỤC NHIỆM VỤ

STT\tNhiệm vụ\tThời gian thực hiện\tKinh phí (triệu đồng)
1\tThuê dịch vụ lưu trữ dữ liệu tập trung\t2021-2023\t1.200
2\tĐào tạo kỹ năng số cho công chức\t2022\t450

Giai đoạn 2021-2025 tổ chức 2 hội nghị chuyển đổi số mỗi năm.
Giai đoạn 2021-2025 đầu tư 500 tỷ đồng cho hạ tầng số, riêng năm 2023 là 120 tỷ đồng.
Tốc độ tăng trưởng kinh tế số đạt 12%/năm trong giai đoạn 2021-2025.

II. CHỈ TIÊU

STT\tChỉ tiêu\tĐơn vị tính\tKế hoạch năm 2025
1\tThời lượng phát sóng chương trình địa phương\tGiờ/năm\t730
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return reading_context(tmp_path_factory.mktemp("periods"), {"ke-hoach-vinh-long.txt": PLAN})


def _averages(setup, question):
    ev = evidence_for(setup, question, {"computed": 1.0}, {"ratio": 1.0})
    figures = figure_candidates(ev)
    for c in figures:
        c.features["stage1"] = 1.0
    return [c for c in calculation_candidates(ev, figures) if c.operation == "average"]


def test_a_figure_is_averaged_over_the_years_its_row_spans(setup):
    found = _averages(setup, "Thuê dịch vụ lưu trữ dữ liệu tập trung bình quân mỗi năm bao nhiêu tiền?")
    by_expression = {c.expression: c for c in found}
    right = by_expression["1200 / 3"]
    assert right.value == pytest.approx(400.0) and right.unit == "triệu đồng/năm"
    assert right.features["per_time"] == 1.0 and right.features["span_years"] == 3.0
    assert right.terms[1].figure is None  # the 3 years are the calendar's, not a stated figure
    assert not any(c.expression.startswith("450 /") for c in found)  # one year: nothing to average over


def test_a_yearly_rate_per_the_unit_of_time_asked(setup):
    found = _averages(setup, "Thời lượng phát sóng chương trình địa phương quy ra mỗi ngày mấy giờ?")
    right = next(c for c in found if c.expression == "730 / 365")
    assert right.value == pytest.approx(2.0) and right.unit == "giờ/ngày"
    assert right.features["per_time"] == 1.0 and right.features["yearly_rate"] == 1.0
    assert not any(c.expression == "730 / 12" for c in found)  # only the unit the question asks


def test_no_conversion_when_no_unit_of_time_is_asked(setup):
    found = _averages(setup, "Thời lượng phát sóng chương trình địa phương kế hoạch năm 2025 là bao nhiêu?")
    assert not any(c.expression.endswith("/ 365") for c in found)
    assert all(c.features["per_time"] == 0.0 for c in found)


def test_no_average_of_a_rate_a_yearly_figure_or_a_single_year(setup):
    found = _averages(
        setup, "Giai đoạn 2021-2025 bình quân mỗi năm hội nghị, đầu tư hạ tầng số, tăng trưởng bao nhiêu?"
    )
    expressions = {c.expression for c in found}
    assert "500 / 5" in expressions  # the period's total, averaged over its years
    assert "2 / 5" not in expressions  # already "mỗi năm"
    assert "120 / 5" not in expressions  # the figure of one year
    assert not any(e.startswith("12 /") for e in expressions)  # a percentage per year


def test_says_yearly():
    assert says_yearly("2 hội nghị chuyển đổi số mỗi năm")
    assert says_yearly("bình quân 500 lượt")
    assert not says_yearly("đầu tư 500 tỷ đồng cho hạ tầng số")
