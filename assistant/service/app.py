"""``create_app(settings)``: the one FastAPI app — the API under ``/api/v1``, the OpenAI-compatible
routes under ``/v1``, health and metrics, OpenAPI docs at ``/docs`` and the chat UI at ``/``."""

from __future__ import annotations

from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse

from assistant import __version__
from assistant.errors import ConfigurationError
from assistant.service import errors
from assistant.service.middleware import BodyLimit, RequestMetrics
from assistant.service.routes import answers, documents, health, openai
from assistant.service.service import Service
from assistant.settings import Settings

DESCRIPTION = """Hỏi đáp trên các kế hoạch, báo cáo, quyết định về CNTT và chuyển đổi số của tỉnh:
câu trả lời ngắn, có trích dẫn đúng đoạn văn, mọi con số được kiểm tra lại với tài liệu.

Khóa API gửi trong header `X-API-Key` (hoặc `Authorization: Bearer <khóa>`); bắt buộc khi máy chủ
không chỉ nghe trên 127.0.0.1. Mọi lỗi có dạng `{"error": {"code", "message"}}`."""


def create_app(settings: Settings | None = None, *, service: Service | None = None, ui: bool = True) -> FastAPI:
    settings = settings or Settings()
    service = service or Service(settings)
    if service.keys.required and not service.keys.enabled_with_keys():
        raise ConfigurationError(
            f"Máy chủ nghe trên {settings.host} nhưng chưa có khóa API nào.",
            hint="Hãy tạo khóa: assistant keys create --name quan-tri --role admin (hoặc chỉ nghe trên 127.0.0.1).",
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # anyio's pool runs plain (def) routes, dependencies and response serialization: all of a
        # request's Python, not only its search and answer (the pipeline's gate). Limited to
        # request_threads too, as before the gate: unlimited, the serialization and checks of every
        # waiting request would share the interpreter again (docs/reliability.md §9, session 31)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="Trợ lý tài liệu quy hoạch", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.service = service
    errors.install(app)
    for router in (answers.router, documents.router, openai.router, health.router):
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    uploads = ("/api/v1/documents", "/gradio_api/upload") if ui else ("/api/v1/documents",)
    app.add_middleware(BodyLimit, upload_limit=settings.max_upload_mb * (1 << 20) + (1 << 20), upload_paths=uploads)
    app.add_middleware(RequestMetrics, metrics=service.metrics)
    if ui:
        from assistant.service.ui import mount_ui

        mount_ui(app, service)
    else:

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse("/docs")

    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory`` (each worker process builds its own from the environment)."""
    return create_app(Settings())
