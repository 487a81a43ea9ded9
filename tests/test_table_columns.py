"""Column sums from a table's structure (assistant/answering/table_columns.py), on an invented
appendix: the whole column, the rows of one lead agency, blank cells left out, and the rows the
retriever did not return."""

from __future__ import annotations

import math

from tests.conftest import invented_pipeline

APPENDIX = """KẾ HOẠCH
Ứng dụng công nghệ thông tin tỉnh Hậu Giang năm 2027

PHỤ LỤC 02
Danh mục nhiệm vụ, dự án công nghệ thông tin năm 2027

STT\tTên nhiệm vụ, dự án\tĐơn vị chủ trì\tKinh phí năm 2027 (triệu đồng)\tNguồn vốn
1\tNâng cấp mạng nội bộ các sở\tSở Nội vụ\t1.250\tNgân sách tỉnh
2\tPhần mềm quản lý đất đai\tSở Tài nguyên và Môi trường\t830\tNgân sách tỉnh
3\tCơ sở dữ liệu quan trắc môi trường\tSở Tài nguyên và Môi trường\t420\tSự nghiệp
4\tĐào tạo kỹ năng số cho cán bộ\tSở Nội vụ\t\tChưa bố trí
5\tBản đồ số tài nguyên nước\tSở Tài nguyên và Môi trường\t615\tSự nghiệp
6\tTrung tâm giám sát an toàn thông tin\tSở Thông tin và Truyền thông\t2.900\tNgân sách tỉnh
"""


def _columns(pipeline, question: str):
    hits = pipeline.search(question, 10)
    _, reading = pipeline.answerer().read(question, hits, pipeline.snapshot().view())
    return [c for c in reading.calculations if c.features.get("column")], hits


def test_a_column_is_summed_whole_and_by_the_rows_naming_a_word_of_the_question(tmp_path):
    pipeline = invented_pipeline(tmp_path, {"phu-luc-02.txt": APPENDIX})
    sums, hits = _columns(pipeline, "Tổng kinh phí năm 2027 của các dự án do Sở Tài nguyên và Môi trường chủ trì?")
    by_value = {round(c.value, 6): c for c in sums}
    whole = 1250 + 830 + 420 + 615 + 2900  # row 4 has no figure: it is no operand
    assert whole in by_value and by_value[whole].features["column_rows"] == 1.0
    assert math.isclose(by_value[whole].value, whole) and by_value[whole].features["n_operands"] == 5
    agency = 830 + 420 + 615
    assert agency in by_value and by_value[agency].features["column_rows"] == 3 / 5
    # Every row's cell is cited from its own row, retrieved or not.
    cited = {s.hit.chunk.id for s in by_value[whole].spans}
    assert len(cited) == 5
    # Never a sum across two columns, nor of another table's cells.
    assert all(c.unit == by_value[whole].unit for c in sums)


def test_a_text_passage_gives_no_column(tmp_path):
    text = "BÁO CÁO\nKết quả năm 2027 tỉnh Hậu Giang\n\n- Toàn tỉnh có 120 điểm Wi-Fi và 45 điểm truy cập công cộng.\n"
    pipeline = invented_pipeline(tmp_path, {"bao-cao.txt": text})
    sums, _ = _columns(pipeline, "Tổng cộng có bao nhiêu điểm Wi-Fi và điểm truy cập công cộng?")
    assert sums == []
