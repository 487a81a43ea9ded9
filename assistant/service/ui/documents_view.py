"""The list of loaded documents with their metadata, and the progress of an upload."""

from __future__ import annotations

from urllib.parse import quote

from assistant.models import Document
from assistant.service.ui.markup import esc, link, number

_DOC_TYPES = {"Kế hoạch": "KH", "Báo cáo": "BC", "Quyết định": "QĐ"}


def _years(years: list[int]) -> str:
    if not years:
        return ""
    ys = sorted(set(years))
    return (
        str(ys[0])
        if len(ys) == 1
        else f"{ys[0]}–{ys[-1]}"
        if ys[-1] - ys[0] == len(ys) - 1
        else ", ".join(map(str, ys))
    )


def vn_date(iso: str | None) -> str:
    """``2020-07-30`` → ``30/07/2020``; ``2023-06`` → ``06/2023``."""
    if not iso:
        return ""
    return "/".join(reversed(iso.split("-")))


def document_card(doc: Document, passages: int) -> str:
    m = doc.metadata
    kind = m.doc_type or "Tài liệu"
    facts = [
        ("Số hiệu", m.number),
        ("Cơ quan ban hành", m.issuer),
        ("Người ký", m.signer),
        ("Tỉnh", m.province),
        ("Ngày ban hành", vn_date(m.issued_date)),
        ("Năm đánh giá", _years(m.years_reported)),
        ("Năm kế hoạch", _years(m.years_planned)),
        ("Nhóm được xem", ", ".join(m.groups)),
    ]
    rows = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts if v)
    size = f"{number(passages)} đoạn · {number(len(doc.text))} ký tự"
    return (
        f'<article class="doc"><div class="doc-kind">{esc(_DOC_TYPES.get(kind, kind[:3].upper()))}</div>'
        f'<div class="doc-body"><h3>{esc(doc.title)}</h3><div class="muted small">{esc(kind)} · {esc(doc.id)}</div>'
        f'<dl>{rows}</dl><div class="doc-foot"><span class="muted small">{size}</span>'
        f"{link('/xem/' + quote(doc.id, safe=''), 'Đọc toàn văn ↗')}</div></div></article>"
    )


def documents_html(documents: list[tuple[Document, int]]) -> str:
    if not documents:
        return '<div class="empty">Chưa có tài liệu nào anh/chị được xem.</div>'
    ordered = sorted(documents, key=lambda d: (d[0].metadata.province or "", d[0].title))
    cards = "".join(document_card(d, n) for d, n in ordered)
    return f'<div class="docs"><div class="muted">{len(documents)} tài liệu đã nạp</div>{cards}</div>'


def progress_html(fraction: float, message: str, state: str = "running") -> str:
    """A progress bar: ``state`` is running, done or failed."""
    percent = max(0, min(100, round(fraction * 100)))
    return (
        f'<div class="progress p-{esc(state)}" role="progressbar" aria-valuenow="{percent}" '
        f'aria-valuemin="0" aria-valuemax="100"><div class="bar"><div style="width:{percent}%"></div></div>'
        f'<div class="progress-text">{esc(message)} <span class="muted">{percent}%</span></div></div>'
    )
