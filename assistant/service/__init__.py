"""The HTTP service: API, OpenAI-compatible routes and the chat UI in one FastAPI app.

``from assistant.service import create_app`` (imported on first use: the CLI stays light)."""

__all__ = ["create_app"]


def __getattr__(name: str):
    if name == "create_app":
        from assistant.service.app import create_app

        return create_app
    raise AttributeError(f"module 'assistant.service' has no attribute {name!r}")
