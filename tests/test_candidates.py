"""Candidates of every kind, generated from passages written for these tests."""

from __future__ import annotations

import pytest

from assistant.answering import reading
from assistant.answering.calculation_candidates import _question_numbers, calculation_candidates
from assistant.answering.evidence import Evidence, section_role
from assistant.answering.figure_candidates import figure_candidates
from assistant.answering.reading import question_of
from assistant.answering.sentence_candidates import sentence_candidates, shown
from tests.passages import evidence_for, reading_context

REPORT = """BÁO CÁO
Kết quả ứng dụng công nghệ thông tin tỉnh Vĩnh Long năm 2025

I. KẾT QUẢ ĐẠT ĐƯỢC

1. Hạ tầng kỹ thuật
Công an tỉnh đầu tư 16 máy chủ chuyên dụng, 3.322 máy trạm từ cấp tỉnh đến cấp xã.
Tỷ lệ hồ sơ giải quyết trực tuyến đạt 45,5%, tăng so với năm 2024.
Hệ thống quản lý văn bản triển khai đến 194 đơn vị (cấp tỉnh 16, cấp huyện 72, cấp xã 106).

2. Văn bản chỉ đạo
Kế hoạch số 12/KH-UBND được ban hành ngày 15/3/2025 để triển khai chuyển đổi số.
Các nhiệm vụ trọng tâm gồm:
- Xây dựng kho dữ liệu dùng chung của tỉnh;
- Nâng cấp cổng dịch vụ công trực tuyến;
- Đào tạo kỹ năng số cho cán bộ, công chức.

3. Cổng thông tin điện tử
Cổng tỉnh có 300 lượt truy cập. Cổng Sở Y tế có 200 lượt truy cập. Cổng huyện có 150 lượt truy cập.
Cổng xã có 100 lượt truy cập. Cổng ngành có 50 lượt truy cập.
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    return reading_context(tmp_path_factory.mktemp("cand"), {"bao-cao-vinh-long-2025.txt": REPORT})


def read(setup, question):
    return evidence_for(setup, question, {"number": 0.5, "computed": 0.5}, {"difference": 0.5, "sum": 0.5})


def test_each_stated_figure_is_a_candidate_and_the_counted_noun_follows_the_right_one(setup):
    ev = read(setup, "Công an tỉnh đầu tư bao nhiêu máy chủ chuyên dụng?")
    cands = figure_candidates(ev)
    assert {16.0, 3322.0, 45.5, 194.0} <= {c.value for c in cands}
    figs = {c.value: c for c in cands if "máy" in c.figures[0].window or c.value in (45.5, 194.0)}
    assert figs[16.0].features["counted_next"] == 1.0 and figs[3322.0].features["counted_next"] == 0.0
    assert figs[16.0].features["noun_in_unit"] > figs[3322.0].features["noun_in_unit"]
    assert figs[45.5].unit == "%" and figs[45.5].features["is_percent"] == 1.0
    assert figs[16.0].spans[0].hit.chunk.document == "bao-cao-vinh-long-2025.txt"


def test_years_and_places_agree_or_contradict(setup):
    asked = {c.value: c for c in figure_candidates(read(setup, "Năm 2025 Vĩnh Long có bao nhiêu máy trạm?"))}
    assert asked[3322.0].features["period_hit"] == 1.0 and asked[3322.0].features["place_hit"] == 1.0
    other = {c.value: c for c in figure_candidates(read(setup, "Năm 2021 Vĩnh Long có bao nhiêu máy trạm?"))}
    assert other[3322.0].features["period_miss"] == 1.0


def test_calculations_combine_compatible_figures_only(setup):
    ev = read(setup, "Tổng số đơn vị cấp tỉnh, cấp huyện và cấp xã dùng hệ thống quản lý văn bản là bao nhiêu?")
    figs = figure_candidates(ev)
    for c in figs:
        c.features["stage1"] = 1.0 if c.value in (16.0, 72.0, 106.0) and c.unit == "đơn vị" else 0.0
    calcs = calculation_candidates(ev, figs)
    sums = {round(c.value, 6): c for c in calcs if c.operation == "sum"}
    assert 194.0 in sums and sums[194.0].expression == "16 + 72 + 106"
    assert sums[194.0].features["operands_match_listed"] == 1.0  # the question lists three things
    assert all(
        not (
            c.operation in ("sum", "difference")
            and {t.value for t in c.terms} & {45.5}
            and any(t.value in (16.0, 72.0, 106.0) for t in c.terms)
        )
        for c in calcs
        if not (c.features.get("two_step") and c.unit == "%")  # a gap "45,5 - 16 / 194 * 100" is % - %
    )  # no % + count
    assert any(c.operation == "difference" and c.value == 106 - 16 for c in calcs)
    # "16 máy chủ" is never subtracted from or divided by a count of units ("đơn vị")
    servers = next(c for c in figs if c.unit == "máy chủ")
    servers.features["stage1"], units = 2.0, [c for c in figs if c.unit == "đơn vị" and c.value == 72.0]
    mixed = calculation_candidates(ev, [servers, *units])
    assert not any(c.operation in ("difference", "share", "change") for c in mixed)


def test_a_sum_of_as_many_items_as_the_question_counts(setup):
    ev = read(setup, "Cộng số đơn vị của 3 cấp dùng hệ thống quản lý văn bản là bao nhiêu?")
    figs = figure_candidates(ev)
    for c in figs:
        c.features["stage1"] = 1.0 if c.unit == "đơn vị" and c.value != 194.0 else 0.0
    sums = [c for c in calculation_candidates(ev, figs) if c.operation == "sum"]
    three = next(c for c in sums if c.value == 194.0)
    assert three.features["operands_match_count"] == 1.0  # "3 cấp": three operands
    assert all(c.features["operands_match_count"] == 0.0 for c in sums if len(c.terms) != 3)


def test_a_sum_of_five_items(setup):
    ev = read(setup, "Cộng lượt truy cập của 5 cổng thông tin là bao nhiêu?")
    figs = figure_candidates(ev)
    visits = (300.0, 200.0, 150.0, 100.0, 50.0)
    for c in figs:
        c.features["stage1"] = 1.0 if c.value in visits else 0.0
    five = [c for c in calculation_candidates(ev, figs) if c.operation == "sum" and len(c.terms) == 5]
    total = next(c for c in five if c.value == 800.0)
    assert sorted(t.value for t in total.terms) == sorted(visits)
    assert total.features["operands_match_count"] == 1.0


def _calculations(setup, question, operand):
    """The calculations of ``question`` when the figure model would pick the figures ``operand``
    accepts as operands (its score, ``stage1``, is 1 for them and 0 for the others)."""
    ev = read(setup, question)
    figs = figure_candidates(ev)
    for c in figs:
        c.features["stage1"] = 1.0 if operand(c) else 0.0
    return calculation_candidates(ev, figs)


def test_two_steps_share_of_a_sum_and_what_remains(setup):
    question = "Cấp huyện và cấp xã chiếm bao nhiêu phần trăm trong 194 đơn vị dùng hệ thống quản lý văn bản?"
    calcs = _calculations(setup, question, lambda c: c.unit == "đơn vị")
    two = [c for c in calcs if c.features.get("two_step")]
    share = next(c for c in two if c.operation == "share" and c.expression == "(72 + 106) / 194 * 100")
    assert share.value == pytest.approx(178 / 194 * 100) and share.unit == "%"
    assert [t.value for t in share.terms] == [72.0, 106.0, 194.0]  # every operand cited where it is stated
    rest = next(c for c in two if c.operation == "difference" and c.expression == "194 - 72 - 106")
    assert rest.value == 16.0 and rest.unit == "đơn vị"
    assert all(c.features.get("two_step", 0.0) == 0.0 for c in calcs if c.expression == "72 + 106")
    units = {id(t): t for c in two for t in c.terms}
    assert (
        all(t.figure is None or not t.figure.is_percent for c in two if c.unit != "%" for t in c.terms) and units
    )  # a count is never made of a percent


def test_two_steps_share_of_a_whole_stated_as_its_parts(setup):
    question = "Lượt truy cập cổng xã bằng bao nhiêu % tổng lượt truy cập của cổng tỉnh và Cổng Sở Y tế?"
    calcs = _calculations(setup, question, lambda c: c.unit == "lượt truy cập")
    share = next(c for c in calcs if c.features.get("two_step") and c.expression == "100 / (300 + 200) * 100")
    assert share.value == pytest.approx(20.0) and share.operation == "share"
    assert [t.value for t in share.terms] == [100.0, 300.0, 200.0]
    assert not any(c.expression.startswith("100 / (100 +") for c in calcs)  # never a share of itself


def test_two_steps_gap_in_points_between_a_target_and_a_stated_share(setup):
    question = "Tỷ lệ cấp xã trên tổng đơn vị còn cách mục tiêu 80% bao nhiêu điểm phần trăm?"
    calcs = _calculations(setup, question, lambda c: c.value in (106.0, 194.0))
    gaps = [c for c in calcs if c.features.get("two_step") and c.operation == "difference"]
    gap = next(c for c in gaps if c.expression == "80 - 106 / 194 * 100")
    assert gap.value == pytest.approx(80 - 106 / 194 * 100) and gap.unit == "%"


def test_a_place_or_system_the_passage_never_names_is_measured(setup):
    """A narrower question than the passage answers ("huyện Long Hồ") is seen in ``name_missing``,
    even though "long" (Vĩnh Long) and "hồ" (hồ sơ) are words of the passage."""
    plain_ask = figure_candidates(read(setup, "Công an tỉnh Vĩnh Long đầu tư bao nhiêu máy chủ chuyên dụng?"))
    narrower = figure_candidates(read(setup, "Công an huyện Long Hồ đầu tư bao nhiêu máy chủ chuyên dụng?"))
    named = figure_candidates(read(setup, "Lượt truy cập của Cổng Sở Y tế là bao nhiêu?"))
    other = figure_candidates(read(setup, "Lượt truy cập của Cổng Sở Tư pháp là bao nhiêu?"))
    servers = next(c for c in plain_ask if c.value == 16.0 and c.unit == "máy chủ")
    servers_narrow = next(c for c in narrower if c.value == 16.0 and c.unit == "máy chủ")
    health = next(c for c in named if c.value == 200.0)
    assert servers.features["q_named"] == 0.0 and servers.features["name_missing"] == 0.0  # the province
    assert servers_narrow.features["q_named"] == 1.0 and servers_narrow.features["name_missing"] == 1.0
    assert health.features["q_named"] == 1.0 and health.features["name_missing"] == 0.0  # "Cổng Sở" is written
    justice = next(c for c in other if c.value == 200.0)
    assert justice.features["name_missing"] == 1.0  # "Cổng Sở Tư": no passage writes it
    assert servers.features["q_unknown"] == 0.0
    assert 0.0 < figure_candidates(read(setup, "Hệ thống Jitsi phục vụ bao nhiêu cuộc họp?"))[0].features["q_unknown"]


def test_numbers_the_question_gives_are_seen_among_the_operands(setup):
    """The target the question states ("mục tiêu 60%") is an operand of the gap, not of "100 − x"."""
    ev = read(setup, "Tỷ lệ hồ sơ giải quyết trực tuyến còn cách mục tiêu 60% bao nhiêu điểm phần trăm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    gap = next(c for c in calcs if c.expression == "60 - 45.5")
    rest = next(c for c in calcs if c.expression == "100 - 45.5")
    assert gap.value == pytest.approx(14.5)
    assert gap.features["operands_given"] == 0.5 and gap.features["given_used"] == 1.0
    assert rest.features["operands_given"] == 0.0 and rest.features["given_used"] == 0.0
    # "100%" written in the question: the complement's 100 is then a number the question gives.
    plain_ask = read(setup, "Tỷ lệ hồ sơ giải quyết trực tuyến còn thiếu bao nhiêu để đạt 100%?")
    calcs = calculation_candidates(plain_ask, figure_candidates(plain_ask))
    implicit = next(c for c in calcs if c.operation == "complement" and c.expression == "100 - 45.5")
    assert (implicit.features["operands_given"], implicit.features["given_used"]) == (0.5, 1.0)


def test_a_target_operand_is_told_from_a_result(setup):
    """The gap to "mục tiêu 60%" starts from a target; the complement "100 − x" starts from none."""
    ev = read(setup, "Tỷ lệ hồ sơ giải quyết trực tuyến còn cách mục tiêu 60% bao nhiêu điểm phần trăm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    gap = next(c for c in calcs if c.expression == "60 - 45.5")
    rest = next(c for c in calcs if c.expression == "100 - 45.5")
    assert (gap.features["target_first"], gap.features["targets"]) == (1.0, 0.5)
    assert (rest.features["target_first"], rest.features["targets"]) == (0.0, 0.0)
    # a gap "in points" is a difference of two percentages; a complement is not one
    assert (gap.features["points_of_percents"], rest.features["points_of_percents"]) == (1.0, 0.0)
    ev = read(setup, "Tỷ lệ hồ sơ giải quyết trực tuyến đạt bao nhiêu phần trăm so với mục tiêu 60%?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    achieved = next(c for c in calcs if c.expression == "45.5 / 60 * 100")
    assert (achieved.features["target_last"], achieved.features["target_first"]) == (1.0, 0.0)
    assert achieved.features["points_of_percents"] == 0.0
    ev = read(setup, "Tỷ lệ hồ sơ giải quyết trực tuyến thấp hơn 60% bao nhiêu điểm phần trăm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    assert next(c for c in calcs if c.expression == "60 - 45.5").features["target_first"] == 0.0


def test_a_follow_up_is_about_the_place_and_year_its_conversation_names(setup):
    view, ctx = setup
    context = "Còn cấp xã thì sao? (Năm 2025 tỉnh Vĩnh Long có bao nhiêu đơn vị dùng hệ thống)"
    q = question_of(ctx, "Còn cấp xã thì sao?", None, context)
    assert q.years == [2025] and q.provinces == ["vĩnh long"]
    q = question_of(ctx, "Còn năm 2024 thì sao?", None, context)
    assert q.years == [2024]  # its own year first
    assert question_of(ctx, "Còn cấp xã thì sao?", None).years == []
    # a document named by its year earlier is still that document, not a year asked about
    q = question_of(ctx, "Còn cấp xã thì sao?", None, "Theo kế hoạch 2024, cấp huyện có bao nhiêu đơn vị?")
    assert q.years == [2024] and q.doc_years == {2024}


def test_a_follow_up_s_earlier_subject_is_measured_apart(setup):
    """ "cấp xã chiếm bao nhiêu phần trăm?" leaves its whole to the conversation: the words of the
    earlier subject it does not repeat are its own measurement, on figures and on operands."""
    view, ctx = setup
    asked = "cấp xã chiếm bao nhiêu phần trăm?"
    context = f"{asked} (Hệ thống quản lý văn bản triển khai đến đơn vị)"
    q = question_of(ctx, asked, None, context)
    assert {"he", "thong", "van", "trien", "khai"} <= set(q.earlier)
    assert not set(q.earlier) & set(q.keywords)  # its own words are not counted twice
    assert question_of(ctx, asked, None).earlier == []  # asked alone, nothing earlier
    q.types, q.operations = {"computed": 1.0}, {"share": 1.0}
    ev = Evidence(ctx, q, view.search(context, 10))
    figures = figure_candidates(ev)
    earlier = {c.value: c.features["cov_earlier"] for c in figures}
    assert earlier[194] > 0.5 and earlier[194] > earlier[3322]  # the 194 units, not 3.322 workstations
    assert all(c.features["q_earlier"] == 1.0 for c in figures)
    calcs = calculation_candidates(ev, figures)
    share = next(c for c in calcs if c.expression == "106 / 194 * 100")
    assert share.features["cov_earlier_terms"] > 0.5


def test_the_question_s_numbers_keep_how_they_are_written(setup):
    """ "30 đơn vị và 30%": one count and one percentage, not two percentages."""
    ev = read(setup, "Nếu thêm 30 đơn vị và tăng 30% thì hệ thống quản lý văn bản có bao nhiêu đơn vị?")
    assert ev.q.numbers == [30.0, 30.0] and ev.q.written_percent == [False, True]
    given = _question_numbers(ev, figure_candidates(ev))
    assert [(c.value, c.unit) for c in given] == [(30.0, None), (30.0, "%")]
    # and each is a target only when its own clause says so
    ev = read(setup, "Nếu đạt 37% so với mục tiêu 81% thì còn thiếu bao nhiêu điểm phần trăm?")
    given = _question_numbers(ev, figure_candidates(ev))
    assert [(c.value, c.features["fig_target"]) for c in given] == [(37.0, 0.0), (81.0, 1.0)]


def test_what_an_average_is_per_is_read_from_the_divisor(setup):
    ev = read(setup, "Bình quân mỗi máy chủ có bao nhiêu máy trạm?")
    assert ev.q.per == ["may", "chu"]
    calcs = calculation_candidates(ev, figure_candidates(ev))
    right = next(c for c in calcs if c.operation == "ratio" and c.expression == "3322 / 16")
    wrong = next(c for c in calcs if c.operation == "ratio" and c.expression == "16 / 3322")
    assert right.features["per_divisor"] == 1.0 and right.features["per_dividend"] == 0.5  # "máy" of "máy trạm"
    assert wrong.features["per_divisor"] == 0.5 and wrong.features["per_dividend"] == 1.0
    assert all(c.features["per_divisor"] == 0.0 for c in calcs if c.operation == "sum")


def test_a_sibling_of_what_is_asked_is_seen(setup):
    """ "cấp thôn" is asked; the passage breaks the figure down by "cấp tỉnh/huyện/xã" only."""
    ev = read(setup, "Cấp thôn có bao nhiêu đơn vị dùng hệ thống quản lý văn bản?")
    units = next(c for c in figure_candidates(ev) if c.value == 194.0)
    assert units.features["sibling"] > 0.0
    ev = read(setup, "Cấp xã có bao nhiêu đơn vị dùng hệ thống quản lý văn bản?")
    assert next(c for c in figure_candidates(ev) if c.value == 106.0).features["sibling"] == 0.0
    assert ev.siblings_of("cap huyen co 72 don vi".split()) > 0.0
    assert ev.siblings_of("he thong quan ly van ban".split()) == 0.0  # nothing named otherwise


@pytest.mark.parametrize(
    ("question", "per"),
    [
        ("Bình quân mỗi kỳ sát hạch có bao nhiêu thí sinh?", ["ky", "sat", "hach"]),
        ("Trung bình một dự án có bao nhiêu máy chủ?", ["du", "an"]),
        ("binh quan moi doanh nghiep co bao nhieu diem phuc vu", ["doanh", "nghiep"]),
        ("Có bao nhiêu trạm BTS mới?", []),  # "mới" (new) is not "mỗi"
        ("Hệ thống mới được đưa vào năm nào?", []),
        ("Một số nhiệm vụ chính là gì?", []),
        ("Số lượt truy cập bình quân là bao nhiêu lượt/người?", ["nguoi"]),
        ("Theo Quyết định 681/QĐ-UBND, bình quân mỗi xã có bao nhiêu điểm?", ["xa"]),  # the words first
        ("Quyết định 681/QĐ-UBND giao bao nhiêu nhiệm vụ?", []),  # a document number is no unit
        ("Sở TTTT/UBND tỉnh giao bao nhiêu nhiệm vụ?", []),
        ("Lương bình quân khoảng 2 triệu đồng/tháng thì cả năm bao nhiêu?", ["thang"]),
        ("Có bao nhiêu cán bộ/công chức được tập huấn?", []),  # "or", not "per": no average, no time
        ("Số cán bộ/công chức được tập huấn là bao nhiêu?", []),
        ("Các xã và/hoặc phường nào đã có điểm phục vụ?", []),
        ("Có bao nhiêu dịch vụ công mức 3 và/hoặc mức 4?", []),
        ("Năm 2024 cán bộ/công chức được tập huấn bao nhiêu lượt?", []),  # a year is no quantity
        ("Có 120 xã/phường/thị trấn, bao nhiêu xã có điểm?", []),
        ("Trung bình có bao nhiêu lượt truy cập/người?", ["nguoi"]),
        ("Tỷ lệ 30 hồ sơ trực tuyến/ngày thì một tháng bao nhiêu?", ["ngay"]),
        ("binh quan bao nhieu luot/nguoi", ["nguoi"]),
    ],
)
def test_per_noun(question, per):
    from assistant.answering.analysis import per_noun

    assert per_noun(question) == per


def test_numbers_the_question_gives_are_bounded(setup):
    """A question listing thirty numbers does not make sums of five out of all of them."""
    many = ", ".join(str(n) for n in range(301, 331))
    ev = read(setup, f"Cộng các số {many} với lượt truy cập của 5 cổng thông tin là bao nhiêu?")
    figs = figure_candidates(ev)
    calcs = calculation_candidates(ev, figs)
    given = {t.value for c in calcs for t in c.terms if t.figure is None and t.value >= 301}
    assert 0 < len(given) <= 4 and len(calcs) < 5000


def test_sentences_dates_and_lists(setup):
    ev = read(setup, "Các nhiệm vụ trọng tâm gồm những gì?")
    cands = sentence_candidates(ev)
    listed = [c for c in cands if c.features["continued"] == 1.0]
    assert any("kho dữ liệu" in c.text and "kỹ năng số" in c.text for c in listed)
    dated = [
        c
        for c in sentence_candidates(read(setup, "Kế hoạch 12/KH-UBND ban hành ngày nào?"))
        if c.features["date_answer"] == 1.0
    ]
    assert "ngày 15/3/2025" in {shown(ev, c) for c in dated}


def test_a_calculation_that_only_restates_a_figure_never_answers():
    from assistant.answering.answerer import ruled_out
    from assistant.answering.candidates import Candidate, Term

    def calc(op, value, *terms):
        return Candidate("calculation", {}, [], value=value, operation=op, terms=[Term(t) for t in terms])

    assert ruled_out(calc("rate", 1222.0, 1222.0, 100.0))  # 1.222 × 100 % = 1.222: the figure answers
    assert ruled_out(calc("ratio", 35.0, 35.0, 1.0))
    assert not ruled_out(calc("difference", 26.0, 52.0, 26.0))  # 52 − 26 = 26 is a real difference
    assert not ruled_out(calc("share", 25.0, 50.0, 200.0))


def test_a_counted_noun_missing_vetoes_a_stated_figure_not_a_calculation():
    """ "Tăng bao nhiêu bậc?": the steps are the unit of the difference, never written by its operands."""
    from assistant.answering.answerer import ruled_out
    from assistant.answering.candidates import Candidate, Term

    figure = Candidate("figure", {"noun_missing": 1.0}, [], value=4130.0)
    difference = Candidate(
        "calculation", {"noun_missing": 1.0}, [], value=14.0, operation="difference", terms=[Term(27.0), Term(13.0)]
    )
    assert ruled_out(figure) and not ruled_out(difference)
    assert not ruled_out(Candidate("figure", {"noun_missing": 0.0}, [], value=4130.0))


def test_a_sentence_holding_every_thing_asked_is_told_from_one_holding_part(setup):
    """ "bao nhiêu máy chủ và bao nhiêu máy trạm?" asks two things: every candidate knows it, and a
    clause is measured by the part it holds least."""
    ev = read(setup, "Công an tỉnh đầu tư bao nhiêu máy chủ chuyên dụng và bao nhiêu máy trạm?")
    assert len(ev.q.parts) == 2 and "tram" in ev.q.parts[1] and "tram" not in ev.q.parts[0]
    sentences = [c for c in sentence_candidates(ev) if not c.features["date_answer"]]
    both = next(c for c in sentences if "3.322 máy trạm" in c.text and "16 máy chủ" in c.text)
    other = next(c for c in sentences if c.text.startswith("Hệ thống quản lý văn bản"))
    assert both.features["parts_held"] == 1.0 and both.features["numbers"] == 2.0
    assert both.features["parts_min"] > other.features["parts_min"]
    assert other.features["parts_held"] < 1.0
    assert all(c.features["q_parts"] == 2.0 for c in figure_candidates(ev))
    # asking one thing: one part, measured as the clause's coverage
    ev = read(setup, "Công an tỉnh đầu tư bao nhiêu máy chủ chuyên dụng?")
    assert ev.q.parts == []
    one = next(c for c in sentence_candidates(ev) if "16 máy chủ" in c.text and not c.features["date_answer"])
    assert one.features["q_parts"] == 1.0 and one.features["parts_min"] == one.features["cov_only"]


def test_a_sentence_s_numbers_are_amounts_not_dates_or_document_numbers(setup):
    ev = read(setup, "Kế hoạch số 12/KH-UBND ban hành ngày nào?")
    dated = next(c for c in sentence_candidates(ev) if c.text.startswith("Kế hoạch số 12/KH-UBND"))
    assert dated.features["numbers"] == 0.0
    counted = next(c for c in sentence_candidates(ev) if c.text.startswith("Công an tỉnh đầu tư"))
    assert counted.features["numbers"] == 2.0  # 16 servers, 3.322 workstations


LEVELS = """KẾ HOẠCH
Chuyển đổi số tỉnh Vĩnh Long năm 2025

