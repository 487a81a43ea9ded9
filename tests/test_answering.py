"""The default answerer (the trained models shipped in the package) on documents written for this
test: figures, calculations, conflicts, abstention, badges, follow-ups. The passages are invented, so
nothing here pins an answer of the evaluation sets."""

from __future__ import annotations

import pytest

from assistant.answering import NOT_FOUND
from assistant.conversation import Conversation, resolve_follow_up, standalone
from assistant.pipeline import Pipeline
from tests.conftest import invented_pipeline

REPORT = """BÁO CÁO
Kết quả chuyển đổi số tỉnh Vĩnh Long năm 2025

I. HẠ TẦNG SỐ

1. Hạ tầng viễn thông
- Toàn tỉnh có 2.345 trạm phát sóng di động (BTS), trong đó 1.120 trạm 5G.
- Tỷ lệ hộ gia đình có Internet cáp quang băng rộng đạt 71,4%.
- Tổng kinh phí đầu tư hạ tầng số là 48.600 triệu đồng; đã giải ngân 31.200 triệu đồng.

2. Dịch vụ công trực tuyến
- Cổng dịch vụ công tiếp nhận 86.512 hồ sơ trực tuyến trong năm 2025.
- Sở Thông tin và Truyền thông chủ trì vận hành Trung tâm giám sát an toàn thông tin của tỉnh.
"""

PLAN = """KẾ HOẠCH
Phát triển hạ tầng số tỉnh Vĩnh Long năm 2025

I. MỤC TIÊU

- Đến cuối năm 2025, toàn tỉnh có 2.410 trạm phát sóng di động (BTS).
- Phấn đấu 80% hộ gia đình có Internet cáp quang băng rộng.
"""


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    documents = {"bao-cao-vinh-long-2025.txt": REPORT, "ke-hoach-vinh-long-2025.txt": PLAN}
    return invented_pipeline(tmp_path_factory.mktemp("invented"), documents)


def _quoted(pipeline: Pipeline, citation) -> str:
    document = pipeline.snapshot().documents[citation.document]
    return document.text[citation.quote_start : citation.quote_end]


def test_a_stated_figure_is_answered_cited_and_verified(pipeline):
    a = pipeline.ask("Năm 2025 tỉnh Vĩnh Long có bao nhiêu hồ sơ trực tuyến?")
    assert not a.abstained and a.value == 86512 and "86.512" in a.answer and "[1]" in a.answer
    c = a.citations[0]
    assert c.document == "bao-cao-vinh-long-2025.txt" and "86.512" in c.quote
    assert _quoted(pipeline, c) == c.quote  # the offsets open the citation in place
    assert [f.status for f in a.figures] == ["verified"] and a.figures[0].value == 86512


def test_a_percentage_question_gets_the_percentage(pipeline):
    a = pipeline.ask("Tỷ lệ hộ gia đình có Internet cáp quang năm 2025 đạt bao nhiêu?")
    assert not a.abstained and a.unit == "%"
    assert a.value in (pytest.approx(71.4), pytest.approx(80))  # the result, or the plan's target
    assert any(f"{a.value:g}".replace(".", ",") in c.quote for c in a.citations)


def test_a_difference_is_computed_from_cited_operands(pipeline):
    a = pipeline.ask("Kinh phí đầu tư hạ tầng số còn bao nhiêu triệu đồng chưa giải ngân?")
    assert not a.abstained and a.calculation is not None
    assert a.value == pytest.approx(17400)
    assert {o.value for o in a.calculation.operands} == {48600, 31200}
    assert any(f.status == "computed" for f in a.figures)


def test_another_province_or_an_uncovered_year_abstains(pipeline):
    for question in (
        "Tỉnh Trà Vinh có bao nhiêu trạm phát sóng di động?",
        "Năm 2031 tỉnh Vĩnh Long có bao nhiêu trạm phát sóng di động?",
    ):
        a = pipeline.ask(question)
        assert a.abstained and a.answer == NOT_FOUND and a.value is None, question
        assert a.retrieved  # the nearest passages are still shown
        assert not any(f.status == "verified" for f in a.figures)


def test_a_question_the_documents_do_not_touch_abstains(pipeline):
    a = pipeline.ask("Bệnh viện tuyến huyện có bao nhiêu giường bệnh?")
    assert a.abstained and a.value is None


def test_badges_only_for_the_figures_of_the_answer(pipeline):
    a = pipeline.ask("Năm 2025 toàn tỉnh Vĩnh Long có bao nhiêu trạm 5G?")
    assert not a.abstained and a.value == 1120
    # the sentence also states 2.345 stations: quoted, but not part of the answer, so no badge
    assert [f.value for f in a.figures if f.status == "verified"] == [1120]


def test_a_district_no_passage_names_gets_no_badge(pipeline):
    """The province's figure is no answer about one of its districts: abstained, or not verified."""
    a = pipeline.ask("Huyện Long Hồ có bao nhiêu trạm 5G năm 2025?")
    assert a.abstained or not any(f.status == "verified" for f in a.figures)
    whole = pipeline.ask("Năm 2025 toàn tỉnh Vĩnh Long có bao nhiêu trạm 5G?")
    assert [f.status for f in whole.figures if f.value == 1120] == ["verified"]


def test_follow_up_questions_are_completed():
    prev = ["Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"]
    assert resolve_follow_up("còn năm 2021 thì sao?", prev) == "Năm 2021 toàn tỉnh có bao nhiêu trạm BTS?"
    assert resolve_follow_up("tỉnh nào?", prev).endswith("là của tỉnh nào?")
    assert (
        resolve_follow_up("Tiền Giang có bao nhiêu doanh nghiệp CNTT?", prev)
        == "Tiền Giang có bao nhiêu doanh nghiệp CNTT?"
    )


def test_a_follow_up_is_answered_from_the_history(pipeline):
    first = "Năm 2024 tỉnh Vĩnh Long có bao nhiêu hồ sơ trực tuyến?"
    assert pipeline.ask(first).abstained  # no document covers 2024
    follow = pipeline.ask("còn năm 2025 thì sao?", history=[first])
    assert follow.question == "còn năm 2025 thì sao?"
    assert not follow.abstained and follow.value == 86512


def test_conversation_keeps_the_previous_turn(pipeline):
    class Recorder:
        def __init__(self):
            self.asked: list[str] = []

        def ask(self, q, history=()):  # as Pipeline.ask: the follow-up completed from the history
            self.asked.append(standalone(q, list(history)))
            return pipeline.ask(q, history=history)

    rec = Recorder()
    conv = Conversation(rec)
    conv.ask("Năm 2025 toàn tỉnh Vĩnh Long có bao nhiêu trạm 5G?")
    a = conv.ask("còn năm 2024 thì sao?")
    assert rec.asked[-1] == "Năm 2024 toàn tỉnh Vĩnh Long có bao nhiêu trạm 5G?"
    assert a.question == "còn năm 2024 thì sao?" and a.abstained  # no document covers 2024
