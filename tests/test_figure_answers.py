"""Figure answers on real passages: breakdown items, shared predicates, targets, labels."""

import pytest

from assistant.figures import extract_figures
from assistant.models import Chunk
from tests.passages import BoundAnswerer
from tests.passages import hits as _hits


def _figures(text: str):
    return {
        f.raw: f
        for f in extract_figures(Chunk(id="c", document="d", title="t", section="s", start=0, end=len(text), text=text))
    }


# --- index time ---------------------------------------------------------------------------


def test_nested_breakdown_items_know_their_heads() -> None:
    figs = _figures("Dịch vụ công mức 4 tiếp nhận 159.024 hồ sơ (130.042 trực tiếp, 28.982 trực tuyến (tỷ lệ 18,22%)).")
    assert figs["18,22%"].indicator == "trực tuyến"
    assert figs["18,22%"].context == "trực tuyến | Dịch vụ công mức 4 tiếp nhận hồ sơ"
    assert figs["18,22%"].part and not figs["159.024"].part
    assert figs["28.982"].unit == "hồ sơ"  # a bare count takes the unit of its head
    assert _figures("Trong đó, mức 3 tiếp nhận 107.550 hồ sơ.")["107.550"].part  # of the sentence before


def test_label_colon_items_take_the_unit_and_head() -> None:
    figs = _figures(
        "a) Hệ thống Quản lý văn bản và điều hành - iOffice: Đã triển khai áp dụng cho "
        "577 cơ quan (cấp tỉnh: 139, cấp huyện: 332, cấp xã: 106)."
    )
    assert figs["332"].unit == "cơ quan" and "cấp huyện" in figs["332"].indicator
    assert figs["332"].context.startswith("Đã triển khai áp dụng cho cơ quan")


def test_lead_separates_counts_with_the_same_unit() -> None:
    figs = _figures(
        "Trong 6 tháng đầu năm 2023, Thu hồi 90 chứng thư số, cấp mới 740 chứng thư số, "
        "tổng số 3.247 chứng thư số đang hoạt động."
    )
    assert figs["740"].lead == "cấp mới" and figs["90"].lead.endswith("Thu hồi")


def test_shared_predicate_is_given_to_every_item() -> None:
    figs = _figures(
        "Về ứng dụng công nghệ thông tin: 83,21% hồ sơ công việc tại cấp tỉnh, 78,05% hồ sơ "
        "công việc tại cấp huyện và 78,19% hồ sơ công việc tại cấp xã được xử lý trên hệ thống."
    )
    assert figs["78,19%"].indicator == "hồ sơ công việc tại cấp xã"
    assert all(figs[r].context.startswith("được xử lý") for r in ("83,21%", "78,05%", "78,19%"))


def test_qualifier_and_target_after_the_figure() -> None:
    figs = _figures("Triển khai sử dụng tại 487 cơ quan (tính theo cấp văn thư), trong đó 96 cơ quan, đơn vị cấp tỉnh.")
    assert figs["487"].context.startswith("tính theo cấp văn thư")
    assert figs["96"].part
    share = _figures(
        "năm 2022 có 72,52% dịch vụ công trực tuyến có phát sinh hồ sơ (đạt 90,65% mục tiêu "
        "Quyết định số 27/QĐ-UBQGCĐS)."
    )
    assert share["90,65%"].context.startswith("mục tiêu Quyết định số 27")


def test_a_colon_label_after_a_name_is_a_count() -> None:
    figs = _figures("VnEdu cho 159 trường (Tiểu học: 13; THCS: 100; THCS - THPT: 6).")
    assert figs["100"].unit == "trường" and "THCS" in figs["100"].indicator


# --- answers ------------------------------------------------------------------------------


def test_breakdown_item_answers_when_the_question_names_it(index_data):
    data, settings = index_data
    hits = _hits(data, "28.982 trực tuyến (tỷ lệ 18,22%)")
    a = BoundAnswerer(data, settings).answer(
        "Năm 2022 tỷ lệ hồ sơ trực tuyến của dịch vụ công mức 4 ở Trà Vinh là bao nhiêu?", hits
    )
    assert a.value == pytest.approx(18.22)


