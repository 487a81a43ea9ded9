"""Trợ lý hỏi đáp tài liệu quy hoạch: cited, number-checked answers over Vietnamese planning documents."""

from assistant.errors import AssistantError
from assistant.models import Chunk, Document, Hit
from assistant.settings import Settings

__all__ = ["AssistantError", "Chunk", "Document", "Hit", "Settings"]
__version__ = "0.1.0"
