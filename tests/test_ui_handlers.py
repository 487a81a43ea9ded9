"""The UI's actions on a real Service (hashing index of the five documents and the invented report),
without a browser: filters narrow the answer, errors become a notice in the conversation, figures by unit."""

from __future__ import annotations

import pytest

from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.service import Service
from assistant.service.ui import handlers as ui_handlers
from assistant.service.ui.conversation import history
from assistant.service.ui.handlers import Handlers, filters_label
from tests.conftest import CHARGING, INVENTED_DOCUMENT

BTS = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
TIEN_GIANG = "tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"


@pytest.fixture(scope="module")
def handlers(index_with_invented):
    settings = index_with_invented
    return Handlers(Service(settings, Pipeline(settings, HashingEmbeddings())))


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(ui_handlers, "PIECE_SECONDS", 0)  # no pause between streamed pieces here


def last(steps):
    *_, final = steps
    return final


def test_streaming_shows_the_search_then_pieces_then_the_answer(handlers):
    steps = list(handlers.ask(CHARGING, [], None, [], "", []))
    htmls = [s[0] for s in steps]
    assert "Đang tìm trong tài liệu" in htmls[0] and "Đã tìm thấy 10 đoạn" in htmls[1]
    assert any('class="caret"' in h for h in htmls[2:-1]) and "caret" not in htmls[-1]
    turns = steps[-1][1]
    assert turns[-1].answer.value == 1345 and turns[-1].answer_id and "Nguồn trích dẫn" in htmls[-1]
    assert turns[-1].answer.citations[0].document == INVENTED_DOCUMENT and "1.345" in htmls[-1]


def test_filters_narrow_the_passages_and_are_shown_with_the_question(handlers):
    html, turns, *_ = last(handlers.ask(BTS, [], None, [TIEN_GIANG], "Tiền Giang", ["2023"]))
    answer = turns[-1].answer
    assert {p.document for p in answer.retrieved} == {TIEN_GIANG}
    assert "1 tài liệu · Tiền Giang · năm 2023" in html
    assert filters_label([TIEN_GIANG], "", []) == "Bộ lọc: 1 tài liệu"
    assert filters_label(None, None, None).startswith("Bộ lọc: tất cả")


def test_a_bad_question_becomes_a_notice_and_stays_out_of_the_history(handlers):
    html, turns, *_ = last(handlers.ask("???", [], None, [], "", []))
    assert turns[-1].error and 'class="notice n-error"' in html
    assert history(turns) == []  # "???" is not taken as the conversation
    _, turns, *_ = last(handlers.ask("còn năm 2022 thì sao?", turns, None, [], "", []))
    assert turns[-1].answer.question == "còn năm 2022 thì sao?" and history(turns) == ["còn năm 2022 thì sao?"]


def test_figures_offer_the_units_and_draw_the_chosen_one(handlers):
    units, plot, table = handlers.figures("trạm BTS", [], None, None)
    assert units["value"] == "trạm" and "%" in units["choices"] and units["visible"]
    assert "svg" in plot and "1.222" in table
    _, plot, table = handlers.figures("trạm BTS", [], "%", None)
    assert "đơn vị: %" in plot and "86,18%" in table
    _, empty, _ = handlers.figures("", [], None, None)
    assert "Nhập một chỉ tiêu" in empty
