"""Vietnamese number parsing, formatting and finding (examples are copied from documents/)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.vietnamese.number_finder import NumberMatch, find_numbers
from assistant.vietnamese.numbers import format_number, format_percent, parse_number, scale_of

FAST = settings(max_examples=200, deadline=None)


# --- parse_number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("31.888,142", 31888.142),
        ("59,25", 59.25),
        ("59,25%", 59.25),
        ("1.222", 1222),
        ("1.222.333", 1222333),
        ("02", 2),
        ("0,5", 0.5),
        ("547,5", 547.5),
        ("1222", 1222),
        ("59.25", 59.25),  # a dot before 2 digits cannot group thousands
        ("1.2345", 1.2345),
        ("-5", -5),
        ("−1.000", -1000),
        (" 72.524 ", 72524),
    ],
)
def test_parse_number(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text", ["", "abc", "1,222.5", "1,2,3", "1.22.333", "12.3456.789", "4G", "27/63", "1.2.3", "%", "--1"]
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


# --- format_number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1222, None, "1.222"),
        (59.25, None, "59,25"),
        (31888.142, None, "31.888,142"),
        (-5, None, "-5"),
        (0, None, "0"),
        (-0.0, None, "0"),
        (1222333.5, None, "1.222.333,5"),
        (5, 2, "5,00"),
        (2.675, 2, "2,68"),  # half-up on the decimal as written, not on the binary float
        (-0.004, 2, "0,00"),
        (0.1 + 0.2, None, "0,3"),
        (56.889128094725514, 1, "56,9"),
    ],
)
def test_format_number(value: float, decimals: int | None, text: str) -> None:
    assert format_number(value, decimals) == text


def test_format_percent() -> None:
    assert format_percent(59.25) == "59,25%"
    assert format_percent(100) == "100%"
    assert format_percent(56.889128, 2) == "56,89%"


def test_format_number_rejects_non_finite() -> None:
    with pytest.raises(ValueError):
        format_number(float("nan"))
    with pytest.raises(ValueError):
        format_number(float("inf"))


@FAST
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_integers_round_trip(n: int) -> None:
    assert parse_number(format_number(n)) == n


@FAST
@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=3))
def test_decimals_round_trip(units: int, places: int) -> None:
    value = float(Decimal(units).scaleb(-places))
    assert parse_number(format_number(value)) == value


@FAST
@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=0, max_value=2))
def test_percent_round_trip(units: int, places: int) -> None:
    value = float(Decimal(units).scaleb(-places))
    text = format_percent(value)
    assert text.endswith("%")
    assert parse_number(text) == value


@FAST
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_fixed_decimals_round_trip(value: float, places: int) -> None:
    text = format_number(value, places)
    assert len(text.partition(",")[2]) == places
    assert abs(parse_number(text) - value) <= 0.5 * 10**-places + 1e-9 * abs(value)  # type: ignore[operator]


@FAST
@given(st.integers(min_value=1, max_value=10**9))
def test_found_in_text(n: int) -> None:
    text = f"Toàn tỉnh có {format_number(n)} trạm thu, phát sóng."
    [m] = find_numbers(text)
    assert m.value == n and m.unit == "trạm" and text[m.start : m.end] == m.raw


def test_scale_of() -> None:
    assert scale_of("tỷ đồng") == 1e9
    assert scale_of("triệu đồng") == 1e6
    assert scale_of("nghìn người") == 1e3
    assert scale_of("trạm") == 1
    assert scale_of(None) == 1


# --- find_numbers on real sentences ---------------------------------------------------------


def _by_raw(text: str) -> dict[str, NumberMatch]:
    found = find_numbers(text)
    for m in found:
        assert text[m.start : m.end] == m.raw
    return {m.raw: m for m in found}


def test_public_services_sentence() -> None:
    # tra-vinh-ke-hoach-ktxh-tttt-2024.txt, offset 2244
    text = (
        "+ Hệ thống thông tin giải quyết thủ tục hành chính tỉnh (<https://dichvucong.travinh.gov.vn/>): "
        "cung cấp 1.858 dịch vụ công, trong đó: 551 dịch vụ công trực tuyến một phần (chiếm tỷ lệ "
        "29,65%), 1.057 dịch vụ công trực tuyến toàn trình (chiếm tỷ lệ 57,96%). Rà soát, công khai "
        "1.858 TTHC và tích hợp 953 dịch vụ công trực tuyến trên Cổng dịch vụ công quốc gia."
    )
    found = find_numbers(text)
    assert [m.raw for m in found] == ["1.858", "551", "29,65%", "1.057", "57,96%", "1.858", "953"]
    by = _by_raw(text)
    assert by["1.057"].value == 1057 and by["1.057"].kind == "quantity" and by["1.057"].unit == "dịch vụ"
    assert by["29,65%"].value == 29.65 and by["29,65%"].is_percent and by["29,65%"].kind == "percent"
    assert by["29,65%"].qualifier == "chiếm"
    assert found[5].unit == "TTHC"


def test_telecom_infrastructure_sentence() -> None:
    # tra-vinh-ke-hoach-ktxh-tttt-2024.txt, offset 787 (excerpt)
    text = (
        "Toàn tỉnh có 90.923 cột treo cáp; 31.888,142 km cáp quang treo; 186,75 km cáp quang ngầm; "
        "5.760,44 km cáp đồng treo; 211,38 km cáp đồng ngầm; 1.637 bể cáp và 1.222 trạm thu, phát sóng "
        "thông tin di động (BTS); mạng Internet băng rộng cáp quang được phát triển đến 100% xã, phường, "
        "thị trấn; 100% xã, phường, thị trấn được phủ sóng di động 3G, 4G, đảm bảo cung cấp kết nối mạng "
        "cho các tổ chức, cá nhân trên địa bàn tỉnh...Đang triển khai phát sóng thử nghiệm 02 trạm 5G "
        "tại thành phố Trà Vinh."
    )
    values = [(m.value, m.unit) for m in find_numbers(text)]
    assert values == [
        (90923, "cột"),
        (31888.142, "km"),
        (186.75, "km"),
        (5760.44, "km"),
        (211.38, "km"),
        (1637, "bể"),
        (1222, "trạm"),
        (100, "%"),
        (100, "%"),
        (2, "trạm"),
    ]
    assert next(m for m in find_numbers(text) if m.raw == "100%").qualifier == "đến"


def test_documents_dates_and_years_are_not_quantities() -> None:
    # tra-vinh-ke-hoach-ktxh-tttt-2024.txt, the opening paragraph
    text = (
        "Thực hiện Công văn số 1045/SKHĐT-THKTKG ngày 06/6/2023 của Sở Kế hoạch và Đầu tư về việc đánh "
        "giá kết quả thực hiện Kế hoạch phát triển kinh tế - xã hội năm 2023"
    )
    assert [(m.raw, m.kind) for m in find_numbers(text)] == [("06/6/2023", "date"), ("2023", "year")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Số: 2063/QĐ-UBND", []),
        ("Trà Vinh, ngày 21 tháng 4 năm 2020", [("21", "date"), ("4", "date"), ("2020", "year")]),
        ("Nghị quyết 36-NQ/TW ngày 01/7/2014 của Bộ Chính trị", [("01/7/2014", "date")]),
        ("theo Thông tư 01/2018/TT-VPCP ngày 23/11/2018", [("23/11/2018", "date")]),
        ("theo Quyết định số 2392 ngày 25/12/2017 của Bộ", [("25/12/2017", "date")]),
        ("theo Tiêu chuẩn TCVN 9001:2015 tại cơ quan", []),
        ("Xây dựng Kiến trúc chính quyền điện tử 2.0", []),
        ("tỉnh Tiền Giang, phiên bản 1.0²; Khung kiến trúc", []),
        ("1.1. Về cải thiện điểm chỉ số hạ tầng", []),
        ("\n2.1.3. Ứng dụng công nghệ thông tin trong các ngành", []),
        ("(1) CSDL quốc gia về Đăng ký doanh nghiệp", []),
        ("Điều 1.5 của Quy chế", []),
        ("tình hình dịch bệnh Covid-19; 100% các trường", [("100%", "percent")]),
        ("Quý II/2020", [("2020", "date")]),
        ("UBND tỉnh chọn ngày 10/10 hàng năm là Ngày chuyển đổi số", [("10/10", "date")]),
        ("tuyên truyền Ngày Sách và Văn hóa đọc Việt Nam 21/4; Quyết định", [("21/4", "date")]),
        ("tăng 43 hồ sơ so với tháng 9/2022.", [("43", "quantity"), ("9/2022", "date")]),
        ("hiện có 02/12 bệnh viện đã triển khai", [("02/12", "ratio")]),
        ("sử dụng IPv6 cho các hệ thống; mạng 4G, 5G", []),
        ("Cổng (<https://dichvucong.tiengiang.gov.vn>) đã cung cấp", []),
        ("(http://mail.travinh.gov.vn ) phục vụ", []),
        ("dịch vụ công trực tuyến mức độ 3, 4 thuộc thẩm quyền", []),
        ("Chuyên mục T63 qua Báo Trà Vinh", []),
        ("“Lớp 1” Lực lượng tại chỗ", []),
        ("(kèm theo Phụ lục 6)", []),
        ("giai đoạn 2021 - 2025", [("2021", "year"), ("2025", "year")]),
    ],
)
def test_non_quantities(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.raw, m.kind) for m in find_numbers(text)] == expected


def test_ratio_rank() -> None:
    # tien-giang-bao-cao-10-nam-nghi-quyet-36.txt, offset 9741
    text = "năm 2014 đứng thứ hạng 27/63, đến năm 2022 đứng thứ hạng 13/63 tỉnh thành"
    ratios = [m for m in find_numbers(text) if m.kind == "ratio"]
    assert [(m.value, m.total) for m in ratios] == [(27, 63), (13, 63)]
    assert ratios[1].unit == "tỉnh thành"


def test_ratio_with_grouped_numbers() -> None:
    # tien-giang-bao-cao-10-nam-nghi-quyet-36.txt
    text = "đã tích hợp 1.238/1.772 dịch vụ công trực tuyến, đạt 69,86% theo lộ trình"
    ratio, percent = find_numbers(text)
    assert (ratio.kind, ratio.value, ratio.total, ratio.unit) == ("ratio", 1238, 1772, "dịch vụ")
    assert (percent.value, percent.qualifier) == (69.86, "đạt")


def test_money_keeps_value_as_written() -> None:
    # tien-giang-bao-cao-10-nam-nghi-quyet-36.txt, offset 6794
    text = (
        "tỉnh đã đầu tư 46 dự án ứng dụng, đầu tư hạ tầng công nghệ thông tin với tổng kinh phí đầu tư hơn 322 tỷ đồng"
    )
    projects, money = find_numbers(text)
    assert (projects.value, projects.unit) == (46, "dự án")
    assert (money.kind, money.value, money.unit, money.scale, money.qualifier) == ("money", 322, "tỷ đồng", 1e9, "hơn")
    assert money.absolute == 322e9


def test_money_with_decimals_across_line_breaks() -> None:
    # tra-vinh-ke-hoach-chuyen-doi-so-2023.txt, offset 40899
    text = (
        "Tổng kinh phí thực hiện năm 2022: 39.217,236 triệu đồng. Trong đó, Ngân sách \n\ntỉnh: "
        "39.216,236 triệu đồng, nguồn vốn khác: 01 triệu đồng.  \n\n"
    )
    money = [m for m in find_numbers(text) if m.kind == "money"]
    assert [(m.value, m.unit) for m in money] == [
        (39217.236, "triệu đồng"),
        (39216.236, "triệu đồng"),
        (1, "triệu đồng"),
    ]


def test_scale_word_in_unit() -> None:
    [m] = find_numbers("hơn 2 triệu người dân đã cài đặt ứng dụng")
    assert (m.value, m.unit, m.scale, m.qualifier, m.absolute) == (2, "triệu người dân", 1e6, "hơn", 2e6)


@pytest.mark.parametrize(
    ("text", "value", "unit", "qualifier"),
    [
        ("Duy trì thời lượng phát thanh bằng tiếng dân tộc tối thiểu 1,5giờ/ ngày.", 1.5, "giờ/ngày", "tối thiểu"),
        ("phát sóng các tin, phóng sự tần suất 01 tuần/lần.", 1, "tuần/lần", None),
        ("chuyển 06/06 trạm biến áp 110kV đang điều khiển xa", 110, "kV", None),
        ("trên 122,000 lượt dò quét, tấn công mạng", 122000, "lượt", "trên"),  # English grouping in the source
        ("năng suất lao động tăng bình quân trên 11,5%/năm.", 11.5, "%/năm", "trên"),
        ("đạt tỷ lệ 95,42% tổng dân số của tỉnh", 95.42, "%", "đạt"),
        ("(16 cơ \n\nquan Đảng; 134 cơ quan nhà nước)", 16, "cơ quan", None),
    ],
)
def test_units_and_qualifiers(text: str, value: float, unit: str, qualifier: str | None) -> None:
    m = next(m for m in find_numbers(text) if m.kind in ("quantity", "percent", "money"))
    assert (m.value, m.unit, m.qualifier) == (value, unit, qualifier)


def test_range_shares_unit() -> None:
    # tra-vinh-ke-hoach-chuyen-doi-so-2023.txt
    text = "phát tín hiệu cảnh báo qua loa cảnh báo với bán kính khoảng 300 - 500m."
    low, high = find_numbers(text)
    assert (low.value, low.unit, low.qualifier) == (300, "m", "khoảng")
    assert (high.value, high.unit) == (500, "m")


def test_table_row_cells() -> None:
    # tra-vinh-qd-2063-ung-dung-cntt-2020.txt: a Phụ lục 01 row ends "…\t47.803\t33.223\tNSDP, NSTW"
    text = (
        "1\tNâng cấp hạ tầng kỹ thuật (giai đoạn 1)\tSở TT&TT\tTrên địa bàn tỉnh Trà Vinh\t47.803\t33.223\tNSDP, NSTW"
    )
    found = find_numbers(text)
    assert [(m.raw, m.value, m.unit) for m in found] == [("47.803", 47803, None), ("33.223", 33223, None)]
