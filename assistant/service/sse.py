"""Server-sent events: ``event: <type>`` and one JSON ``data:`` line per event."""

from __future__ import annotations

import json


def event(kind: str, data: object) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def data_only(data: object | str) -> str:
    """An unnamed event (the OpenAI streaming format)."""
    body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {body}\n\n"


def pieces(text: str, size: int = 24):
    """The answer text in word-aligned pieces of about ``size`` characters, for a streamed display."""
    piece = ""
    for word in text.split(" "):
        piece = f"{piece} {word}" if piece else word
        if len(piece) >= size:
            yield piece + " "
            piece = ""
    if piece:
        yield piece
