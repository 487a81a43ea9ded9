"""Read the documents folder into normalized ``Document`` objects, skipping what cannot be read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import DocumentError
from assistant.ingest.loaders import iter_document_paths, read_document
from assistant.ingest.metadata import document_metadata
from assistant.ingest.normalize import normalize_text
from assistant.models import Document


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"file", "sha256", "error"}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_document(path: Path) -> Document:
    """One document, normalized, with its metadata (sidecar overrides applied)."""
    text = normalize_text(read_document(path))
    if not text.strip():
        raise DocumentError(
            f"Tệp {path.name} không có nội dung văn bản.", hint="Hãy kiểm tra tệp hoặc xuất lại dưới dạng .docx/.txt."
        )
    return Document(
        id=path.name, text=text, sha256=file_sha256(path), metadata=document_metadata(text, path.name, path)
    )


def load_corpus(documents_dir: Path) -> Corpus:
    """All readable documents; unreadable ones are listed in ``skipped`` with the reason."""
    corpus = Corpus()
    for path in iter_document_paths(documents_dir):
        try:
            corpus.documents.append(load_document(path))
        except DocumentError as exc:
            corpus.skipped.append({"file": path.name, "sha256": file_sha256(path), "error": str(exc)})
    return corpus
