"""Sentence answers on real passages: lists over several clauses, explanations over two sentences,
the date a question means, the body a task belongs to, the table column asked for."""

from assistant.answering.question import analyze
from assistant.answering.sentences import DATE, question_refs, ranked_dates
from assistant.answering.text import SENTENCE, window
from tests.passages import BoundAnswerer, ask

LIMIT = 400  # the scorer's floor for the answer length


def _ask(index_data, question, *needles):
    data, _ = index_data
    a = ask(index_data, question, *needles)
    assert not a.abstained and len(a.answer) <= LIMIT
    for c in a.citations:
        assert data.documents[c.document].text[c.quote_start : c.quote_end] == c.quote
        assert f"[{c.number}]" in a.answer
    return a


def test_list_spread_over_clauses_is_kept_whole(index_data):
    a = _ask(
        index_data,
        "Các hệ thống của tỉnh Trà Vinh đã kết nối qua LGSP gồm những hệ thống nào?",
        "Các hệ thống của tỉnh kết nối qua LGSP gồm",
    )
    for name in ("Quản lý văn bản điều hành", "ISO điện tử", "Một cửa điện tử", "VBDLis"):
        assert name in a.answer


def test_explanation_takes_the_following_sentence(index_data):
    a = _ask(
        index_data,
        "Theo KH CĐS 2023, vì sao Trà Vinh chưa ban hành danh mục dữ liệu dùng chung, dữ liệu mở?",
        "tỉnh chưa ban hành danh mục dữ liệu dùng chung",
    )
    assert "chưa ban hành danh mục" in a.answer and "Sau khi hoàn chỉnh Kho dữ liệu" in a.answer


def test_bullets_under_the_named_heading(index_data):
    a = _ask(
        index_data,
        "Phần thứ hai báo cáo NQ 36 của Tiền Giang đề ra những giải pháp gì về xây dựng hạ tầng kỹ thuật?",
        "3. Về xây dựng hạ tầng kỹ thuật",
    )
    assert "cấp xã" in a.answer and "Trung tâm Tích hợp dữ liệu" in a.answer and "LGSP" in a.answer
    assert len(a.citations) >= 2


def test_date_of_the_named_document(index_data):
    a = _ask(
        index_data,
        "QĐ 505/QĐ-TTg của Thủ tướng về Ngày Chuyển đổi số quốc gia ban hành ngày nào?",
        "Quyết định số 146/QĐ-TTg",
        "Quyết định số 505/QĐ-TTg",
    )
    assert a.answer.startswith("ngày 22/4/2022") and "505/QĐ-TTg" in a.citations[0].quote


def test_signing_date_is_the_document_header(index_data):
    a = _ask(
        index_data,
        "Quyết định 2063/QĐ-UBND ban hành KH ứng dụng CNTT trong CQNN tỉnh Trà Vinh năm 2020 được ký ngày nào?",
        "Căn cứ Quyết định số 835/QĐ-UBND",
        "Số: 2063/QĐ-UBND",
    )
    assert a.answer.startswith("ngày 21 tháng 4 năm 2020")
    assert "ngày 21 tháng 4 năm 2020" in a.citations[0].quote


def test_date_of_a_decree_cited_in_passing_is_not_the_answer(index_data):
    a = _ask(
        index_data,
        "Theo KH KTXH 2024, Kho quản lý dữ liệu điện tử của tổ chức, cá nhân tại Cổng DVC dự kiến đưa "
        "vào sử dụng thử nghiệm từ ngày nào?",
        "Tiếp tục thí điểm triển khai Kho quản lý dữ liệu điện tử",
    )
    assert a.answer.startswith("từ 15/8/2022")


def test_period_is_answered_whole(index_data):
    a = _ask(
        index_data,
        "Sở TN&MT Tiền Giang thực hiện nhiệm vụ xây dựng CSDL phục vụ ứng phó biến đổi khí hậu trong "
        "khoảng thời gian nào?",
        "Từ tháng 10/2021 đến tháng 4/2023",
    )
    assert a.answer.startswith("Từ tháng 10/2021 đến tháng 4/2023")


