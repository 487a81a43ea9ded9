"""The conversation of one browser session: its turns, and the whole of it as HTML."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from assistant.models import Answer
from assistant.service.ui.answer_view import STATUS, answer_html, badge
from assistant.service.ui.markup import esc, seconds


@dataclass
class ChatTurn:
    question: str
    scope: str = ""  # the filters in force, as shown under the question
    status: str = ""  # while the answer is on its way
    partial: str = ""  # the answer text streamed so far
    answer: Answer | None = None
    answer_id: str | None = None
    error: str | None = None
    rated: str | None = None  # "up" / "down" once the feedback is stored
    id: str = field(default_factory=lambda: "t" + uuid.uuid4().hex[:8])

    @property
    def done(self) -> bool:
        return self.answer is not None or self.error is not None


def history(turns: list[ChatTurn]) -> list[str]:
    """The questions a follow-up is read against (answered ones, oldest first)."""
    return [t.question for t in turns if t.answer is not None]


def welcome() -> str:
    legend = "".join(f"<li>{badge(s)} {esc(meaning)}</li>" for s, (_, _, meaning) in STATUS.items())
    return (
        '<div class="welcome"><h2>Xin chào! Anh/chị cần tra cứu điều gì?</h2>'
        "<p>Trợ lý trả lời từ các kế hoạch, báo cáo, quyết định về CNTT và chuyển đổi số đã nạp. "
        "Mỗi câu trả lời ngắn gọn, có số trích dẫn dẫn tới đúng đoạn văn; mọi con số được đối chiếu "
        "lại với tài liệu:</p>"
        f'<ul class="legend">{legend}</ul>'
        '<p class="muted">Có thể hỏi tiếp nối, ví dụ “còn năm 2021 thì sao?”. Chọn một câu hỏi mẫu '
        "bên dưới để bắt đầu.</p></div>"
    )


def turn_html(t: ChatTurn) -> str:
    scope = f'<div class="scope">{esc(t.scope)}</div>' if t.scope else ""
    question = f'<div class="q-row"><div class="bubble q">{esc(t.question)}{scope}</div></div>'
    if t.error:
        body = f'<div class="notice n-error" role="alert"><div class="notice-title">Chưa hỏi được</div>{esc(t.error)}</div>'
    elif t.answer is None:
        text = f'<div class="answer-text">{esc(t.partial)}<span class="caret"></span></div>' if t.partial else ""
        body = f'<div class="status"><span class="spinner"></span>{esc(t.status)}</div>{text}'
    else:
        body = answer_html(t.answer, t.id) + _footer(t)
    state = "done" if t.done else "pending"
    return f'<section class="turn {state}" id="{t.id}">{question}<div class="bubble a">{body}</div></section>'


def _footer(t: ChatTurn) -> str:
    took = t.answer.timings.get("total_ms") if t.answer else None
    timing = f'<span class="muted">Trả lời trong {seconds(took)}</span>' if took else ""
    if not t.answer_id:
        return f'<div class="a-foot">{timing}</div>'
    if t.rated:
        thanks = "👍" if t.rated == "up" else "👎"
        rating = f'<span class="fb-done">Đã ghi nhận đánh giá {thanks}. Cảm ơn anh/chị!</span>'
    else:
        rating = (
            f'<div class="feedback" data-answer="{esc(t.answer_id)}"><span>Câu trả lời có hữu ích không?</span>'
            '<button type="button" class="fb" data-rate="up" title="Hữu ích">👍</button>'
            '<button type="button" class="fb" data-rate="down" title="Chưa đúng / chưa đủ">👎</button>'
            '<div class="fb-more"><textarea rows="2" maxlength="2000" '
            'placeholder="Góp ý thêm (không bắt buộc): chỗ nào chưa đúng, cần bổ sung gì…"></textarea>'
            '<button type="button" class="fb-send">Gửi đánh giá</button></div></div>'
        )
    return f'<div class="a-foot">{rating}{timing}</div>'


def conversation_html(turns: list[ChatTurn]) -> str:
    body = "".join(turn_html(t) for t in turns) if turns else welcome()
    return f'<div class="conv" data-turns="{len(turns)}">{body}</div>'
