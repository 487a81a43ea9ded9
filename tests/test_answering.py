"""The default answerer on real passages: figures, calculations, conflicts, abstention, follow-ups."""

import pytest

from assistant.answering import NOT_FOUND
from assistant.answering.question import analyze
from assistant.conversation import Conversation, resolve_follow_up, standalone
from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from tests.passages import BoundAnswerer  # noqa: F401
from tests.passages import hits as _hits


def test_number_picks_the_figure_the_question_names(index_data):
    data, settings = index_data
    hits = _hits(data, "1.222 trạm thu, phát sóng")
    a = BoundAnswerer(data, settings).answer("Năm 2023 Trà Vinh có bao nhiêu trạm BTS?", hits)
    assert not a.abstained and a.value == 1222 and a.unit == "trạm"
    assert a.answer.startswith("1.222 trạm") and "[1]" in a.answer
    c = a.citations[0]
    doc = data.documents[c.document].text
    assert "1.222 trạm" in c.quote and doc[c.quote_start : c.quote_end] == c.quote
    assert [f.status for f in a.figures] == ["verified"]


def test_percent_question_gets_the_percentage(index_data):
    data, settings = index_data
    hits = _hits(data, "tỷ lệ hộ gia đình có đường Internet cáp quang băng rộng đạt 59,25%")
    a = BoundAnswerer(data, settings).answer(
        "Năm 2022 tỷ lệ hộ gia đình có Internet cáp quang băng rộng là bao nhiêu?", hits
    )
    assert a.value == pytest.approx(59.25) and "59,25%" in a.answer and not a.conflict


def test_conflicting_figures_are_both_cited(index_data):
    data, settings = index_data
    hits = _hits(
        data,
        "1.057 dịch vụ công trực tuyến toàn trình (chiếm tỷ lệ 57,96%). Rà soát, công khai 1.858 TTHC và tích hợp 953",
        "1.077 dịch vụ công trực tuyến toàn trình",
    )
    a = BoundAnswerer(data, settings).answer(
        "Hệ thống giải quyết TTHC tỉnh Trà Vinh có bao nhiêu dịch vụ công trực tuyến toàn trình?", hits
    )
    assert a.conflict and len(a.citations) == 2
    assert "1.057" in a.answer and "1.077" in a.answer and "không thống nhất" in a.answer


def test_difference_is_computed_from_cited_figures(index_data):
    data, settings = index_data
    hits = _hits(data, "47.803\t33.223")
    a = BoundAnswerer(data, settings).answer(
        "Dự án nâng cấp hạ tầng kỹ thuật CNTT giai đoạn 1 còn chênh lệch bao nhiêu giữa tổng mức đầu tư và kinh phí đã giải ngân?",
        hits,
    )
    assert a.calculation is not None and a.value == pytest.approx(14580)
    assert a.calculation.expression == "47803 - 33223"
    assert {o.value for o in a.calculation.operands} == {47803, 33223}
    assert any(f.status == "computed" for f in a.figures)


def test_other_province_and_uncovered_year_abstain(index_data):
    data, settings = index_data
    hits = _hits(data, "1.222 trạm thu, phát sóng")
    answerer = BoundAnswerer(data, settings)
    for question in ("Tỉnh Vĩnh Long có bao nhiêu trạm BTS?", "Năm 2035 Trà Vinh có bao nhiêu trạm BTS?"):
        a = answerer.answer(question, hits)
        assert a.abstained and a.answer == NOT_FOUND and a.value is None
        assert a.retrieved  # closest passages still shown


def test_unrelated_passage_abstains(index_data):
    data, settings = index_data
    hits = _hits(data, "1.222 trạm thu, phát sóng")
    a = BoundAnswerer(data, settings).answer(
        "Tỷ lệ hài lòng của người dân với bệnh viện tuyến huyện là bao nhiêu?", hits
    )
    assert a.abstained


def test_table_cell_answers_who_is_in_charge(index_data):
    data, settings = index_data
    hits = _hits(data, "Xây dựng Kiến trúc chính quyền điện tử 2.0")
    a = BoundAnswerer(data, settings).answer("Đơn vị nào chủ trì xây dựng Kiến trúc chính quyền điện tử 2.0?", hits)
    assert a.answer.startswith("Sở TT&TT") and a.citations[0].quote.startswith("2\tXây dựng Kiến trúc")


@pytest.mark.parametrize(
    "question,kind,op",
    [
        ("Năm 2023 có bao nhiêu trạm BTS?", "number", None),
        ("ty le ho gia dinh co internet la bao nhieu", "percent", None),
        ("Ngày Chuyển đổi số của tỉnh là ngày nào?", "date", None),
        ("Đơn vị nào chủ trì nhiệm vụ này?", "entity", None),
        ("Kinh phí năm 2023 tăng bao nhiêu phần trăm so với năm 2022?", "computed", "percent_change"),
        ("Tổng số cán bộ ở cấp tỉnh và cấp huyện là bao nhiêu?", "computed", "sum"),
        ("Camera thông minh chiếm bao nhiêu % tổng số camera?", "computed", "percent_of"),
        ("Vì sao tỉnh chưa ban hành danh mục dữ liệu mở?", "text", None),
    ],
)
def test_question_analysis(question, kind, op):
    q = analyze(question)
    assert (q.kind, q.operation) == (kind, op)


def test_follow_up_questions_are_completed():
    prev = ["Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"]
    assert resolve_follow_up("còn năm 2021 thì sao?", prev) == "Năm 2021 toàn tỉnh có bao nhiêu trạm BTS?"
    assert resolve_follow_up("tỉnh nào?", prev).endswith("là của tỉnh nào?")
    assert (
        resolve_follow_up("Tiền Giang có bao nhiêu doanh nghiệp CNTT?", prev)
        == "Tiền Giang có bao nhiêu doanh nghiệp CNTT?"
    )


def test_conversation_uses_previous_turn(index_data):
    data, settings = index_data

    class Recorder:
        def __init__(self):
            self.asked = []

        def ask(self, q, history=()):  # as Pipeline.ask: the follow-up completed from the history
            resolved = standalone(q, list(history))
            self.asked.append(resolved)
            answer = BoundAnswerer(data, settings).answer(resolved, _hits(data, "1.222 trạm thu, phát sóng"))
            answer.question = q
            return answer

    rec = Recorder()
    conv = Conversation(rec)
    conv.ask("Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?")
    a = conv.ask("còn năm 2022 thì sao?")
    assert rec.asked[-1] == "Năm 2022 toàn tỉnh có bao nhiêu trạm BTS?"
    assert a.question == "còn năm 2022 thì sao?"


def test_invented_fact_is_indexed_and_answered(data_dir, settings, embedder):
    (data_dir / "documents" / "bao-cao-gia-dinh.txt").write_text(
        "BÁO CÁO\n\nTình hình hạ tầng số tỉnh Trà Vinh năm 2025\n\n"
        "I. KẾT QUẢ\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n",
        encoding="utf-8",
    )
    build_index(settings, embedder, progress=False, log=lambda m: None)
    a = Pipeline(settings, embedder).ask("Năm 2025 Trà Vinh có bao nhiêu trạm phát sóng 5G?")
    assert a.value == 4321 and "4.321 trạm" in a.answer
    assert a.citations[0].document == "bao-cao-gia-dinh.txt"
    follow = Pipeline(settings, embedder).ask(
        "còn tỷ lệ phủ sóng thì sao?", history=["Năm 2025 Trà Vinh có bao nhiêu trạm phát sóng 5G?"]
    )
    assert follow.question == "còn tỷ lệ phủ sóng thì sao?" and "87,5%" in follow.answer
