"""The chat UI mounted at ``/`` (built in the UI work; until then, the API docs)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse


def mount_ui(app: FastAPI, service) -> None:
    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/docs")
