"""Wire schemas of the HTTP API (requests and responses), separate from the internal types."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.filters import Filters
from assistant.models import Answer, Citation, Document, Hit, RetrievedPassage


def span_url(document: str, start: int, end: int) -> str:
    return f"/api/v1/documents/{document}?start={start}&end={end}"


class FiltersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[str] | None = Field(default=None, max_length=100, description="Chỉ các tài liệu này (mã tài liệu).")
    province: str | None = Field(default=None, max_length=100, description="Tỉnh, ví dụ 'Trà Vinh'.")
    years: list[Annotated[int, Field(ge=1000, le=9999)]] | None = Field(
        default=None, max_length=50, description="Các năm (bốn chữ số), ví dụ [2023]."
    )

    def to_filters(self) -> Filters:
        return Filters.of(self.documents, self.province, self.years)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(max_length=100_000, description="Câu hỏi tiếng Việt (tối đa 2.000 ký tự).")
    history: list[str] = Field(default_factory=list, max_length=50, description="Các câu hỏi trước, cũ nhất trước.")
    filters: FiltersIn | None = None
    mode: Literal["default", "llm"] | None = Field(default=None, description="default (không dùng LLM) hoặc llm.")


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(max_length=100_000)
    k: int = Field(default=10, ge=1, le=50)
    filters: FiltersIn | None = None


class PassageOut(BaseModel):
    rank: int
    chunk_id: str
    document: str
    title: str
    section: str
    text: str
    start: int
    end: int
    score: float
    url: str

    @classmethod
    def of(cls, rank: int, p: RetrievedPassage) -> "PassageOut":
        return cls(rank=rank, url=span_url(p.document, p.start, p.end), **p.model_dump())

    @classmethod
    def from_hit(cls, hit: Hit) -> "PassageOut":
        return cls.of(hit.rank, RetrievedPassage.from_hit(hit))


class CitationOut(BaseModel):
    number: int
    document: str
    title: str
    section: str
    text: str
    start: int
    end: int
    quote: str
    quote_start: int
    quote_end: int
    url: str

    @classmethod
    def of(cls, c: Citation) -> "CitationOut":
        return cls(url=span_url(c.document, c.quote_start, c.quote_end), **c.model_dump(exclude={"chunk_id"}))


class FigureCheckOut(BaseModel):
    text: str
    value: float
    unit: str | None
    status: Literal["verified", "computed", "unverified"]
    citation: int | None


class OperandOut(BaseModel):
    value: float
    label: str
    raw: str
    citation: int | None


class CalculationOut(BaseModel):
    expression: str
    result: float
    operands: list[OperandOut]


class AnswerOut(BaseModel):
    id: str = Field(description="Mã câu trả lời, dùng cho POST /api/v1/feedback.")
    question: str
    answer: str = Field(description="Câu trả lời ngắn, có dấu trích dẫn [n].")
    abstained: bool = Field(description="true khi tài liệu không có thông tin này.")
    value: float | None
    unit: str | None
    citations: list[CitationOut]
    figures: list[FigureCheckOut] = Field(description="Mỗi con số trong câu trả lời và trạng thái kiểm chứng.")
    calculation: CalculationOut | None
    conflict: bool = Field(description="true khi các tài liệu nêu số liệu khác nhau cho cùng một chỉ tiêu.")
    retrieved: list[PassageOut]
    timings: dict[str, float]
    mode: str
    build: str = Field(description="Bản chỉ mục đã dùng.")

    @classmethod
    def of(cls, answer_id: str, a: Answer) -> "AnswerOut":
        return cls(
            id=answer_id,
            question=a.question,
            answer=a.answer,
            abstained=a.abstained,
            value=a.value,
            unit=a.unit,
            citations=[CitationOut.of(c) for c in a.citations],
            figures=[FigureCheckOut(**f.model_dump()) for f in a.figures],
            calculation=CalculationOut(**a.calculation.model_dump()) if a.calculation else None,
            conflict=a.conflict,
            retrieved=[PassageOut.of(i + 1, p) for i, p in enumerate(a.retrieved)],
            timings=a.timings,
            mode=a.mode,
            build=a.build,
        )


class SearchOut(BaseModel):
    passages: list[PassageOut]


class DocumentOut(BaseModel):
    id: str
    title: str
    doc_type: str | None
    number: str | None
    issuer: str | None
    signer: str | None = Field(None, description="Người ký, đọc từ khối chữ ký cuối văn bản.")
    province: str | None
    issued_date: str | None
    years_reported: list[int]
    years_planned: list[int]
    groups: list[str] = Field(description="Nhóm được xem; rỗng: mọi người.")
    passages: int
    characters: int

    @classmethod
    def of(cls, d: Document, passages: int) -> "DocumentOut":
        m = d.metadata
        return cls(
            id=d.id,
            title=d.title,
            doc_type=m.doc_type,
            number=m.number,
            issuer=m.issuer,
            signer=m.signer,
            province=m.province,
            issued_date=m.issued_date,
            years_reported=m.years_reported,
            years_planned=m.years_planned,
            groups=m.groups,
            passages=passages,
            characters=len(d.text),
        )


class DocumentsOut(BaseModel):
    documents: list[DocumentOut]


class DocumentTextOut(BaseModel):
    document: DocumentOut
    start: int
    end: int
    length: int = Field(description="Độ dài toàn văn (ký tự).")
    text: str = Field(description="Văn bản đã chuẩn hóa trong khoảng [start, end).")


class JobOut(BaseModel):
    id: str
    kind: Literal["upload", "delete"]
    document: str
    status: Literal["queued", "running", "done", "failed"]
    progress: float
    message: str
    url: str


class FigureOut(BaseModel):
    value: float
    raw: str
    unit: str | None
    kind: str
    indicator: str
    year: int | None = Field(description="Năm của số liệu; khi câu không nêu năm: năm của đoạn hoặc năm báo cáo.")
    year_stated: bool = Field(description="true khi chính câu văn nêu năm.")
    place: str | None
    document: str
    title: str
    sentence: str
    start: int
    end: int
    url: str


class FiguresOut(BaseModel):
    total: int
    figures: list[FigureOut]


class CalculateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expression: str = Field(max_length=500, description="Biểu thức số thập phân, ví dụ '72524 - 39217.236'.")


class CalculateOut(BaseModel):
    expression: str
    result: float
    text: str = Field(description="Kết quả viết kiểu Việt Nam, ví dụ '33.306,764'.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str = Field(default="", max_length=2000)


class FeedbackOut(BaseModel):
    id: int


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
