"""``/xem/{id}?start=&end=``: a document as a page to read, the cited span highlighted and scrolled
into view. The same access rules as the API: the key comes in ``X-API-Key`` or in the cookie the
chat page sets after the user enters a key (``POST /xem/khoa``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from assistant.errors import AssistantError, AuthenticationError
from assistant.models import Document
from assistant.service.access import Caller
from assistant.service.ui.markup import esc

router = APIRouter(include_in_schema=False)
COOKIE = "tl_xem"
COOKIE_SECONDS = 12 * 3600

STYLE = """
body{margin:0;font-family:"Noto Sans","Segoe UI",Roboto,Arial,sans-serif;background:#f4f6f9;color:#1f2937}
header{position:sticky;top:0;background:#0f3d6e;color:#fff;padding:12px 20px;box-shadow:0 2px 6px #0002}
header a{color:#cfe3ff;font-size:14px;text-decoration:none}
h1{font-size:18px;margin:4px 0 2px;line-height:1.35}
.meta{font-size:13px;color:#d6e4f5}
main{max-width:860px;margin:20px auto;padding:0 16px}
.text{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:20px 24px;white-space:pre-wrap;
 line-height:1.65;font-size:15.5px;overflow-wrap:anywhere}
mark{background:#fde68a;padding:2px 0;border-radius:3px;box-shadow:0 0 0 3px #fde68a;scroll-margin-top:35vh}
.note{font-size:14px;color:#475569;margin:0 0 10px}
"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        status_code=status,
    )


def _caller(request: Request, key: str | None) -> Caller:
    service = request.app.state.service
    return service.authenticate(key or request.cookies.get(COOKIE) or None)


def _meta(doc: Document) -> str:
    m = doc.metadata
    parts = [m.doc_type, f"Số {m.number}" if m.number else None, m.issuer, m.province, m.issued_date]
    return " · ".join(esc(p) for p in parts if p)


@router.get("/xem/{document_id}", response_class=HTMLResponse)
def view(
    document_id: str,
    request: Request,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    back = '<a href="/">← Về trang hỏi đáp</a>'
    try:
        doc = request.app.state.service.document(_caller(request, x_api_key), document_id)
    except AuthenticationError as exc:
        return _page(
            "Cần khóa truy cập",
            f"<header>{back}<h1>Cần khóa truy cập</h1></header><main>"
            f'<p class="note">{esc(exc)} Hãy mở trang hỏi đáp, nhập khóa rồi bấm lại liên kết.</p></main>',
            401,
        )
    except AssistantError as exc:
        return _page(
            "Không có tài liệu",
            f'<header>{back}<h1>Không mở được tài liệu</h1></header><main><p class="note">{esc(exc)}</p></main>',
            exc.status_code,
        )
    text = doc.text
    a = min(start if start is not None else 0, len(text))
    b = min(end if end is not None else a, len(text))
    if start is not None and b > a:
        body = f'{esc(text[:a])}<mark id="doan">{esc(text[a:b])}</mark>{esc(text[b:])}'
        note = '<p class="note">Đoạn được trích dẫn được tô vàng.</p>'
    else:
        body, note = esc(text), ""
    return _page(
        doc.title,
        f'<header>{back}<h1>{esc(doc.title)}</h1><div class="meta">{_meta(doc)}</div></header>'
        f'<main>{note}<div class="text">{body}</div></main>',
    )


@router.post("/xem/khoa")
def remember_key(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> JSONResponse:
    """Keep the chat page's key in an HttpOnly cookie, so that links to documents open with it."""
    _caller(request, x_api_key)  # 401 unless the key is valid
    response = JSONResponse({"ok": True})
    if x_api_key:
        response.set_cookie(COOKIE, x_api_key, max_age=COOKIE_SECONDS, path="/xem", httponly=True, samesite="strict")
    return response