def test_the_item_of_the_list_the_question_names(index_data):
    data, settings = index_data
    hits = _hits(data, "83,21% hồ sơ công việc tại cấp tỉnh")
    answerer = BoundAnswerer(data, settings)
    for level, value in (("tỉnh", 83.21), ("huyện", 78.05), ("xã", 78.19)):
        a = answerer.answer(
            f"Năm 2022 bao nhiêu % hồ sơ công việc cấp {level} ở Trà Vinh được xử lý "
            f"trên hệ thống quản lý văn bản và điều hành?",
            hits,
        )
        assert a.value == pytest.approx(value), level


def test_share_of_target_only_when_asked(index_data):
    data, settings = index_data
    hits = _hits(data, "đạt 90,65% mục tiêu Quyết định số 27")
    answerer = BoundAnswerer(data, settings)
    rate = answerer.answer("Năm 2022 bao nhiêu % dịch vụ công trực tuyến có phát sinh hồ sơ ở Trà Vinh?", hits)
    assert rate.value == pytest.approx(72.52)
    share = answerer.answer(
        "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ năm 2022 đạt bao nhiêu % "
        "mục tiêu của Quyết định 27/QĐ-UBQGCĐS?",
        hits,
    )
    assert share.value == pytest.approx(90.65)


def test_counted_item_and_total(index_data):
    data, settings = index_data
    hits = _hits(data, "cấp mới 740 chứng thư số")
    a = BoundAnswerer(data, settings).answer(
        "6 tháng đầu năm 2023 Trà Vinh cấp mới bao nhiêu chứng thư số chuyên dùng?", hits
    )
    assert a.value == 740
    hits = _hits(data, "(16 cơ quan Đảng; 134 cơ quan nhà nước")
    a = BoundAnswerer(data, settings).answer(
        "Mạng truyền số liệu chuyên dùng của Trà Vinh kết nối bao nhiêu cơ quan, đơn vị?", hits
    )
    assert a.value == 150


# --- index time: items, ranks and list labels ---------------------------------------------


def test_shared_predicate_after_plural_item_and_past_the_indicator_limit() -> None:
    figs = _figures(
        "Ngoài ra, có 100% trường Trung học phổ thông, 90% trường trung học cơ sở và 50% các "
        "trường tiểu học có giảng dạy môn tin học."
    )
    assert figs["50%"].indicator == "các trường tiểu học"
    assert all(figs[r].context == "có giảng dạy môn tin học" for r in ("100%", "90%", "50%"))
    figs = _figures(
        "đảm bảo 80% hồ sơ công việc tại cơ quan cấp tỉnh, 60% hồ sơ công việc tại cấp huyện và "
        "30% hồ sơ công việc tại cấp xã được xử lý trên phần mềm quản lý văn bản và điều hành."
    )
    assert figs["30%"].indicator == "hồ sơ công việc tại cấp xã"
    assert figs["80%"].context == "được xử lý trên phần mềm quản lý văn bản và điều hành"


def test_a_rank_is_described_by_the_words_before_it() -> None:
    figs = _figures("năm 2014 đứng thứ hạng 27/63, đến năm 2022 đứng thứ hạng 13/63 tỉnh thành.")
    assert "thứ hạng" in figs["13/63"].indicator and figs["13/63"].year == 2022
    assert figs["27/63"].year == 2014


def test_bulleted_items_take_the_label_they_are_listed_under() -> None:
    figs = _figures(
        "3.1. Chương trình Giảm nghèo\n\n- Về kinh phí:\n\n+ Năm 2022 chuyển sang năm 2023: "
        "1.459 triệu đồng.\n\n+ Năm 2023 được cấp 3.941,1 triệu đồng.\n\n- Ngày 12/6/2023 có 2 dự án."
    )
    assert figs["3.941,1"].context.endswith("Về kinh phí") and figs["1.459"].context.endswith("Về kinh phí")
    assert "kinh phí" not in figs["2"].context  # a sibling of the label, not one of its items


# --- answers: stated shares, money, totals, targets, subjects, levels -----------------------


