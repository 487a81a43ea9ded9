"""One family of user-facing errors. Messages are Vietnamese and say what to do next.

Only the edges (CLI, HTTP API, UI) turn these into exit codes or status codes.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class for every error the assistant reports to a user."""

    #: HTTP status the API edge maps this error to.
    status_code: int = 400

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} {hint}")


class InvalidQuestionError(AssistantError):
    """The question is empty, too long or otherwise unusable."""

    status_code = 422


class DocumentError(AssistantError):
    """A document could not be read (corrupt, unsupported, outside the corpus)."""

    status_code = 422


class IndexMissingError(AssistantError):
    """No index has been built yet (or it was built for another model)."""

    status_code = 503


class IndexMismatchError(AssistantError):
    """The index on disk was built with another embedding model or chunker version."""

    status_code = 503


class ConfigurationError(AssistantError):
    """A setting is invalid or an optional backend is not installed."""

    status_code = 500


class CalculationError(AssistantError):
    """An arithmetic expression is malformed, unsafe or too large."""

    status_code = 422


class DatasetError(AssistantError):
    """An evaluation dataset does not follow eval/SCHEMA (shared/eval/SCHEMA.md)."""

    status_code = 422
