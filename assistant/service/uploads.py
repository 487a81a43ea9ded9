"""Turning an uploaded file name into a safe document id (never used as a path as given)."""

from __future__ import annotations

import re
import unicodedata

from assistant.errors import DocumentError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.vietnamese.text import fold

_MAX_STEM = 80


def document_id(filename: str | None) -> str:
    """``"../Báo cáo Q3 (bản cuối).PDF"`` → ``"bao-cao-q3-ban-cuoi.pdf"``; refused when no usable name or suffix."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"Tệp '{name[:80]}' không thuộc định dạng được hỗ trợ.",
            hint=f"Hãy tải lên tệp {', '.join(SUPPORTED_SUFFIXES)}.",
        )
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem).lower()).strip("-")[:_MAX_STEM].strip("-")
    if not slug:
        raise DocumentError(f"Tên tệp '{name[:80]}' không dùng được.", hint="Hãy đặt tên tệp có chữ hoặc số.")
    return slug + suffix
