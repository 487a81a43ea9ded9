"""One family of user-facing errors. Messages are Vietnamese and say what to do next.

Only the edges (CLI, HTTP API, UI) turn these into exit codes or status codes.
"""

from __future__ import annotations

import unicodedata


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


class IndexBusyError(AssistantError):
    """Another build holds the index's build lock (two writers are never allowed)."""

    status_code = 409


class BuildFailedError(AssistantError):
    """An index build process ended without a report (killed, out of memory, a bug)."""

    status_code = 500


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


#: Characters never printed raw: controls (tab, newline, escape …), format characters (bidi
#: overrides and isolates, zero-width ones), line/paragraph separators and lone surrogates.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def shown(text: object, *, limit: int | None = 200) -> str:
    """``text`` (a file name, a title …) safe to print on a terminal or put in a message: every
    control, invisible or bidi character written as an escape (``\\t``, ``\\u202e``), a name that
    is not valid UTF-8 shown by its bytes, and the whole cut to ``limit`` characters (None: no cut)."""
    text = str(text)
    limit = limit if limit is not None else len(text) * 10 + 1
    if text.isprintable() and len(text) <= limit:
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) not in _UNSAFE_CATEGORIES:
            out.append(ch)
        elif ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # an undecodable byte kept by the file system decoder
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
    result = "".join(out)
    return result if len(result) <= limit else result[: limit - 1] + "…"