@pytest.mark.parametrize(
    ("needles", "question", "value"),
    [
        (
            ("28/39 hệ thống thông tin",),  # the share the document states, not 28/39 recomputed
            "Tỷ lệ HTTT của Tiền Giang đã được đánh giá, phê duyệt cấp độ ATTT là bao nhiêu?",
            71,
        ),
        (
            ("được cấp 3.941,1 triệu đồng", "Thực hiện 03 Chương trình"),  # money asked: not "03 chương trình"
            "Năm 2023 CTMTQG Giảm nghèo bền vững (phần do Sở TT&TT Trà Vinh thực hiện) được cấp bao nhiêu kinh phí?",
            3941.1,
        ),
        (
            ("Tổng số hồ sơ tiếp nhận trực tuyến: 2,82%",),  # "chưa đạt 30%": 30% is the target
            "Theo QĐ 2063, tổng tỷ lệ hồ sơ tiếp nhận trực tuyến năm 2019 của Trà Vinh là bao nhiêu?",
            2.82,
        ),
        (
            ("Hệ thống với 12 máy chủ",),  # the subject is in the sentence before
            "Trung tâm tích hợp dữ liệu tỉnh Tiền Giang có bao nhiêu máy chủ?",
            12,
        ),
        (("đứng thứ hạng 13/63",), "Năm 2022 Tiền Giang đứng thứ hạng mấy cả nước về ứng dụng CNTT?", 13),
        (
            ("(cấp độ 3)",),  # a level is a label, answered from the text
            "Theo QĐ 3198/QĐ-UBND, hệ thống Cổng DVC của Trà Vinh được phê duyệt ATTT cấp độ mấy?",
            3,
        ),
    ],
)
def test_figure_choice(index_data, needles, question, value):
    data, settings = index_data
    a = BoundAnswerer(data, settings).answer(question, _hits(data, *needles))
    assert not a.abstained and a.value == pytest.approx(value), a.answer


def test_a_total_asked_is_the_head_of_the_items_after_it(index_data):
    data, settings = index_data
    a = BoundAnswerer(data, settings).answer(
        "Năm 2022 Cổng DVC tỉnh Trà Vinh tiếp nhận tổng cộng bao nhiêu hồ sơ?",
        _hits(data, "đã tiếp nhận 288.374 hồ sơ"),
    )
    assert a.value == 288374 and not a.conflict  # its items are not a conflicting figure


def test_a_share_question_is_not_answered_with_a_count(index_data):
    data, settings = index_data
    a = BoundAnswerer(data, settings).answer(
        "Tỷ lệ phòng họp trực tuyến được thuê của Trà Vinh là bao nhiêu?", _hits(data, "120 phòng họp")
    )
    assert a.value is None or a.unit == "%"


def test_a_range_the_document_gives_is_shown_whole(index_data):
    data, settings = index_data
    hits = _hits(data, "bán kính khoảng 300 - 500m")
    a = BoundAnswerer(data, settings).answer(
        "Loa của trạm cảnh báo dông sét phát xa với bán kính khoảng bao nhiêu?", hits
    )
    assert not a.abstained and a.answer.startswith("300 - 500m") and a.value == 300
    hits = _hits(data, "Rút ngắn từ 30% - 50% thời gian họp")
    a = BoundAnswerer(data, settings).answer("Mục tiêu rút ngắn thời gian họp bao nhiêu phần trăm?", hits)
    assert a.answer.startswith("30% - 50%")


def test_the_document_the_question_names_is_cited_when_two_repeat_a_figure(index_data):
    data, settings = index_data
    hits = _hits(data, "d) Hệ thống báo cáo kinh tế - xã hội tỉnh:", "- Hệ thống báo cáo kinh tế xã hội tỉnh: Hệ thống")
    assert hits[0].chunk.document != hits[1].chunk.document
    a = BoundAnswerer(data, settings).answer(
        "Theo KH CĐS 2023, hệ thống báo cáo KTXH của tỉnh đã cập nhật bao nhiêu chỉ tiêu?", hits
    )
    assert not a.abstained and a.value == 649
    assert a.citations[0].document == hits[1].chunk.document
