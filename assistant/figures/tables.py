"""Figures in table chunks.

Table chunks (``kind == "table"``, tab-separated rows, ``header`` the header row): every
number in a cell gets ``column_header`` (its header cell) and ``row_header`` (the row's
name/task/indicator cell); the "TT" column is skipped. A cell that is only a number takes
its unit from the header ("(triệu đồng)") or the row's "Đơn vị tính" cell, is money under a
money header ("Tổng mức đầu tư", "Kinh phí …"), and its indicator is the column header —
or the row label under a value column such as "Kế hoạch năm 2024" (whose year it takes).
Its ``sentence`` is "row label | column header | cell"; ``sentence_start``/``end`` cover
the cell. Numbers inside a text cell are read as prose, with the headers added.
"""

from __future__ import annotations

import re

from assistant.figures.indicator import squash, trim
from assistant.figures.model import FIGURE_KINDS, Figure
from assistant.figures.prose import make_figure, place_near, prose_figures
from assistant.models import Chunk
from assistant.vietnamese.number_finder import NumberMatch, find_numbers
from assistant.vietnamese.numbers import parse_number, scale_of

_ORDINAL_COLUMN = re.compile(r"^(?:s?tt|số tt|số thứ tự)$", re.IGNORECASE)
_LABEL_COLUMN = re.compile(r"tên|nhiệm vụ|chỉ tiêu|nội dung|dự án|hạng mục|danh mục|hệ thống", re.IGNORECASE)
_UNIT_COLUMN = re.compile(r"^đơn vị tính$|^đvt$", re.IGNORECASE)
_VALUE_COLUMN = re.compile(r"kế hoạch|thực hiện|^năm|ước|số lượng|giá trị|kết quả|chỉ số", re.IGNORECASE)
_MONEY_COLUMN = re.compile(r"đầu tư|kinh phí|vốn|giải ngân|dự toán|chi phí|ngân sách", re.IGNORECASE)
_HEADER_UNIT = re.compile(r"\((triệu đồng|tỷ đồng|nghìn đồng|đồng|%)\)", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def table_figures(chunk: Chunk) -> list[Figure]:
    header = _cells(chunk.header or "")
    out: list[Figure] = []
    pos = 0
    for line in chunk.text.split("\n"):
        line_at, pos = pos, pos + len(line) + 1
        cells = _cells(line)
        if not line.strip() or [c.lower() for _, c in cells] == [c.lower() for _, c in header]:
            continue
        if len(cells) == 1:  # a caption or note line inside the table chunk
            out.extend(prose_figures(chunk, line, line_at))
            continue
        row_label = _row_label(cells, header)
        unit_cell = next(
            (c for i, (_, c) in enumerate(cells) if i < len(header) and _UNIT_COLUMN.match(header[i][1])), None
        )
        for i, (cell_at, cell) in enumerate(cells):
            column = header[i][1] if i < len(header) else None
            if column and (_ORDINAL_COLUMN.match(column) or _UNIT_COLUMN.match(column)):
                continue
            if not cell.strip():
                continue
            if i == 0 and not column and re.fullmatch(r"\s*\w{1,4}[.)]?\s*", cell):
                continue  # the ordinal of a header-less table
            base = line_at + cell_at
            out.extend(_cell_figures(chunk, base, line[cell_at : cell_at + len(cell)], column, row_label, unit_cell))
    return out


def _cells(line: str) -> list[tuple[int, str]]:
    cells, at = [], 0
    for part in line.split("\t"):
        cells.append((at, part))
        at += len(part) + 1
    return cells


def _row_label(cells: list[tuple[int, str]], header: list[tuple[int, str]]) -> str | None:
    texts = [squash(_TAGS.sub(" ", c)) for _, c in cells]
    labels = [i for i, (_, name) in enumerate(header) if _LABEL_COLUMN.search(name)]
    for i in labels:
        if i < len(texts) and texts[i] and parse_number(texts[i]) is None:
            return texts[i]
    if labels:
        return None  # a continuation row: its label cell is empty
    for i, t in enumerate(texts):
        column = header[i][1] if i < len(header) else ""
        if t and len(t.split()) >= 2 and parse_number(t) is None and not _ORDINAL_COLUMN.match(column):
            return t
    return None


def _cell_figures(
    chunk: Chunk, base: int, cell: str, column: str | None, row_label: str | None, unit_cell: str | None
) -> list[Figure]:
    column_header = squash(_TAGS.sub(" ", column)) if column else None
    value = parse_number(cell)
    if value is None or not re.fullmatch(r"\s*[\d.,]+%?\s*", cell):
        figures = prose_figures(chunk, cell, base)
        return [
            f.model_copy(
                update={
                    "row_header": row_label,
                    "column_header": column_header,
                    "year": f.year or _column_year(column_header),
                }
            )
            for f in figures
        ]
    matches = [m for m in find_numbers(cell) if m.kind in FIGURE_KINDS]
    if not matches:
        return []
    m = matches[0]
    unit = _table_unit(column_header, unit_cell) or m.unit
    percent = m.is_percent or unit == "%"
    kind = (
        "percent"
        if percent
        else (
            "money"
            if (unit and re.search(r"đồng$", unit)) or (column_header and _MONEY_COLUMN.search(column_header))
            else "quantity"
        )
    )
    m = NumberMatch(
        m.start, m.end, m.raw, m.value, kind, percent, "%" if percent else unit, m.qualifier, scale_of(unit), m.total
    )
    if column_header and not _VALUE_COLUMN.search(column_header) or not row_label:
        indicator = trim(_HEADER_UNIT.sub("", column_header or ""), "first")
    else:
        indicator = trim(row_label, "first")
    figure = make_figure(
        chunk, m, base, cell, 0, len(cell.rstrip()), indicator, row_header=row_label, column_header=column_header
    )
    sentence = " | ".join(t for t in (row_label, column_header, cell.strip()) if t)
    return [
        figure.model_copy(
            update={"sentence": sentence, "year": _column_year(column_header), "place": place_near(row_label or "", 0)}
        )
    ]


def _table_unit(column: str | None, unit_cell: str | None) -> str | None:
    if unit_cell and unit_cell.strip():
        return unit_cell.strip().lower() if unit_cell.strip() != "%" else "%"
    if column:
        m = _HEADER_UNIT.search(column)
        if m:
            return m.group(1).lower()
    return None


def _column_year(column: str | None) -> int | None:
    if not column:
        return None
    m = re.search(r"\b((?:19|20)\d\d)\b", column)
    return int(m.group(1)) if m else None
