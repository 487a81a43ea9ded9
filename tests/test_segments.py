"""Each figure's own words in its sentence, read against the question (passages written here)."""

from __future__ import annotations

from assistant.answering.figure_candidates import figure_candidates
from assistant.answering.segments import owned_spans
from assistant.figures import extract_figures
from assistant.models import Chunk
from tests.passages import evidence_for, reading_context

STAFF = """KẾ HOẠCH
Phát triển nguồn nhân lực số tỉnh Vĩnh Long năm 2025

I. THỰC TRẠNG

Hiện nay toàn tỉnh có 120 cán bộ chuyên trách an toàn thông tin, trong đó: trình độ tiến sĩ 03 người, thạc sĩ 27 người, đại học 90 người.

Tổng kinh phí năm 2025: 48.500 triệu đồng; trong đó, nguồn đầu tư: 30.000 triệu đồng, nguồn sự nghiệp: 18.500 triệu đồng.
"""


def _read(tmp_path_factory, question):
    setup = reading_context(tmp_path_factory.mktemp("staff"), {"ke-hoach-nhan-luc-2025.txt": STAFF})
    ev = evidence_for(setup, question, {"number": 1.0}, {})
    return {c.value: c for c in figure_candidates(ev) if not c.features.get("is_ratio_total")}


def _figures(text: str):
    chunk = Chunk(id="ke-hoach.txt#0", document="ke-hoach.txt", title="", section="", start=0, end=len(text), text=text)
    return {f.value: f for f in extract_figures(chunk)}


def test_a_figure_owns_its_unit_and_label_and_the_next_one_its_lead():
    text = "Tổng kinh phí năm 2025: 2.000 triệu đồng; trong đó, nguồn đầu tư: 1.500 triệu đồng, nguồn khác: 500 triệu đồng."
    figures = _figures(text)
    assert set(figures) == {2000.0, 1500.0, 500.0}  # the year is no figure; 2.000 is one
    spans = owned_spans(text, list(figures.values()))

    def owned(value):
        return " ".join(text[a:b] for a, b in spans[figures[value].start])

    assert "Tổng kinh phí năm 2025" in owned(2000.0) and "triệu đồng" in owned(2000.0)
    assert "nguồn đầu tư" not in owned(2000.0)  # after the first separator: the next one's lead
    assert "nguồn đầu tư" in owned(1500.0) and "Tổng" not in owned(1500.0) and "2.000" not in owned(1500.0)
    assert "nguồn khác" in owned(500.0) and "đầu tư" not in owned(500.0)


def test_figures_without_their_sentence_own_nothing():
    text = "Toàn tỉnh có 120 cán bộ, trong đó 27 người có trình độ thạc sĩ."
    unplaced = [f.model_copy(update={"sentence_start": 0, "sentence_end": 0}) for f in _figures(text).values()]
    assert owned_spans(text, unplaced) == {}


def test_a_question_naming_an_item_s_label_weighs_against_its_head_not_the_item(tmp_path_factory):
    """ "thạc sĩ" is owned by 27, which 120 heads: for 120 it is a sibling's word, for 27 its own;
    the head's words ("cán bộ chuyên trách") are no sibling's for its items."""
    figs = _read(tmp_path_factory, "Có bao nhiêu cán bộ chuyên trách an toàn thông tin trình độ thạc sĩ?")
    head, item, other = figs[120.0], figs[27.0], figs[90.0]
    assert item.features["own_cov"] > other.features["own_cov"]
    assert head.features["sibling_cov"] > item.features["sibling_cov"]
    assert head.features["own_cov"] > item.features["own_cov"]  # the head's label: most of the words
    figs = _read(tmp_path_factory, "Toàn tỉnh có bao nhiêu cán bộ chuyên trách an toàn thông tin?")
    assert figs[120.0].features["sibling_cov"] == 0.0  # asking the whole: no item's word in the question


def test_a_source_of_a_budget_asked_by_its_label(tmp_path_factory):
    figs = _read(tmp_path_factory, "Nguồn sự nghiệp trong tổng kinh phí năm 2025 là bao nhiêu?")
    total, invested, recurrent = figs[48500.0], figs[30000.0], figs[18500.0]
    assert recurrent.features["own_cov"] > invested.features["own_cov"]
    assert total.features["sibling_cov"] > recurrent.features["sibling_cov"]
    assert recurrent.features["sibling_cov"] < invested.features["sibling_cov"]
