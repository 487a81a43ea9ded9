"""The UI's HTML, from real answers and the real figure table (hashing index of the five documents and
the invented report of tests/conftest.py)."""

from __future__ import annotations

import re

import pytest

from assistant.models import Document, DocumentMetadata
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.access import LOCAL
from assistant.service.service import Service
from assistant.service.ui import chart, trend
from assistant.service.ui.answer_view import answer_html, answer_text, expression
from assistant.service.ui.conversation import ChatTurn, conversation_html, history
from assistant.service.ui.documents_view import document_card, progress_html, vn_date
from assistant.service.ui.markup import esc, excerpt, number, view_url
from tests.conftest import CHARGING, CHARGING_SHARE, INVENTED_DOCUMENT

CONFLICT = "Mục tiêu ATTT năm 2023 của Trà Vinh: bao nhiêu % HTTT của CQNN được phê duyệt cấp độ?"


@pytest.fixture(scope="module")
def service(index_with_invented):
    settings = index_with_invented
    return Service(settings, Pipeline(settings, HashingEmbeddings()))


def ask(service, question: str):
    return service.ask(LOCAL, question)[1]


def test_text_never_becomes_markup():
    attack = '<img src=x onerror="alert(1)"><script>alert(2)</script> ${alert(3)} {{value}} `x`'
    out = esc(attack)
    assert "<" not in out and ">" not in out and "$" not in out and "{" not in out and "`" not in out
    page = conversation_html([ChatTurn(attack, error=attack)])
    assert "<img" not in page and "<script" not in page and "&lt;script&gt;" in page


def test_answer_links_markers_and_marks_every_number_by_status(service):
    answer = ask(service, CHARGING_SHARE)  # 18.060 ÷ 25.800 × 100, both operands cited
    html = answer_text(answer, "t1")
    assert answer.value == pytest.approx(70) and {f.status for f in answer.figures} == {"computed", "verified"}
    assert re.findall(r'class="num n-(\w+)"', html) == [f.status for f in answer.figures]
    assert html.count('class="cite"') == 2 and 'href="#t1-src-2"' in html
    shown = re.sub(r"<[^>]+>|[✓∑!]", "", html)  # the text itself is unchanged; [n] shows as a round n
    assert shown == esc(re.sub(r"\[(\d+)\]", r"\1", answer.answer))
    assert expression("45173 / 288374 * 100") == "45.173 ÷ 288.374 × 100"


def test_sources_share_a_card_when_they_cite_the_same_sentence(service):
    answer = ask(service, CHARGING_SHARE)  # both operands are in one sentence of the invented report
    assert answer.citations[0].document == INVENTED_DOCUMENT
    assert answer.citations[0].quote_start == answer.citations[1].quote_start
    html = answer_html(answer, "t1")
    assert html.count('<details class="src"') == 1
    assert 'id="t1-src-1"' in html and 'id="t1-src-2"' in html
    assert "<mark>" + esc(answer.citations[0].quote) + "</mark>" in html
    c = answer.citations[0]
    assert esc(view_url(c.document, c.quote_start, c.quote_end)) in html


def test_conflict_notice_cites_both_documents(service):
    # a disagreement as the answerer reports it: two citations from two documents, conflict set
    first, other = ask(service, CONFLICT), ask(service, CHARGING)  # a real document and the invented one
    second = other.citations[0].model_copy(update={"number": 2})
    answer = first.model_copy(update={"conflict": True, "citations": [first.citations[0], second]})
    html = answer_html(answer, "t1")
    notice = html[html.index("n-conflict") : html.index('<div class="answer-text">')]
    assert "Các tài liệu nêu số liệu khác nhau" in notice
    assert notice.count("<li>") == len(answer.citations) == 2


def test_abstention_shows_the_nearest_passages(service):
    answer = ask(service, "Tỉnh Bến Tre đã tích hợp bao nhiêu DVC trực tuyến lên Cổng DVC quốc gia?")
    html = answer_html(answer, "t1")
    assert answer.abstained and "Không tìm thấy câu trả lời trong tài liệu" in html
    assert html.count("Mở đoạn này ↗") == 3 and "badge" not in html


def test_history_holds_only_answered_questions(service):
    done = ChatTurn("Năm 2023 có bao nhiêu trạm BTS?", answer=ask(service, "Năm 2023 có bao nhiêu trạm BTS?"))
    failed = ChatTurn("???", error="Câu hỏi chưa hợp lệ.")
    assert history([done, failed]) == ["Năm 2023 có bao nhiêu trạm BTS?"]


def test_excerpt_keeps_the_sentence_and_some_context():
    text = "mở đầu " * 100 + "Câu được trích dẫn <b>." + " phần sau" * 100
    start = text.index("Câu")
    out = excerpt(text, start, start + len("Câu được trích dẫn <b>."))
    assert "<mark>Câu được trích dẫn &lt;b&gt;.</mark>" in out
    assert out.startswith("… mở đầu") and out.endswith(" …") and len(out) < 600
    assert excerpt("abc", 5, 9) == "abc"


def test_bts_trend_has_one_value_per_year_on_the_line(service):
    rows, _ = service.figures(LOCAL, "trạm BTS", None, None, 1000)
    assert trend.units(rows, "trạm BTS")[0] == "trạm"
    points = trend.points(rows, "trạm BTS", None)
    best = [(p.year, p.raw) for p in points if p.best]
    assert best == [(2022, "1.208"), (2023, "1.222")]
    svg = chart.svg(points, "trạm BTS")
    assert svg.count("<a href=") == len(points) and svg.count("circle") >= 2 * len(points)
    assert 'class="line"' in svg and "1.208" in svg
    assert chart.table(points).count("<tr>") == len(points) + 1


def test_other_units_can_be_chosen():
    assert trend.points([], "trạm", None) == []


@pytest.mark.parametrize(("value", "top"), [(1222, 1600), (86, 100), (5, 6), (0, 1), (31888.142, 32000)])
def test_nice_top(value, top):
    assert chart.nice_top(value) == top


def test_small_formatters():
    assert number(15.66472705583721) == "15,66" and number(1222.0) == "1.222" and number(31888.142) == "31.888,14"
    assert vn_date("2020-07-30") == "30/07/2020" and vn_date("2023-06") == "06/2023" and vn_date(None) == ""
    assert 'aria-valuenow="42"' in progress_html(0.42, "Đang lập chỉ mục <x>") and "&lt;x&gt;" in progress_html(
        0, "<x>"
    )


def test_a_document_card_names_its_signer_escaped():
    meta = DocumentMetadata(title="Kế hoạch", signer="Giám đốc Tô Minh <Khang>")
    card = document_card(Document(id="a.txt", text="x", sha256="0", metadata=meta), 3)
    assert "Người ký" in card and "Giám đốc Tô Minh &lt;Khang&gt;" in card
    assert "Người ký" not in document_card(Document(id="b.txt", text="x", sha256="0"), 3)  # no signer: no row
