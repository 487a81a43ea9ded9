"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from assistant.service.deps import CallerDep, ServiceDep

router = APIRouter(tags=["Vận hành"])


@router.get("/healthz", summary="Máy chủ đang chạy")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="Chỉ mục đã nạp, sẵn sàng trả lời")
async def readyz(service: ServiceDep):  # on the event loop: never queued behind answers
    if not service.ready():
        return JSONResponse({"status": "loading"}, status_code=503)
    return {"status": "ready", "build": service.pipeline.snapshot().build}


@router.get("/metrics", summary="Số đo Prometheus (cần khóa quản trị khi bật khóa)", response_class=Response)
def metrics(service: ServiceDep, caller: CallerDep) -> Response:
    caller.require_admin()  # counts of the index include restricted documents
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
