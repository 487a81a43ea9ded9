"""Documents (list, read a span, upload, delete), indexing jobs and the figure table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from assistant.errors import InvalidQuestionError, NotFoundError
from assistant.service.deps import CallerDep, ServiceDep
from assistant.service.routes.answers import ERRORS
from assistant.service.schemas import (
    DocumentOut,
    DocumentsOut,
    DocumentTextOut,
    FigureOut,
    FiguresOut,
    JobOut,
    span_url,
)

router = APIRouter(prefix="/api/v1", tags=["Tài liệu"])


@router.get("/documents", response_model=DocumentsOut, responses=ERRORS, summary="Danh sách tài liệu đã nạp")
def documents(service: ServiceDep, caller: CallerDep) -> DocumentsOut:
    return DocumentsOut(documents=[DocumentOut.of(d, n) for d, n in service.documents(caller)])


@router.get(
    "/documents/{document_id}",
    response_model=DocumentTextOut,
    responses=ERRORS,
    summary="Siêu dữ liệu và văn bản (toàn văn hoặc một đoạn theo vị trí)",
)
def document(
    document_id: str,
    service: ServiceDep,
    caller: CallerDep,
    start: Annotated[int, Query(ge=0, description="Vị trí đầu (ký tự).")] = 0,
    end: Annotated[int | None, Query(ge=0, description="Vị trí cuối (không gồm); bỏ trống: hết văn bản.")] = None,
) -> DocumentTextOut:
    doc = service.document(caller, document_id)
    length = len(doc.text)
    stop = length if end is None else min(end, length)
    if start > stop:
        raise InvalidQuestionError(
            f"Khoảng [{start}, {end}) không hợp lệ cho văn bản dài {length} ký tự.",
            hint="Hãy chọn start ≤ end ≤ độ dài văn bản.",
        )
    passages = sum(1 for c in service.pipeline.snapshot().chunks if c.document == doc.id)
    return DocumentTextOut(
        document=DocumentOut.of(doc, passages), start=start, end=stop, length=length, text=doc.text[start:stop]
    )


@router.post(
    "/documents",
    response_model=JobOut,
    status_code=202,
    responses={**ERRORS, 409: {}, 413: {}},
    summary="Tải lên tài liệu (.txt, .md, .docx, .pdf); lập chỉ mục ở nền (quản trị)",
)
def upload(
    service: ServiceDep,
    caller: CallerDep,
    file: Annotated[UploadFile, File(description="Tệp tài liệu, tối đa 50 MB.")],
    groups: Annotated[str, Form(description="Nhóm được xem, cách nhau bởi dấu phẩy; bỏ trống: mọi người.")] = "",
) -> JobOut:
    names = [g.strip() for g in groups.split(",") if g.strip()]
    job_id = service.jobs.upload(caller, file.filename, file.file, names)
    return _job(service, job_id)


@router.delete(
    "/documents/{document_id}",
    response_model=JobOut,
    status_code=202,
    responses=ERRORS,
    summary="Xóa tài liệu khỏi chỉ mục (quản trị); tệp được chuyển vào thùng rác",
)
def delete(document_id: str, service: ServiceDep, caller: CallerDep) -> JobOut:
    return _job(service, service.jobs.delete(caller, document_id))


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS, summary="Tiến độ một việc lập chỉ mục")
def job(job_id: str, service: ServiceDep, caller: CallerDep) -> JobOut:
    row = service.state.job(job_id)
    if row is None or (not caller.is_admin and row["key_id"] != caller.key_id):
        raise NotFoundError(f"Không có việc '{job_id}'.", hint="Mã việc có trong phản hồi của lần tải lên.")
    return _job(service, job_id)


def _job(service, job_id: str) -> JobOut:
    row = service.state.job(job_id)
    return JobOut(
        id=row["id"],
        kind=row["kind"],
        document=row["document"],
        status=row["status"],
        progress=row["progress"],
        message=row["message"],
        url=f"/api/v1/jobs/{row['id']}",
    )


@router.get("/figures", response_model=FiguresOut, responses=ERRORS, summary="Bảng số liệu (để xem xu hướng)")
def figures(
    service: ServiceDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(max_length=200, description="Chỉ tiêu, ví dụ 'trạm BTS'.")] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    document: Annotated[list[str] | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> FiguresOut:
    rows, total = service.figures(caller, q, year, document, limit)
    out = [
        FigureOut(
            value=r.figure["value"],
            raw=r.figure["raw"],
            unit=r.figure.get("unit"),
            kind=r.figure.get("kind", "quantity"),
            indicator=r.figure.get("indicator", ""),
            year=r.year,
            year_stated=bool(r.figure.get("year")),
            place=r.figure.get("place"),
            document=r.document.id,
            title=r.document.title,
            sentence=r.figure.get("sentence", ""),
            start=r.figure["start"],
            end=r.figure["end"],
            url=span_url(r.document.id, r.figure["start"], r.figure["end"]),
        )
        for r in rows
    ]
    return FiguresOut(total=total, figures=out)
