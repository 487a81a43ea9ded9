"""What the UI does, calling the Service in-process with the caller of the browser session.

The session keeps the key it was given (server-side ``gr.State``); every action authenticates it
again, so a revoked key stops working at once and the per-key rate limit applies to the UI too."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError
from assistant.filters import Filters
from assistant.service import sse
from assistant.service.access import Caller
from assistant.service.service import Service
from assistant.service.ui import chart, trend
from assistant.service.ui.conversation import ChatTurn, conversation_html, history
from assistant.service.ui.documents_view import documents_html, progress_html
from assistant.service.ui.markup import esc

log = logging.getLogger("assistant.ui")
PIECE_SECONDS = 0.03  # a short pause between streamed pieces, so the answer is seen arriving
JOB_POLL_SECONDS = 0.25
JOB_TIMEOUT_SECONDS = 900
FIGURE_LIMIT = 1000


def scope_text(documents: list[str] | None, province: str | None, years: list[str] | None) -> str:
    parts = []
    if documents:
        parts.append(f"{len(documents)} tài liệu")
    if province:
        parts.append(province)
    if years:
        parts.append("năm " + ", ".join(sorted(years)))
    return " · ".join(parts)


def filters_label(documents, province, years) -> str:
    scope = scope_text(documents, province, years)
    return f"Bộ lọc: {scope}" if scope else "Bộ lọc: tất cả tài liệu, mọi tỉnh, mọi năm"


class Handlers:
    def __init__(self, service: Service) -> None:
        self.service = service

    def caller(self, key: str | None) -> Caller:
        return self.service.authenticate(key or None)

    @property
    def keys_on(self) -> bool:
        return self.service.keys.enabled()

    # --- the page of a session ---------------------------------------------------------------
    def page(self, key: str | None) -> tuple:
        """(login box, main, who, documents filter, province, years, figure documents, document list, upload box)."""
        caller = self.caller(key)
        documents = self.service.documents(caller)
        doc_choices = sorted(((d.title, d.id) for d, _ in documents), key=lambda c: c[0])
        provinces = sorted({d.metadata.province for d, _ in documents if d.metadata.province})
        years = sorted({str(y) for d, _ in documents for y in d.metadata.years_reported + d.metadata.years_planned})
        return (
            gr.update(visible=False),
            gr.update(visible=True),
            self.who(caller, len(documents)),
            gr.update(choices=doc_choices),
            gr.update(choices=[("Mọi tỉnh", "")] + [(p, p) for p in provinces]),
            gr.update(choices=years),
            gr.update(choices=doc_choices),
            documents_html(documents),
            gr.update(visible=caller.is_admin),
        )

    def who(self, caller: Caller, documents: int) -> str:
        if caller.key_id is None:
            role = "Chạy cục bộ (quản trị)"
        else:
            role = "Quản trị" if caller.is_admin else "Người đọc"
            if caller.groups:
                role += " · nhóm " + ", ".join(sorted(caller.groups))
        return header_html(f"<b>{esc(role)}</b><br>{documents} tài liệu đã nạp")

    def load(self, key: str | None) -> tuple:
        if self.keys_on and not key:
            hidden = (gr.skip(),) * 7
            return (gr.update(visible=True), gr.update(visible=False), *hidden)
        return self.page(key)

    def login(self, key: str) -> tuple:
        """(key state, message, *page)."""
        key = (key or "").strip()
        try:
            page = self.page(key)
        except AssistantError as exc:
            return (None, f'<div class="notice n-error">{esc(exc)}</div>', *self.load(None))
        return (key, "", *page)

    # --- asking ------------------------------------------------------------------------------
    def ask(self, question, turns, key, documents, province, years) -> Iterator[tuple]:
        """Streams (conversation, turns, question box, examples)."""
        question = (question or "").strip()
        if not question:
            yield conversation_html(turns), turns, gr.skip(), gr.skip()
            return
        turns = list(turns or [])
        turn = ChatTurn(question, scope=scope_text(documents, province, years), status="Đang tìm trong tài liệu…")
        turns.append(turn)
        yield conversation_html(turns), turns, "", gr.update(visible=False)
        try:
            caller = self.caller(key)
            filters = Filters.of(documents, province, [int(y) for y in years or []])
            step = self.service.turn(caller, question, history=history(turns[:-1]), filters=filters or None)
            hits = step.retrieve()
            turn.status = f"Đã tìm thấy {len(hits)} đoạn liên quan, đang soạn câu trả lời…"
            yield conversation_html(turns), turns, gr.skip(), gr.skip()
            answer = step.answer(hits)
            turn.answer_id = self.service.remember(answer)
            for piece in sse.pieces(answer.answer):
                turn.partial += piece
                yield conversation_html(turns), turns, gr.skip(), gr.skip()
                time.sleep(PIECE_SECONDS)
            turn.answer = answer
        except AssistantError as exc:
            turn.error = str(exc)
        except Exception:  # noqa: BLE001 - the page stays usable whatever happens
            log.exception("the UI could not answer %r", question)
            turn.error = "Máy chủ gặp lỗi khi trả lời. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên."
        yield conversation_html(turns), turns, gr.skip(), gr.skip()

    def new_conversation(self) -> tuple:
        return conversation_html([]), [], "", gr.update(visible=True)

    def feedback(self, turns, key, event: gr.EventData) -> tuple:
        data = getattr(event, "_data", None) or {}
        answer_id, rating = data.get("answer"), data.get("rating")
        turn = next((t for t in turns or [] if t.answer_id and t.answer_id == answer_id), None)
        if turn is None or rating not in ("up", "down"):
            return gr.skip(), gr.skip()
        try:
            comment = str(data.get("comment") or "")[:2000]
            self.service.feedback(self.caller(key), answer_id, 1 if rating == "up" else -1, comment)
        except AssistantError as exc:
            gr.Warning(str(exc))
            return conversation_html(turns), turns
        turn.rated = rating
        return conversation_html(turns), turns

    # --- figures -----------------------------------------------------------------------------
    def figures(self, query, documents, unit, key) -> tuple:
        """(unit choices, chart, table)."""
        query = (query or "").strip()
        if not query:
            empty = '<div class="empty">Nhập một chỉ tiêu, ví dụ “trạm BTS” hoặc “dịch vụ công trực tuyến”.</div>'
            return gr.update(choices=[], value=None, visible=False), empty, ""
        try:
            rows, _ = self.service.figures(self.caller(key), query, None, documents or None, FIGURE_LIMIT)
        except AssistantError as exc:
            return gr.update(visible=False), f'<div class="notice n-error">{esc(exc)}</div>', ""
        choices = trend.units(rows, query)
        points = trend.points(rows, query, unit)
        if not points:
            message = f"Không có số liệu theo năm cho “{esc(query)}”. Hãy thử từ khác, ví dụ “cáp quang”."
            return gr.update(choices=[], value=None, visible=False), f'<div class="empty">{message}</div>', ""
        chosen = points[0].unit
        caption = f"{query} — đơn vị: {chosen}"
        plot = (
            f'<div class="chart-box"><h3>{esc(query)} <span class="muted small">· đơn vị: {esc(chosen)}</span></h3>'
            f"{chart.svg(points, caption)}{chart.legend()}</div>"
        )
        table = f'<div class="table-box">{chart.table(points)}</div>'
        return gr.update(choices=choices, value=chosen, visible=len(choices) > 1), plot, table

    # --- documents ---------------------------------------------------------------------------
    def upload(self, file, groups, key) -> Iterator[tuple]:
        """Streams (progress, *page)."""
        skip = (gr.skip(),) * 9
        if not file:
            yield progress_html(0, "Hãy chọn một tệp .txt, .md, .docx hoặc .pdf.", "failed"), *skip
            return
        path = Path(file if isinstance(file, str) else file.name)
        names = [g.strip() for g in (groups or "").split(",") if g.strip()]
        try:
            caller = self.caller(key)
            with path.open("rb") as stream:
                job_id = self.service.jobs.upload(caller, path.name, stream, names)
        except AssistantError as exc:
            yield progress_html(0, str(exc), "failed"), *skip
            return
        deadline = time.monotonic() + JOB_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            job = self.service.state.job(job_id)
            if job["status"] in ("done", "failed"):
                break
            yield progress_html(job["progress"], f"{path.name}: {job['message']}"), *skip
            time.sleep(JOB_POLL_SECONDS)
        if job["status"] != "done":
            yield progress_html(job["progress"], f"{path.name}: {job['message']}", "failed"), *skip
            return
        message = f"{path.name}: đã thêm vào chỉ mục. Có thể hỏi về tài liệu này ngay."
        yield progress_html(1.0, message, "done"), *self.page(key)


def header_html(who: str = "") -> str:
    return (
        '<div class="tl-header"><div class="tl-logo">📑</div><div><h1>Trợ lý tài liệu quy hoạch</h1>'
        "<p>Hỏi đáp trên các kế hoạch, báo cáo, quyết định về CNTT và chuyển đổi số · "
        "câu trả lời có trích dẫn, số liệu được kiểm chứng</p></div>"
        f'<div class="tl-who">{who}</div></div>'
    )