def test_task_is_answered_with_the_body_it_is_listed_under(index_data):
    a = _ask(
        index_data,
        "Theo QĐ 2063, cơ quan nào chủ trì hướng dẫn CQNN các cấp áp dụng đồng bộ phần mềm ISO điện tử?",
        "đ) Sở Khoa học và Công nghệ:",
    )
    assert a.answer.startswith("đ) Sở Khoa học và Công nghệ:") and len(a.citations) == 2
    assert "ISO điện tử" in a.citations[1].quote


def test_table_answers_the_column_the_question_names(index_data):
    a = _ask(
        index_data,
        "Khó khăn khi triển khai phần mềm Quản lý ngân sách dự án đầu tư ở Trà Vinh (Phụ lục 04) là gì?",
        "Quản lý ngân sách dự án đầu tư\tSở Tài chính",
    )
    assert a.answer.startswith("Do chưa có văn bản quy phạm pháp luật") and "(Khó khăn — " in a.answer
    b = _ask(
        index_data,
        "Lộ trình triển khai phần mềm Quản lý ngân sách dự án đầu tư theo Phụ lục 04 QĐ 2063?",
        "Quản lý ngân sách dự án đầu tư\tSở Tài chính",
    )
    assert b.answer.startswith("2018 - 2019")


def test_long_sentence_is_cut_around_the_keywords(index_data):
    a = _ask(
        index_data,
        "Sàn nông sản sạch mà Sở NN&PTNT Trà Vinh phối hợp hỗ trợ giao dịch có tên là gì?",
        "hỗ trợ giao dịch trên sàn Nông sản sạch",
    )
    assert "Azuamua.com" in a.answer


def test_sentence_split_keeps_lines_without_a_stop():
    parts = [
        m.group(0).strip()
        for m in SENTENCE.finditer("Số: 2063/QĐ-UBND\nTrà Vinh, ngày 21 tháng 4 năm 2020\ngồm: A; B.\n“Lớp 1.” Hết")
    ]
    assert parts == ["Số: 2063/QĐ-UBND", "Trà Vinh, ngày 21 tháng 4 năm 2020", "gồm: A;", "B.", "“Lớp 1.”", "Hết"]


def test_dates_and_document_numbers():
    assert [m.group(0) for m in DATE.finditer("thực hiện từ năm 2022 - 2024; Từ 2011 đến nay")] == [
        "từ năm 2022 - 2024",
        "Từ 2011 đến nay",
    ]
    assert question_refs("Theo QĐ 2063, Thông tư 137/2017/TT-BTC và 27-QĐ/TW") == {"2063", "137", "27"}
    q = analyze("Văn bản được ban hành ngày nào?")
    text = "theo Nghị định số 45/2020/NĐ-CP ngày 08/4/2020 (dự kiến từ 15/8/2022); đạt 85/85 xã"
    assert ranked_dates(text, q, set())[0] == "từ 15/8/2022"
    assert "85/85" not in ranked_dates(text, q, set())
    assert ranked_dates(text, q, {"45"})[0] == "ngày 08/4/2020"


def test_window_keeps_the_keywords():
    text = "mở đầu " * 80 + "sàn Azuamua giao dịch"
    cut = window(text, {"azuamua": 1.0, "san": 1.0}, 100)
    assert cut.startswith("…") and "sàn Azuamua" in cut and len(cut) <= 101
    both = window("sàn " + "mở đầu " * 80 + "Azuamua", {"azuamua": 1.0, "san": 1.0}, 100)
    assert both.startswith("sàn mở đầu") and both.endswith("Azuamua") and "… …" not in both


def test_counted_items_start_at_the_clause_that_announces_them(index_data):
    a = _ask(
        index_data,
        "04 hệ thống, CSDL thuộc hệ Đảng vận hành tại Trung tâm CNTT&TT Trà Vinh gồm những gì?",
        "04 hệ thống, cơ sở dữ liệu thuộc hệ Đảng",
        "Hệ thống máy chủ (vận hành theo mô hình tập trung)",
    )
    assert a.answer.startswith("- 04 hệ thống") and "Sổ tay đảng viên điện tử" in a.answer
    a = _ask(
        index_data,
        "Năm 2019, nhóm chỉ tiêu ứng dụng CNTT phục vụ người dân và DN của Trà Vinh có 2 mục tiêu chưa đạt là gì?",
        "Nhóm chỉ tiêu Ứng dụng công nghệ thông tin phục vụ người dân",
    )
    assert a.answer.startswith("Bên cạnh đó, còn 02 mục tiêu chưa đạt gồm:") and "một cửa điện tử" in a.answer


