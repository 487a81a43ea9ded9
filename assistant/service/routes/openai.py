"""An OpenAI-compatible face (``/v1/chat/completions``, ``/v1/models``) so that chat front-ends and
portals that already speak that protocol use the assistant as a model.

The last user message is the question and the earlier user messages are the conversation. The
answer text keeps its citation markers ``[n]``; the message content ends with a "Nguồn" block
listing them, and the citations come whole in the extra field ``citations`` of the response (of the
last chunk when streaming), along with ``figures`` (each number and its verification status).
The key goes in ``Authorization: Bearer <khóa>``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.errors import AssistantError, InvalidQuestionError
from assistant.models import Answer
from assistant.service import sse
from assistant.service.deps import CallerDep, ServiceDep
from assistant.service.errors import error_body, unexpected_body
from assistant.service.routes.answers import ERRORS
from assistant.service.schemas import CitationOut, FigureCheckOut

router = APIRouter(prefix="/v1", tags=["Tương thích OpenAI"])
MODELS = {"tro-ly-quy-hoach": "default", "tro-ly-quy-hoach-llm": "llm"}


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "user", "assistant", "tool", "developer", "function"]
    content: str | list[dict[str, Any]] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, top_p … are accepted and ignored

    model: str = Field(default="tro-ly-quy-hoach", max_length=200)
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: bool = False


def _text(message: ChatMessage) -> str:
    if isinstance(message.content, list):
        return " ".join(str(part.get("text", "")) for part in message.content if isinstance(part, dict))
    return message.content or ""


def _question(body: ChatRequest) -> tuple[str, list[str]]:
    users = [_text(m) for m in body.messages if m.role == "user"]
    if not users:
        raise InvalidQuestionError(
            "Không có tin nhắn nào của người dùng.", hint="Gửi ít nhất một tin nhắn role 'user'."
        )
    return users[-1], users[:-1]


def _content(answer: Answer) -> str:
    if not answer.citations:
        return answer.answer
    sources = "\n".join(
        f"[{c.number}] {c.title}{' › ' + c.section if c.section else ''}: “{' '.join(c.quote.split())}”"
        for c in answer.citations
    )
    return f"{answer.answer}\n\nNguồn:\n{sources}"


def _extra(answer: Answer, answer_id: str) -> dict:
    return {
        "answer_id": answer_id,
        "citations": [CitationOut.of(c).model_dump() for c in answer.citations],
        "figures": [FigureCheckOut(**f.model_dump()).model_dump() for f in answer.figures],
        "abstained": answer.abstained,
    }


@router.get("/models", summary="Các mô hình (chế độ trả lời) của trợ lý")
def models(caller: CallerDep) -> dict:
    created = 1_700_000_000
    return {
        "object": "list",
        "data": [{"id": name, "object": "model", "created": created, "owned_by": "tro-ly"} for name in MODELS],
    }


@router.post("/chat/completions", responses=ERRORS, summary="Hỏi theo giao thức chat của OpenAI")
def chat_completions(body: ChatRequest, service: ServiceDep, caller: CallerDep):
    question, history = _question(body)
    mode = MODELS.get(body.model, "default")
    turn = service.turn(caller, question, history=history, mode=mode)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    model = body.model if body.model in MODELS else "tro-ly-quy-hoach"
    if not body.stream:
        answer = turn.run()
        answer_id = service.remember(answer)
        content = _content(answer)
        return {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": len(question.split()),
                "completion_tokens": len(content.split()),
                "total_tokens": len(question.split()) + len(content.split()),
            },
            **_extra(answer, answer_id),
        }

    def chunk(delta: dict, finish: str | None = None, **extra) -> str:
        return sse.data_only(
            {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
        )

    # The chunks are made here, on the route's worker thread, and sent in one write: a blocking
    # generator would wait for a free thread once per item, and once more to end.
    try:
        answer = turn.run()
        answer_id = service.remember(answer)
        pieces = [chunk({"content": piece}) for piece in sse.pieces(_content(answer))]
        done = [
            chunk({"role": "assistant", "content": ""}),
            *pieces,
            chunk({}, "stop", **_extra(answer, answer_id)),
        ]
    except AssistantError as exc:
        done = [sse.data_only(error_body(exc))]
    except Exception as exc:  # noqa: BLE001 - a stream's error comes as its last chunk, as when streaming
        done = [sse.data_only(unexpected_body(exc, "/v1/chat/completions"))]
    text = "".join([*done, sse.data_only("[DONE]")])

    async def events() -> AsyncIterator[str]:
        yield text

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
