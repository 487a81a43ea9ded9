"""Questions: ask (whole or streamed), search, the calculator, feedback."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from assistant.errors import AssistantError
from assistant.models import Hit
from assistant.pipeline import Turn
from assistant.service import sse
from assistant.service.deps import CallerDep, ServiceDep
from assistant.service.errors import error_body, unexpected_body
from assistant.service.schemas import (
    AnswerOut,
    AskRequest,
    CalculateOut,
    CalculateRequest,
    CitationOut,
    ErrorOut,
    FeedbackOut,
    FeedbackRequest,
    PassageOut,
    SearchOut,
    SearchRequest,
)
from assistant.vietnamese.numbers import format_number

router = APIRouter(prefix="/api/v1", tags=["Hỏi đáp"])
ERRORS = {
    401: {"model": ErrorOut},
    403: {"model": ErrorOut},
    404: {"model": ErrorOut},
    422: {"model": ErrorOut},
    429: {"model": ErrorOut},
}


@router.post("/ask", response_model=AnswerOut, responses=ERRORS, summary="Hỏi và nhận câu trả lời có trích dẫn")
def ask(body: AskRequest, service: ServiceDep, caller: CallerDep) -> AnswerOut:
    filters = body.filters.to_filters() if body.filters else None
    answer_id, answer = service.ask(caller, body.question, history=body.history, filters=filters, mode=body.mode)
    return AnswerOut.of(answer_id, answer)


STREAM_DOC = """Server-sent events, in this order:

- `passages`: `{"passages": [PassageOut…]}`: the passages retrieved, best first;
- `delta`: `{"text": "…"}`: pieces of the answer text (several events);
- `answer`: `{"id", "answer", "abstained", "value", "unit", "conflict", "mode"}`: the whole answer;
- `citations`: `{"citations": [CitationOut…]}`;
- `verification`: `{"figures": [FigureCheckOut…], "calculation": CalculationOut | null}`;
- `done`: `{"timings": {…}, "build": "…"}`.

An error after the stream has started comes as `error`: `{"error": {"code", "message"}}`."""


@router.post(
    "/ask/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": STREAM_DOC}},
    summary="Hỏi, nhận câu trả lời theo luồng (server-sent events)",
    description=STREAM_DOC,
)
async def ask_stream(body: AskRequest, service: ServiceDep, caller: CallerDep) -> StreamingResponse:
    filters = body.filters.to_filters() if body.filters else None

    # Two blocking steps, each on a worker thread: the question checked and its passages found (an
    # invalid question is refused before the stream starts), then the answer's events, sent
    # together. Under load every step waits for a free thread: a blocking generator would wait
    # once per event, and once more to end.
    def start() -> tuple[Turn, list[Hit] | None, str]:
        turn = service.turn(caller, body.question, history=body.history, filters=filters, mode=body.mode)
        try:
            hits = turn.retrieve()
        except Exception as exc:  # noqa: BLE001 - reported as the stream's error event
            return turn, None, _error_event(exc)
        return turn, hits, sse.event("passages", {"passages": [PassageOut.from_hit(h).model_dump() for h in hits]})

    def rest(turn: Turn, hits: list[Hit]) -> str:
        try:
            answer = turn.answer(hits)
            answer_id = service.remember(answer)
            out = AnswerOut.of(answer_id, answer)
            return "".join(
                [
                    *(sse.event("delta", {"text": piece}) for piece in sse.pieces(answer.answer)),
                    sse.event(
                        "answer",
                        out.model_dump(include={"id", "answer", "abstained", "value", "unit", "conflict", "mode"}),
                    ),
                    sse.event("citations", {"citations": [CitationOut.of(c).model_dump() for c in answer.citations]}),
                    sse.event("verification", out.model_dump(include={"figures", "calculation"})),
                    sse.event("done", {"timings": answer.timings, "build": answer.build}),
                ]
            )
        except Exception as exc:  # noqa: BLE001 - the headers are sent: the client gets an error event
            return _error_event(exc)

    turn, hits, first = await run_in_threadpool(start)

    async def events() -> AsyncIterator[str]:
        yield first
        if hits is not None:
            yield await run_in_threadpool(rest, turn, hits)

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _error_event(exc: Exception) -> str:
    if isinstance(exc, AssistantError):
        return sse.event("error", error_body(exc))
    return sse.event("error", unexpected_body(exc, "/api/v1/ask/stream"))


@router.post("/search", response_model=SearchOut, responses=ERRORS, summary="Tìm các đoạn văn liên quan")
def search(body: SearchRequest, service: ServiceDep, caller: CallerDep) -> SearchOut:
    filters = body.filters.to_filters() if body.filters else None
    hits = service.search(caller, body.query, body.k, filters)
    return SearchOut(passages=[PassageOut.from_hit(h) for h in hits])


@router.post("/calculate", response_model=CalculateOut, responses=ERRORS, summary="Máy tính cho số liệu")
def calculate(body: CalculateRequest, service: ServiceDep, caller: CallerDep) -> CalculateOut:
    calc = service.calculate(body.expression)
    return CalculateOut(expression=calc.expression, result=calc.result, text=format_number(calc.result))


@router.post(
    "/feedback", response_model=FeedbackOut, status_code=201, responses=ERRORS, summary="Đánh giá một câu trả lời"
)
def feedback(body: FeedbackRequest, service: ServiceDep, caller: CallerDep) -> FeedbackOut:
    rating = 1 if body.rating == "up" else -1
    return FeedbackOut(id=service.feedback(caller, body.answer_id, rating, body.comment))
