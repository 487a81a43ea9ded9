"""The default answerer and its strategies (figures, calculations, sentences, scope)."""

from assistant.answering.answerer import NOT_FOUND, DefaultAnswerer

__all__ = ["NOT_FOUND", "DefaultAnswerer"]
