"""Dependencies handed to routes: the one Service of the process, and the caller of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.service.access import Caller
from assistant.service.service import Service


async def get_service(request: Request) -> Service:
    """The service (on the event loop: a dependency declared ``def`` would wait for a worker thread)."""
    return request.app.state.service


def get_caller(
    service: Annotated[Service, Depends(get_service)],
    x_api_key: Annotated[str | None, Header(description="Khóa API (khi máy chủ bật khóa).")] = None,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Caller:
    key = x_api_key
    if not key and authorization and authorization.lower().startswith("bearer "):
        key = authorization[7:].strip()
    return service.authenticate(key or None)


ServiceDep = Annotated[Service, Depends(get_service)]
CallerDep = Annotated[Caller, Depends(get_caller)]
