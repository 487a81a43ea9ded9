"""Every error leaves the API as JSON ``{"error": {"code", "message"}}`` in Vietnamese."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AssistantError, RateLimitedError

log = logging.getLogger("assistant.service")

_HTTP_MESSAGES = {
    400: "Không đọc được nội dung yêu cầu: hãy gửi JSON hợp lệ, mã hóa UTF-8, không lồng quá sâu.",
    401: "Cần khóa API.",
    403: "Không có quyền.",
    404: "Không tìm thấy địa chỉ này. Xem tài liệu API tại /docs.",
    405: "Phương thức không được hỗ trợ ở địa chỉ này. Xem tài liệu API tại /docs.",
    413: "Yêu cầu quá lớn.",
    415: "Kiểu nội dung không được hỗ trợ; hãy gửi JSON (Content-Type: application/json).",
}


def _code(exc: AssistantError) -> str:
    """``InvalidQuestionError`` → ``invalid_question``."""
    name = type(exc).__name__.removesuffix("Error") or "assistant"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def error_body(exc: AssistantError) -> dict:
    return {"error": {"code": _code(exc), "message": str(exc)}}


UNEXPECTED = "Lỗi máy chủ ngoài dự kiến; đã ghi nhật ký. Hãy thử lại sau hoặc báo quản trị."


def unexpected_body(exc: Exception, where: str) -> dict:
    """The body of an error no :class:`AssistantError` explains, logged with its traceback (a stream
    has sent its headers already: the error is its last event, not a 500)."""
    log.error("unexpected error on %s", where, exc_info=exc)
    return {"error": {"code": "internal", "message": UNEXPECTED}}


def _json(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
        if exc.status_code >= 500:
            log.error("server error on %s: %s", request.url.path, exc)
        return JSONResponse(error_body(exc), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
            problems.append(f"{where or 'nội dung'}: {_explain(err)}")
        return _json(
            422, "invalid_request", "Yêu cầu không hợp lệ — " + "; ".join(problems) + ". Xem lược đồ tại /docs."
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = _HTTP_MESSAGES.get(exc.status_code, "Yêu cầu không thực hiện được.")
        return _json(exc.status_code, f"http_{exc.status_code}", message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return _json(500, "internal", UNEXPECTED)


_EXPLAIN = {
    "missing": "thiếu trường bắt buộc",
    "string_type": "phải là chuỗi",
    "string_unicode": "chứa ký tự Unicode không hợp lệ (nửa cặp UTF-16 đơn lẻ)",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_parsing_size": "là số nguyên quá lớn",
    "int_from_float": "phải là số nguyên",
    "finite_number": "phải là số hữu hạn",
    "float_type": "phải là số",
    "bool_type": "phải là true/false",
    "list_type": "phải là danh sách",
    "dict_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
    "literal_error": "giá trị không thuộc danh sách cho phép",
    "extra_forbidden": "trường không được hỗ trợ",
    "json_invalid": "JSON không hợp lệ",
    "too_long": "quá dài",
    "too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "string_too_short": "quá ngắn",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
}


def _explain(err: dict) -> str:
    kind = err.get("type", "")
    text = _EXPLAIN.get(kind, "giá trị không hợp lệ")
    ctx = err.get("ctx") or {}
    if kind == "literal_error" and "expected" in ctx:
        text += f" ({ctx['expected']})"
    if kind in ("greater_than_equal", "less_than_equal") and ctx:
        text += f" (giới hạn {next(iter(ctx.values()))})"
    return text
