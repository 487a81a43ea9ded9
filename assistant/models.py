"""Internal data types shared by indexing, retrieval, answering and evaluation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class DocumentMetadata(BaseModel):
    """What the document says about itself (extracted; a ``<file>.meta.yaml`` sidecar overrides)."""

    title: str = ""
    doc_type: str | None = None  # "Kế hoạch", "Báo cáo", "Quyết định" …
    number: str | None = None  # "2063/QĐ-UBND"
    issuer: str | None = None  # "Sở Thông tin và Truyền thông"
    signer: str | None = None  # "Phó Chủ tịch Nguyễn Trung Hoàng (KT. Chủ tịch, TM. Ủy ban nhân dân)"
    province: str | None = None  # "Trà Vinh"
    issued_date: str | None = None  # ISO "2020-04-21" or partial "2023-06"
    years_reported: list[int] = Field(default_factory=list)
    years_planned: list[int] = Field(default_factory=list)
    #: Access groups that may see the document; empty: everyone.
    groups: list[str] = Field(default_factory=list)


class Document(BaseModel):
    """A normalized document. ``text`` is what every offset points into."""

    id: str  # file name inside documents/, e.g. "tra-vinh-qd-2063-ung-dung-cntt-2020.txt"
    text: str
    sha256: str  # of the raw file bytes
    metadata: DocumentMetadata = Field(default_factory=DocumentMetadata)

    @property
    def title(self) -> str:
        return self.metadata.title or self.id


class Chunk(BaseModel):
    """A passage cut along the administrative structure.

    ``text`` is exactly ``document.text[start:end]``; ``header`` is the table header row a
    table-row chunk carries (not part of the span).
    """

    id: str
    document: str
    title: str
    section: str  # "Phần I › II. Tình hình thực hiện › 3. Hạ tầng số"
    start: int
    end: int
    text: str
    kind: str = "text"  # "text" | "table"
    header: str | None = None
    province: str | None = None
    years: list[int] = Field(default_factory=list)

    def context_text(self) -> str:
        """Text that is embedded and indexed lexically: title, section path, header, span."""
        body = self.text
        if self.kind == "table" and self.header:
            body = "\n".join(_pair_cells(self.header, row) for row in self.text.split("\n"))
        return "\n".join(p for p in (self.title, self.section, body) if p)


def _pair_cells(header: str, row: str) -> str:
    """ "Tổng mức đầu tư: 47.803; Kinh phí đã giải ngân: 33.223" from a header and a row."""
    names = header.split("\t")
    cells = row.split("\t")
    if len(cells) < 2:
        return row
    pairs = [
        f"{names[i].strip()}: {cell.strip()}" if i < len(names) and names[i].strip() else cell.strip()
        for i, cell in enumerate(cells)
        if cell.strip()
    ]
    return "; ".join(pairs)


class Hit(BaseModel):
    """A retrieved chunk with its scores (fused and per retriever)."""

    chunk: Chunk
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None
    rank: int = 0


# --- answers -----------------------------------------------------------------------------


class RetrievedPassage(BaseModel):
    """One of the top passages as shown with an answer (and written to predictions.jsonl)."""

    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    start: int
    end: int
    score: float

    @classmethod
    def from_hit(cls, hit: Hit) -> "RetrievedPassage":
        c = hit.chunk
        return cls(
            chunk_id=c.id,
            document=c.document,
            title=c.title,
            section=c.section,
            text=c.text,
            start=c.start,
            end=c.end,
            score=hit.score,
        )


class Citation(BaseModel):
    """A numbered citation: the passage and the exact supporting sentence inside it."""

    number: int  # 1-based, as written in the answer "[1]"
    chunk_id: str
    document: str
    title: str
    section: str
    text: str  # the passage text (== document.text[start:end])
    start: int
    end: int
    quote: str  # the supporting sentence (== document.text[quote_start:quote_end])
    quote_start: int
    quote_end: int


class Operand(BaseModel):
    """One input of a calculation, with where it was read."""

    value: float
    label: str = ""  # the indicator phrase, e.g. "tổng mức đầu tư"
    raw: str = ""  # as the document writes it, "72.524"
    citation: int | None = None  # Citation.number


class Calculation(BaseModel):
    """A deterministic calculation the calculator made."""

    expression: str  # plain decimals, e.g. "72524 - 39217.236"
    operands: list[Operand] = Field(default_factory=list)
    result: float


class FigureCheck(BaseModel):
    """A number that appears in the answer text, and whether the documents back it."""

    text: str  # as written in the answer, "1.222"
    value: float
    unit: str | None = None
    status: str  # "verified" | "computed" | "unverified"
    citation: int | None = None


class Answer(BaseModel):
    """The one answer object used by the CLI, the API, the UI and the evaluation."""

    question: str
    answer: str
    abstained: bool = False
    value: float | None = None
    unit: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    figures: list[FigureCheck] = Field(default_factory=list)
    calculation: Calculation | None = None
    conflict: bool = False  # the passages give different figures for the same thing
    retrieved: list[RetrievedPassage] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)  # milliseconds per stage
    mode: str = "default"
    build: str = ""  # the index build the answer was read from
