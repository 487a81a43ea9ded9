"""The record of one figure a document states (see :mod:`assistant.figures`)."""

from __future__ import annotations

from pydantic import BaseModel

#: The kinds of numbers that are figures (not dates, years or identifiers).
FIGURE_KINDS = frozenset(("quantity", "percent", "ratio", "money"))


class Figure(BaseModel):
    """A number a document states, with its indicator and where it is."""

    value: float
    raw: str
    unit: str | None = None
    is_percent: bool = False
    kind: str = "quantity"  # "quantity" | "percent" | "ratio" | "money"
    qualifier: str | None = None  # "hơn", "trên", "khoảng", "đạt" …
    scale: float = 1.0  # 1e6 for "triệu …", 1e9 for "tỷ đồng"
    total: float | None = None  # a ratio's denominator: "27/63" → 63
    indicator: str = ""
    year: int | None = None
    place: str | None = None
    document: str
    chunk_id: str
    start: int  # offsets into the document text
    end: int
    sentence: str = ""  # whitespace-normalized
    sentence_start: int = 0
    sentence_end: int = 0
    row_header: str | None = None
    column_header: str | None = None
    lead: str = ""  # the words before a count in its clause: "cấp mới" in "cấp mới 740 chứng thư số"
    context: str = ""  # the heads it breaks down, innermost first (see figure_context), " | "-joined
    part: bool = False  # a breakdown item: inside a parenthesis, after "trong đó", …
    window: str = ""  # its own words: a few on each side within its clause (see figures.window)

    @property
    def absolute(self) -> float:
        """``value`` times its scale word (``2 triệu`` → 2 000 000)."""
        return self.value * self.scale
