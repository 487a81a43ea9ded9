"""Figures extracted from real excerpts of documents/ (chunks built by hand, real offsets)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from assistant.figures import Figure, extract_figures
from assistant.models import Chunk

DOCUMENTS = Path(__file__).resolve().parents[1] / "documents"

CDS = "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt"
KTXH = "tra-vinh-ke-hoach-ktxh-tttt-2024.txt"
QD = "tra-vinh-qd-2063-ung-dung-cntt-2020.txt"
TG = "tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"

# (document, start, text) copied from the NFC-normalized documents.
INFRASTRUCTURE = (
    CDS,
    101,
    (
        "1. Về hạ tầng kỹ thuật công nghệ thông tin: hạ tầng kỹ thuật trung tâm dữ liệu \n\ncủa tỉnh đủ "
        "năng lực, hoạt động ổn định, thông suốt, an toàn thông tin; 100% công \n\nchức, viên chức trong cơ "
        "quan hành chính nhà nước được trang bị máy vi tính;  trên \n\n74% người dân sử dụng Internet (đạt "
        "100% mục tiêu); trên 60% dân số trên địa bàn \n\ntỉnh có điện thoại thông minh; tỷ lệ hộ gia đình "
        "có đường Internet cáp quang băng \n\nrộng đạt 59,25% (đạt 79% mục tiêu); 100% xã, phường, thị trấn "
        "được phủ sóng thông \n\ntin di động 4G (đạt 100% mục tiêu);… \n\n"
    ),
)
BUDGET = (
    CDS,
    40899,
    (
        "Tổng kinh phí thực hiện năm 2022: 39.217,236 triệu đồng. Trong đó, Ngân sách \n\ntỉnh: 39.216,236 "
        "triệu đồng, nguồn vốn khác: 01 triệu đồng.  \n\n"
    ),
)
DATA_CENTER = (
    CDS,
    8702,
    ("c) Trung tâm dữ liệu của tỉnh: gồm 171 máy chủ (31 máy chủ vật lý, 140 máy \n\nchủ ảo hóa). "),
)
SERVICES = (
    KTXH,
    2244,
    (
        "+ Hệ thống thông tin giải quyết thủ tục hành chính tỉnh (<https://dichvucong.travinh.gov.vn/>): "
        "cung cấp 1.858 dịch vụ công, trong đó: 551 dịch vụ công trực tuyến một phần (chiếm tỷ lệ 29,65%), "
        "1.057 dịch vụ công trực tuyến toàn trình (chiếm tỷ lệ 57,96%). Rà soát, công khai 1.858 TTHC và "
        "tích hợp 953 dịch vụ công trực tuyến trên Cổng dịch vụ công quốc gia."
    ),
)
TELECOM = (
    KTXH,
    787,
    (
        "- Về hạ tầng viễn thông: toàn tỉnh hiện có 06 doanh nghiệp cung cấp dịch vụ viễn thông (VNPT Trà "
        "Vinh; Viettel Trà Vinh; MobiFone Trà Vinh; FPT chi nhánh Trà Vinh; Vietnamobile và Gtel mobile)."
    ),
)
EMAIL = (
    QD,
    4737,
    "- Hệ thống thư điện tử công vụ: Thiết lập mới 551 tài khoản, nâng tổng số người sử dụng hệ thống là 6.890 người.",
)
RANKING = (
    TG,
    9741,
    "năm 2014 đứng thứ hạng 27/63, đến năm 2022 đứng thứ hạng 13/63 tỉnh thành (*kèm theo Phụ lục 2*).",
)
INVESTMENT = (
    TG,
    6794,
    (
        "tỉnh đã đầu tư 46 dự án ứng dụng, đầu tư hạ tầng công nghệ thông tin với tổng kinh phí đầu tư hơn "
        "322 tỷ đồng (*kèm theo Phụ lục 6*)."
    ),
)

PROJECTS_HEADER = (
    "TT\tTên nhiệm vụ, dự án\tĐơn vị chủ trì triển khai\tLĩnh vực ứng dụng\tMục tiêu đầu tư\t"
    "Quy mô nội dung đầu tư\tPhạm vi đầu tư\tTổng mức đầu tư\tKinh phí đã giải ngân\t"
    "Nguồn vốn (NSDP, NSTW, ODA,...)"
)
PROJECT_NAME = (
    "Nâng cấp, mở rộng hạ tầng kỹ thuật công nghệ thông tin đáp ứng yêu cầu triển khai chính "
    "quyền điện tử tỉnh Trà Vinh (giai đoạn 1)"
)
PROJECT_ROW = (
    QD,
    33782,
    (
        f"1\t{PROJECT_NAME}\tSở TT&TT\tCông nghệ thông tin\t- Tăng cường năng lực hệ thống máy chủ tập trung "
        "phục vụ triển khai các ứng dụng công nghệ thông tin, cơ sở dữ liệu phục vụ công tác quản lý, điều "
        "hành tập trung của tỉnh. - Tạo nền tảng xây dựng chính quyền điện tử của tỉnh đáp ứng được yêu cầu "
        "về khung kiến trúc chính quyền điện tử cấp tỉnh có sự tương tác với khung kiến trúc chính phủ điện "
        "tử quốc gia.\tThiết bị phần cứng, phần mềm;\tTrên địa bàn tỉnh Trà Vinh\t47.803\t33.223\tNSDP, NSTW"
    ),
)
TARGETS_HEADER = "TT\tChỉ tiêu\tĐơn vị tính\tKế hoạch năm 2024"
TARGETS = (
    KTXH,
    45732,
    (
        "1\tSố xã có điểm phục vụ bưu chính (bao gồm bưu cục, bưu điện văn hóa xã)\tXã\t85\n"
        "2\tTỷ lệ xã có điểm phục vụ bưu chính (bưu cục, bưu điện văn hóa xã)\t%\t100\n"
        "3\tThời lượng phát thanh bằng tiếng dân tộc\tGiờ/năm\t547,5"
    ),
)

EXCERPTS = [INFRASTRUCTURE, BUDGET, DATA_CENTER, SERVICES, TELECOM, EMAIL, RANKING, INVESTMENT, PROJECT_ROW, TARGETS]


def _document(name: str) -> str:
    return unicodedata.normalize("NFC", (DOCUMENTS / name).read_text(encoding="utf-8"))


def _chunk(excerpt: tuple[str, int, str], *, header: str | None = None) -> Chunk:
    document, start, text = excerpt
    return Chunk(
        id=f"{document}#{start}",
        document=document,
        title="",
        section="",
        start=start,
        end=start + len(text),
        text=text,
        kind="table" if header else "text",
        header=header,
        province="Tiền Giang" if document == TG else "Trà Vinh",
    )


def _by_raw(figures: list[Figure], raw: str, nth: int = 0) -> Figure:
    return [f for f in figures if f.raw == raw][nth]


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda e: f"{e[0]}@{e[1]}")
def test_excerpts_are_real(excerpt: tuple[str, int, str]) -> None:
    document, start, text = excerpt
    assert _document(document)[start : start + len(text)] == text


@pytest.mark.parametrize(
    ("excerpt", "header"),
    [
        (INFRASTRUCTURE, None),
        (BUDGET, None),
        (DATA_CENTER, None),
        (SERVICES, None),
        (TELECOM, None),
        (EMAIL, None),
        (RANKING, None),
        (INVESTMENT, None),
        (PROJECT_ROW, PROJECTS_HEADER),
        (TARGETS, TARGETS_HEADER),
    ],
)
def test_offsets_point_into_the_document(excerpt: tuple[str, int, str], header: str | None) -> None:
    text = _document(excerpt[0])
    figures = extract_figures(_chunk(excerpt, header=header))
    assert figures
    for f in figures:
        assert text[f.start : f.end] == f.raw
        assert f.document == excerpt[0] and f.chunk_id == f"{excerpt[0]}#{excerpt[1]}"
        assert f.kind in ("quantity", "percent", "ratio", "money")
        assert len(f.indicator.split()) <= 12
        assert f.sentence_start <= f.start and f.end <= f.sentence_end
        if header is None:
            assert " ".join(text[f.sentence_start : f.sentence_end].split()) == f.sentence


def test_percent_with_indicator_before() -> None:
    figures = extract_figures(_chunk(INFRASTRUCTURE))
    broadband = _by_raw(figures, "59,25%")
    assert (broadband.value, broadband.is_percent, broadband.kind, broadband.qualifier) == (
        59.25,
        True,
        "percent",
        "đạt",
    )
    assert "hộ gia đình có đường Internet cáp quang băng rộng" in broadband.indicator
    assert "Về hạ tầng kỹ thuật công nghệ thông tin" in broadband.sentence  # the wrapped lines are one sentence


def test_percent_with_indicator_after() -> None:
    figures = extract_figures(_chunk(INFRASTRUCTURE))
    assert _by_raw(figures, "74%").indicator == "người dân sử dụng Internet"
    assert _by_raw(figures, "74%").qualifier == "trên"
    assert _by_raw(figures, "60%").indicator == "dân số trên địa bàn tỉnh có điện thoại thông minh"
    assert _by_raw(figures, "100%", 0).indicator.startswith("công chức, viên chức")
    assert _by_raw(figures, "100%", 3).indicator.startswith("xã, phường, thị trấn được phủ sóng")


def test_parenthetical_percent_refers_to_the_figure_before() -> None:
    figures = extract_figures(_chunk(INFRASTRUCTURE))
    target = _by_raw(figures, "79%")  # "… đạt 59,25% (đạt 79% mục tiêu)"
    assert target.indicator == _by_raw(figures, "59,25%").indicator
    services = extract_figures(_chunk(SERVICES))
    assert _by_raw(services, "57,96%").indicator == "dịch vụ công trực tuyến toàn trình"
    assert _by_raw(services, "29,65%").indicator == "dịch vụ công trực tuyến một phần"


def test_count_indicator_is_the_words_after() -> None:
    figures = extract_figures(_chunk(SERVICES))
    assert [f.raw for f in figures] == ["1.858", "551", "29,65%", "1.057", "57,96%", "1.858", "953"]
    online = _by_raw(figures, "1.057")
    assert (online.value, online.unit, online.kind) == (1057, "dịch vụ", "quantity")
    assert online.indicator == "dịch vụ công trực tuyến toàn trình"
    assert _by_raw(figures, "1.858", 1).indicator == "TTHC"  # stops before "và tích hợp 953 …"
    assert _by_raw(figures, "953").indicator.startswith("dịch vụ công trực tuyến")
    telecom = extract_figures(_chunk(TELECOM))
    assert [(f.value, f.indicator) for f in telecom] == [(6, "doanh nghiệp cung cấp dịch vụ viễn thông")]


def test_money_label_before_colon_and_year() -> None:
    figures = extract_figures(_chunk(BUDGET))
    assert [(f.value, f.kind, f.unit, f.scale) for f in figures] == [
        (39217.236, "money", "triệu đồng", 1e6),
        (39216.236, "money", "triệu đồng", 1e6),
        (1, "money", "triệu đồng", 1e6),
    ]
    total, province, other = figures
    assert total.indicator == "Tổng kinh phí thực hiện năm 2022" and total.year == 2022
    assert province.indicator == "Ngân sách tỉnh"  # across the wrapped line
    assert other.indicator == "nguồn vốn khác"
    assert total.absolute == pytest.approx(39217.236e6)


def test_money_indicator_and_qualifier() -> None:
    projects, money = extract_figures(_chunk(INVESTMENT))
    assert (projects.value, projects.indicator) == (46, "dự án ứng dụng")
    assert (money.value, money.unit, money.qualifier, money.kind) == (322, "tỷ đồng", "hơn", "money")
    assert money.indicator == "tổng kinh phí đầu tư"


def test_label_completes_a_bare_unit() -> None:
    total, physical, virtual = extract_figures(_chunk(DATA_CENTER))
    assert total.indicator == "máy chủ (Trung tâm dữ liệu của tỉnh)" and total.qualifier == "gồm"
    assert (physical.value, physical.indicator) == (31, "máy chủ vật lý")
    assert (virtual.value, virtual.indicator) == (140, "máy chủ ảo hóa")  # across the wrapped line
    accounts, users = extract_figures(_chunk(EMAIL))
    assert accounts.indicator == "tài khoản (Hệ thống thư điện tử công vụ)"
    assert users.indicator == "nâng tổng số người sử dụng hệ thống"


def test_ratio_rank_year_and_place() -> None:
    first, second = extract_figures(_chunk(RANKING))
    assert (first.kind, first.value, first.total, first.year) == ("ratio", 27, 63, 2014)
    assert (second.value, second.total, second.year, second.unit) == (13, 63, 2022, "tỉnh thành")
    assert first.place is None  # no place named in the sentence


def test_place_in_sentence() -> None:
    [figure] = extract_figures(_chunk(TELECOM))
    assert figure.place == "Trà Vinh"


def test_dates_and_document_numbers_are_not_figures() -> None:
    # tra-vinh-ke-hoach-ktxh-tttt-2024.txt, offset 132: only document numbers, dates and years
    text = (
        "Thực hiện Công văn số 1045/SKHĐT-THKTKG ngày 06/6/2023 của Sở Kế hoạch và Đầu tư về việc đánh "
        "giá kết quả thực hiện Kế hoạch phát triển kinh tế - xã hội năm 2023"
    )
    chunk = _chunk((KTXH, 132, text))
    assert _document(KTXH)[132 : 132 + len(text)] == text
    assert extract_figures(chunk) == []
    mixed = _chunk((CDS, 0, "Kết quả tiếp nhận 277 hồ sơ trực tuyến, tăng 148 hồ sơ so với tháng 9/2022."))
    assert [(f.value, f.indicator) for f in extract_figures(mixed)] == [(277, "hồ sơ trực tuyến"), (148, "hồ sơ")]


def test_table_row_money_cells() -> None:
    figures = extract_figures(_chunk(PROJECT_ROW, header=PROJECTS_HEADER))
    total, disbursed = [f for f in figures if f.kind == "money"]
    assert (total.raw, total.value, total.column_header) == ("47.803", 47803, "Tổng mức đầu tư")
    assert (disbursed.raw, disbursed.value, disbursed.column_header) == ("33.223", 33223, "Kinh phí đã giải ngân")
    for f in (total, disbursed):
        assert f.row_header == PROJECT_NAME
        assert f.indicator == f.column_header
    assert total.start == 33782 + PROJECT_ROW[2].index("47.803")
    assert "1" not in [f.raw for f in figures]  # the TT column is an ordinal, not a figure


def test_table_units_from_the_unit_column() -> None:
    figures = extract_figures(_chunk(TARGETS, header=TARGETS_HEADER))
    assert [(f.value, f.unit, f.kind) for f in figures] == [
        (85, "xã", "quantity"),
        (100, "%", "percent"),
        (547.5, "giờ/năm", "quantity"),
    ]
    communes, share, airtime = figures
    assert communes.column_header == "Kế hoạch năm 2024" and communes.year == 2024
    assert communes.indicator.startswith("Số xã có điểm phục vụ bưu chính")
    assert communes.row_header == "Số xã có điểm phục vụ bưu chính (bao gồm bưu cục, bưu điện văn hóa xã)"
    assert share.is_percent and share.raw == "100"
    assert airtime.indicator == "Thời lượng phát thanh bằng tiếng dân tộc"
    text = _document(KTXH)
    assert [text[f.start : f.end] for f in figures] == ["85", "100", "547,5"]


def test_table_prose_cell_and_repeated_header() -> None:
    header = "TT\tTên nhiệm vụ, dự án\tQuy mô nội dung đầu tư\tTổng mức đầu tư dự kiến (triệu đồng)"
    row = (
        "7.\tThuê Phần mềm họp không giấy (eCabinet)\tThuê hệ thống eCabinet đáp ứng yêu cầu tổ chức "
        "01 phòng họp không giấy có quy mô 30 đại biểu dự họp\t795"
    )
    chunk = Chunk(
        id="t",
        document=QD,
        title="",
        section="",
        start=1000,
        end=1000 + len(header) + 1 + len(row),
        text=header + "\n" + row,
        kind="table",
        header=header,
    )
    figures = extract_figures(chunk)
    assert [(f.value, f.unit, f.kind) for f in figures] == [
        (1, "phòng họp", "quantity"),
        (30, "đại biểu", "quantity"),
        (795, "triệu đồng", "money"),
    ]
    rooms, delegates, cost = figures
    assert rooms.column_header == "Quy mô nội dung đầu tư"
    assert rooms.row_header == "Thuê Phần mềm họp không giấy (eCabinet)"
    assert delegates.indicator.startswith("đại biểu")
    assert cost.indicator == "Tổng mức đầu tư dự kiến" and cost.scale == 1e6
    assert chunk.text[cost.start - 1000 : cost.end - 1000] == "795"


def test_empty_and_number_free_chunks() -> None:
    assert extract_figures(_chunk((CDS, 0, ""))) == []
    assert extract_figures(_chunk((CDS, 0, "II. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ"))) == []