I. THỰC TRẠNG
Cổng dịch vụ công của tỉnh cung cấp dịch vụ công trực tuyến (mức 3: 420 dịch vụ (chiếm 30%); mức 4: 980 dịch vụ
(chiếm 70%)).

II. AN TOÀN THÔNG TIN
Hệ thống giám sát của tỉnh ghi nhận 421 cảnh báo, trong đó có 296 cảnh báo lỗ hổng bảo mật và 125 cảnh báo mã độc.
"""


@pytest.fixture(scope="module")
def levels(tmp_path_factory):
    return reading_context(tmp_path_factory.mktemp("levels"), {"ke-hoach-vinh-long-2025.txt": LEVELS})


def test_the_level_a_figure_s_label_names_is_near_it(levels):
    """ "mức 4: 980 dịch vụ": a colon ends the clause before the figure, but the level its label
    names is the figure's own; the question's "mức 4" meets it and misses "mức 3"'s figure."""
    by_value = {c.value: c for c in figure_candidates(read(levels, "Cổng cung cấp bao nhiêu dịch vụ công mức 4?"))}
    assert by_value[980.0].features["small_hit"] == 1.0 and by_value[980.0].features["small_miss"] == 0.0
    assert by_value[420.0].features["small_hit"] == 0.0 and by_value[420.0].features["small_miss"] == 1.0