def test_quoted_item_is_not_the_announcing_clause(index_data):
    a = _ask(
        index_data,
        "Trong mô hình 4 lớp ATTT của Trà Vinh (KH KTXH 2024), “Lớp 3” là gì?",
        "theo mô hình 4 lớp theo Chỉ thị số 14/CT-TTg",
    )
    assert a.answer.startswith("“Lớp 3” Tổ chức hoặc thuê doanh nghiệp")


def test_words_naming_the_document_do_not_pick_the_clause(index_data):
    a = _ask(
        index_data,
        "Mục tiêu tổng quát của KH KTXH ngành TT&TT 2021 về lĩnh vực bưu chính là gì?",
        "Phát triển và duy trì mạng lưới bưu chính",
    )
    assert a.answer.startswith("Phát triển và duy trì mạng lưới bưu chính")


def test_date_question_prefers_the_sentence_with_a_date(index_data):
    a = _ask(
        index_data,
        "bo tt&tt ban hanh thong tu huong dan thuc hien chuong trinh dtts&mn vao ngay nao "
        "(theo kh ktxh 2024 cua tra vinh)",
        "3.3. Chương trình mục tiêu quốc gia phát triển KT-XH",
        "Do đến ngày 30/5/2023",
    )
    assert a.answer.startswith("ngày 30/5/2023")


def test_signer_is_read_from_the_signature_block(index_data):
    a = _ask(
        index_data,
        "Ai ký Quyết định 2063/QĐ-UBND năm 2020 của UBND tỉnh Trà Vinh?",
        "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh",
    )
    assert (
        a.answer.startswith("Nguyễn Trung Hoàng — Phó chủ tịch")
        and a.citations[0].quote.strip() == "Nguyễn Trung Hoàng"
    )


def test_other_name_is_the_parentheses_after_the_name(index_data):
    a = _ask(
        index_data,
        "Ứng dụng Trà Vinh số còn có tên gọi khác là gì?",
        "STT\tTên hệ thống, phần mềm",
        "Hoàn thiện và đưa vào sử dụng ứng dụng Trà Vinh số",
    )
    assert a.answer.startswith("Smart Trà Vinh")
    a = _ask(index_data, "vnfishbase la co so du lieu gi", "VNFISHBASE (cơ sở dữ liệu ngành thủy sản)")
    assert a.answer.startswith("cơ sở dữ liệu ngành thủy sản")


def test_table_row_is_scored_on_its_cells_not_every_header(index_data):
    data, settings = index_data
    answerer = BoundAnswerer(data, settings)
    from assistant.answering.sentences import _row_tokens

    chunk = next(c for c in data.chunks if c.kind == "table" and "Bản đồ số hóa thủy lợi" in c.text)
    q = answerer.analyze("Ứng dụng Trà Vinh số còn có tên gọi khác là gì?")
    assert "khac" not in _row_tokens(answerer, q, chunk)  # "… các Bộ, ngành liên quan khác" is a header


def test_date_of_a_document_named_by_title_wins_over_others():
    from assistant.answering.lookups import titled_dates

    q = analyze("Luật Tổ chức chính quyền địa phương có ngày ban hành là ngày nào?")
    text = "Căn cứ Nghị định số 45/2020/NĐ-CP ngày 08/4/2020; Luật Tổ chức chính quyền địa phương ngày 19/6/2015"
    assert titled_dates(q, text) == ["ngày 19/6/2015"]
    assert ranked_dates(text, q, set())[0] == "ngày 19/6/2015"


def test_reference_phrase_stops_before_what_the_document_is_about():
    from assistant.answering.lookups import _REF_PHRASE, asks_reference

    assert asks_reference(analyze("Đề án này được ban hành theo quyết định nào?"))
    m = _REF_PHRASE.search("theo Quyết định số 2774/QĐ-UBND ngày 29/11/2021 của UBND tỉnh ban hành Đề án X")
    assert m.group(0) == "Quyết định số 2774/QĐ-UBND ngày 29/11/2021 của UBND tỉnh"


def test_address_question_answers_with_the_url():
    from assistant.answering.sentences import _URL

    assert (
        _URL.search("trang học tập của trường: <https://lms.tvu.edu.vn>, có bộ phận").group(0)
        == "https://lms.tvu.edu.vn"
    )
