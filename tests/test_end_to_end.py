"""The whole corpus, the real embedding model, the real answer path (slow tier)."""

import pytest

pytestmark = pytest.mark.slow


def test_search_ranks_the_bts_sentence_first(real_pipeline):
    hits = real_pipeline.search("Năm 2023 toàn tỉnh Trà Vinh có bao nhiêu trạm BTS?", k=5)
    assert any("1.222 trạm thu, phát sóng" in h.chunk.text for h in hits[:3])


def test_question_without_diacritics(real_pipeline):
    hits = real_pipeline.search("tien giang xep hang may ve ung dung cntt nam 2022", k=5)
    assert any("13/63" in h.chunk.text for h in hits)


def test_number_answer_is_cited_and_verified(real_pipeline):
    a = real_pipeline.ask("Năm 2023 toàn tỉnh Trà Vinh có bao nhiêu trạm thu, phát sóng thông tin di động BTS?")
    assert not a.abstained
    assert a.value == 1222 and "1.222" in a.answer
    assert a.citations and "1.222 trạm" in a.citations[0].quote
    doc = real_pipeline.snapshot().documents[a.citations[0].document].text
    c = a.citations[0]
    assert doc[c.quote_start : c.quote_end] == c.quote and doc[c.start : c.end] == c.text
    assert a.figures and all(f.status == "verified" for f in a.figures)


def test_percent_answer(real_pipeline):
    a = real_pipeline.ask("Tỷ lệ hộ gia đình có Internet cáp quang băng rộng năm 2022 đạt bao nhiêu?")
    assert a.value == pytest.approx(59.25) and "59,25%" in a.answer


def test_unanswerable_is_abstained(real_pipeline):
    a = real_pipeline.ask("Tỉnh Vĩnh Long có bao nhiêu trạm 5G năm 2025?")
    assert a.abstained and "Không tìm thấy" in a.answer
    assert a.retrieved  # the closest passages are still shown