def test_the_whole_counted_phrase_follows_the_part_not_the_total(levels):
    ev = read(levels, "Hệ thống giám sát ghi nhận bao nhiêu cảnh báo lỗ hổng bảo mật?")
    assert ev.q.counted_phrase == ["canh", "bao", "lo", "hong", "bao", "mat"]
    by_value = {c.value: c for c in figure_candidates(ev)}
    assert by_value[296.0].features["counted_run"] == 1.0
    assert by_value[421.0].features["counted_run"] == pytest.approx(2 / 6)
    assert by_value[125.0].features["counted_run"] == pytest.approx(2 / 6)


PLAN = """KẾ HOẠCH
Chuyển đổi số tỉnh Vĩnh Long năm 2026

I. KẾT QUẢ THỰC HIỆN NĂM 2025

Có 78% hồ sơ công việc tại cấp huyện được xử lý trên hệ thống; 40 xã có điểm truy cập công cộng trên tổng số 50 xã.

II. MỤC TIÊU NĂM 2026

- 95% hồ sơ công việc tại cấp huyện được xử lý trên hệ thống.

III. TỔ CHỨC THỰC HIỆN

Sở Thông tin và Truyền thông bố trí 45 xã có điểm truy cập công cộng trong năm 2026.
"""


@pytest.mark.parametrize(
    ("section", "role"),
    [
        ("VI. TỔ CHỨC THỰC HIỆN", "plan"),  # "thực hiện" is a report's word, but the plan's comes first
        ("II- NHIỆM VỤ, GIẢI PHÁP THỰC HIỆN", "plan"),
        ("1. Tổng kinh phí dự kiến thực hiện năm 2026", "plan"),
        ("b) Kết quả thực hiện mục tiêu, nhiệm vụ năm 2025", "report"),
        # the outermost heading decides: a programme's name under a report part stays a report
        ("Phần I ĐÁNH GIÁ TÌNH HÌNH › 3.1. Chương trình mục tiêu quốc gia giảm nghèo", "report"),
        ("Phần II KẾ HOẠCH NĂM 2026 › 1. Hạ tầng số", "plan"),
        ("Lời mở đầu", None),
    ],
)
def test_the_part_a_section_stands_in(section, role):
    assert section_role(section) == role


