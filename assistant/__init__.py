"""Trợ lý hỏi đáp tài liệu quy hoạch: cited, number-checked answers over Vietnamese planning documents.

The public API::

    from assistant import Pipeline, Settings, Filters

    pipeline = Pipeline(Settings())
    answer = pipeline.ask("Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?")
    print(answer.answer, [c.quote for c in answer.citations])
"""

from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.filters import Filters
from assistant.models import Answer, Chunk, Citation, Document, Hit
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.pipeline import Pipeline

__all__ = ["Answer", "AssistantError", "Chunk", "Citation", "Document", "Filters", "Hit", "Pipeline", "Settings"]
__version__ = "0.2.0"


def __getattr__(name: str):
    if name == "Pipeline":  # imported on first use: the CLI's --help stays light
        from assistant.pipeline import Pipeline

        return Pipeline
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
