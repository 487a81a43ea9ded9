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


class AuthenticationError(AssistantError):
    """No API key, or a key that is unknown or revoked."""

    status_code = 401


class PermissionDeniedError(AssistantError):
    """The key's role may not do this (only admins upload, delete or manage keys)."""

    status_code = 403


class NotFoundError(AssistantError):
    """No such document, job or answer (or one the caller may not see)."""

    status_code = 404


class ConflictError(AssistantError):
    """The request clashes with what exists (a document of that name is already loaded)."""

    status_code = 409


class TooLargeError(AssistantError):
    """An upload over the size limit."""

    status_code = 413


class RateLimitedError(AssistantError):
    """Too many requests for one key; ``retry_after`` seconds until the next is accepted."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class ModeUnavailableError(AssistantError):
    """An answer mode this server is not set up for (LLM mode without a model server)."""

    status_code = 400