def test_a_planning_part_s_figures_are_targets_and_a_calculation_leaving_them_out_is_seen(tmp_path_factory):
    """95% stands under the objectives with no target word in its own clause: it is planned, the
    gap 95 − 78 starts from it, and the complement 100 − 78 leaves out a planned percentage the
    operands offered. 45 xã stands under "TỔ CHỨC THỰC HIỆN" (a plan's heading holding a report's
    word). A share of two counts (40 / 50) ends in "%" but could never use the planned 95%: it
    is measured against the planned count 45. A report with no planning part offers none."""
    setup = reading_context(tmp_path_factory.mktemp("plan"), {"ke-hoach-vinh-long-2026.txt": PLAN})
    question = "Tỷ lệ hồ sơ công việc cấp huyện xử lý trên hệ thống năm 2025 còn cách chỉ tiêu năm 2026 bao nhiêu điểm phần trăm?"
    ev = read(setup, question)
    figures = figure_candidates(ev)
    planned_values = {c.value for c in figures if c.features["planned_section"]}
    assert {95.0, 45.0} <= planned_values and not {78.0, 40.0, 50.0} & planned_values
    calcs = calculation_candidates(ev, figures)
    gap = next(c for c in calcs if c.expression == "95 - 78")
    rest = next(c for c in calcs if c.expression == "100 - 78")
    assert gap.features["target_first"] == 0.0  # no target word in its clause
    assert (gap.features["planned_first"], gap.features["planned"]) == (1.0, 0.5)
    assert (gap.features["planned_available"], gap.features["planned_left_out"]) == (1.0, 0.0)
    assert (rest.features["planned_available"], rest.features["planned_left_out"]) == (1.0, 1.0)

    ev = read(setup, "Năm 2025 bao nhiêu phần trăm số xã có điểm truy cập công cộng?")
    pool = [c for c in figure_candidates(ev) if c.value in (40.0, 50.0, 95.0)]  # a planned percentage only
    assert any(c.features["planned_section"] for c in pool)
    share = next(c for c in calculation_candidates(ev, pool) if c.expression == "40 / 50 * 100")
    assert share.unit == "%" and share.features["planned_available"] == 0.0
    share = next(c for c in calculation_candidates(ev, figure_candidates(ev)) if c.expression == "40 / 50 * 100")
    assert (share.features["planned_available"], share.features["planned_left_out"]) == (1.0, 1.0)

    report = reading_context(tmp_path_factory.mktemp("report"), {"bao-cao-vinh-long-2025.txt": REPORT})
    ev = read(report, "Tỷ lệ hồ sơ giải quyết trực tuyến còn thiếu bao nhiêu phần trăm để đạt 100%?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    assert calcs and all(c.features["planned_available"] == 0.0 for c in calcs)


CAMERAS = """BÁO CÁO
Kết quả chuyển đổi số tỉnh Vĩnh Long năm 2025

I. KẾT QUẢ ĐẠT ĐƯỢC

Năm 2025, hệ thống giám sát an ninh trật tự có 335 camera, trong đó 80 camera thông minh xử lý vi phạm giao thông.
Trung tâm điều hành có 12 màn hình.
"""


def test_a_breakdown_item_is_measured_against_the_total_of_its_own_sentence(tmp_path_factory):
    """Read as the answerer reads: the item the question names is followed by the whole counted
    phrase, best of its sentence (0); the total beside it falls short of it; a figure alone in its
    sentence is the best of it; the year of the sentence takes no part."""
    view, ctx = setup = reading_context(tmp_path_factory.mktemp("cam"), {"bao-cao-camera-2025.txt": CAMERAS})
    question = "Có bao nhiêu camera thông minh xử lý vi phạm giao thông?"
    q = read(setup, question).q
    figures = reading.read(ctx, q, view.search(question, 10), None).figures
    item = next(c for c in figures if c.value == 80.0)
    total = next(c for c in figures if c.value == 335.0)
    alone = next(c for c in figures if c.value == 12.0)
    expected = {f"rel_sent_{k}" for k in reading.SENTENCE_RELATIVE}
    for c in (item, total, alone):
        assert {k for k in c.features if k.startswith("rel_sent_")} == expected
    # the total's own words run on past "trong đó" into the item's (its window; left for now), so
    # their local coverage ties; how far the counted phrase follows each figure does not
    assert item.features["rel_sent_counted_run"] == 0.0 and total.features["rel_sent_counted_run"] < -0.5
    assert total.features["rel_sent_counted_run"] == total.features["counted_run"] - item.features["counted_run"]
    assert all(alone.features[k] == 0.0 for k in expected)
    years = [c for c in figures if c.value == 2025.0]
    assert all(not any(k.startswith("rel_sent_") for k in c.features) for c in years)


BUDGET = """KẾ HOẠCH
Ứng dụng công nghệ thông tin tỉnh Vĩnh Long năm 2026

II. NHIỆM VỤ

Thuê đường truyền cho 45 điểm cầu trực tuyến, kinh phí dự kiến 1.250,5 triệu đồng.
"""


def test_a_question_asking_how_much_money_is_met_by_a_sum_of_money_not_by_a_count(tmp_path_factory):
    """ "bao nhiêu tiền" counts no thing its clause names: the amount of money answers it, the count
    of points beside it does not (the counted noun is missing there, a hard check for figures)."""
    setup = reading_context(tmp_path_factory.mktemp("money"), {"ke-hoach-vinh-long-2026.txt": BUDGET})
    for question in (
        "Thuê đường truyền điểm cầu trực tuyến dự kiến bao nhiêu tiền?",
        "thue duong truyen het bao nhieu tien",
    ):
        by_value = {c.value: c for c in figure_candidates(read(setup, question))}
        assert by_value[1250.5].features["noun_missing"] == 0.0
        assert by_value[45.0].features["noun_missing"] == 1.0
    by_value = {c.value: c for c in figure_candidates(read(setup, "Có bao nhiêu điểm cầu trực tuyến?"))}
    assert by_value[45.0].features["noun_missing"] == 0.0


def test_a_calculation_is_told_when_it_restates_a_stated_figure_or_adds_a_head_to_its_item(setup):
    """194 đơn vị is stated with its parts (16, 72, 106) in a parenthesis: their sum restates it;
    194 + 72 adds the head to its own item (and 194 − 72 takes one item from its head); 106 + 72
    are two items, restating nothing. "100 − 45,5" restates no stated percentage of its passage."""
    ev = read(setup, "Hệ thống quản lý văn bản triển khai đến tổng cộng bao nhiêu đơn vị các cấp?")
    calcs = calculation_candidates(ev, figure_candidates(ev))

    def calc(expression):  # the operands counted in đơn vị (16 is also a count of máy chủ)
        return next(c for c in calcs if c.expression == expression and {f.unit for f in c.figures} == {"đơn vị"})

    assert calc("16 + 72 + 106").features["restates_stated"] == 1.0
    servers = [c for c in calcs if c.expression == "16 + 72 + 106" and c.figures[0].unit == "máy chủ"]
    assert all(c.features["restates_stated"] == 0.0 for c in servers)  # 194 counts đơn vị, not máy chủ
    assert calc("72 + 106").features["restates_stated"] == 0.0
    assert calc("194 + 72").features["whole_and_part"] == 1.0
    assert calc("194 - 72").features["whole_and_part"] == 1.0
    assert calc("72 + 106").features["whole_and_part"] == 0.0
    assert next(c for c in calcs if c.expression == "100 - 45.5").features["restates_stated"] == 0.0


STATED_SHARE = """BÁO CÁO
Kết quả chuyển đổi số tỉnh Vĩnh Long năm 2025

I. KẾT QUẢ ĐẠT ĐƯỢC

Toàn tỉnh có 550 hồ sơ trực tuyến trên tổng số 1.780 hồ sơ, đạt tỷ lệ 30,9%; còn 69,1% hồ sơ nộp trực tiếp.
"""


def test_a_share_or_complement_the_sentence_states_is_seen_as_restated(tmp_path_factory):
    """550 / 1.780 = 30,898…% is the stated 30,9% to its one written decimal; 100 − 30,9 is the stated
    69,1%; a count is never a percentage's restatement (1.780 − 550 = 1.230, no such count)."""
    setup = reading_context(tmp_path_factory.mktemp("share"), {"bao-cao-ho-so-2025.txt": STATED_SHARE})
    ev = read(setup, "Tỷ lệ hồ sơ trực tuyến là bao nhiêu phần trăm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    share = next(c for c in calcs if c.expression == "550 / 1780 * 100")
    rest = next(c for c in calcs if c.expression == "100 - 30.9")
    other = next(c for c in calcs if c.expression == "1780 - 550")
    assert share.features["restates_stated"] == 1.0 and rest.features["restates_stated"] == 1.0
    assert other.features["restates_stated"] == 0.0


def test_a_share_of_what_the_question_counts_leaves_the_noun_in_its_operands(setup):
    """ "chiếm bao nhiêu đơn vị" counts what 194 đơn vị names: a share of it (in %) leaves the noun
    behind, a difference in đơn vị keeps it; asked in percent, neither leaves anything."""
    ev = read(setup, "Hệ thống quản lý văn bản, cấp xã chiếm bao nhiêu đơn vị?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    share = next(c for c in calcs if c.expression == "106 / 194 * 100")
    gap = next(c for c in calcs if c.expression == "194 - 106")
    assert share.features["noun_left_in_operands"] == 1.0 and gap.features["noun_left_in_operands"] == 0.0
    ev = read(setup, "Hệ thống quản lý văn bản, cấp xã chiếm bao nhiêu phần trăm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    assert next(c for c in calcs if c.expression == "106 / 194 * 100").features["noun_left_in_operands"] == 0.0


STATIONS = """BÁO CÁO
Kết quả phát triển hạ tầng viễn thông tỉnh Vĩnh Long năm 2025

I. KẾT QUẢ ĐẠT ĐƯỢC

Toàn tỉnh có 1.780 trạm BTS, trong đó 550 trạm 4G.
Năm 2025 lắp đặt 88 km cáp quang và 45 điểm cầu trực tuyến (trong đó 20 điểm cầu cấp xã).
"""


def test_the_relations_hold_only_where_their_structure_is(tmp_path_factory):
    """A question in percent counts no "trạm" (both fold to "tram"); an item's head is the nearest
    figure before it, not any earlier one (88 km is not the head of 20 điểm cầu); a share of a head
    and its item is no sum of them; a sum of counts of different things restates no stated count."""
    setup = reading_context(tmp_path_factory.mktemp("bts"), {"bao-cao-bts-2025.txt": STATIONS})
    ev = read(setup, "Trạm 4G chiếm bao nhiêu phần trăm số trạm BTS?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    share = next(c for c in calcs if c.expression == "550 / 1780 * 100")
    assert share.features["noun_left_in_operands"] == 0.0 and share.features["whole_and_part"] == 0.0
    ev = read(setup, "Trạm 4G chiếm bao nhiêu trạm?")
    calcs = calculation_candidates(ev, figure_candidates(ev))
    assert next(c for c in calcs if c.expression == "550 / 1780 * 100").features["noun_left_in_operands"] == 1.0

    ev = read(setup, "Năm 2025 lắp đặt tổng cộng bao nhiêu điểm cầu trực tuyến?")
    calcs = calculation_candidates(ev, figure_candidates(ev))

    def calc(expression):
        return next(c for c in calcs if c.expression == expression)

    assert calc("45 + 20").features["whole_and_part"] == 1.0
    assert calc("88 + 20").features["whole_and_part"] == 0.0
    assert calc("88 + 45").features["restates_stated"] == 0.0  # no stated 133
