"""Read the documents folder into normalized ``Document`` objects, skipping what cannot be read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import DocumentError, shown
from assistant.ingest.limits import ReadLimits
from assistant.ingest.loaders import iter_document_paths, read_document
from assistant.ingest.metadata import document_metadata
from assistant.ingest.normalize import normalize_text
from assistant.models import Document


@dataclass
class Corpus:
    documents: list[Document] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"file", "sha256", "error"}


def file_sha256(path: Path) -> str:
    """Of the raw bytes, read in blocks (a huge file costs no memory)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_key(path: Path) -> str:
    """The name a file is recorded under: its name, or, when the name is not valid UTF-8, that name
    escaped (so it can be written to the manifest and printed)."""
    name = Path(path).name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return shown(name, limit=1000)
    return name


def load_document(path: Path, limits: ReadLimits = ReadLimits()) -> Document:
    """One document, normalized, with its metadata (sidecar overrides applied)."""
    text = normalize_text(read_document(path, limits))
    if not text.strip():
        raise DocumentError(
            f"Tệp {shown(path.name)} không có nội dung văn bản.",
            hint="Hãy kiểm tra tệp hoặc xuất lại dưới dạng .docx/.txt.",
        )
    return Document(
        id=path.name, text=text, sha256=file_sha256(path), metadata=document_metadata(text, path.name, path)
    )


def load_corpus(documents_dir: Path, limits: ReadLimits = ReadLimits()) -> Corpus:
    """All readable documents; unreadable ones are listed in ``skipped`` with the reason."""
    corpus = Corpus()
    for path in iter_document_paths(documents_dir):
        try:
            corpus.documents.append(load_document(path, limits))
        except DocumentError as exc:
            corpus.skipped.append({"file": file_key(path), "sha256": file_sha256(path), "error": str(exc)})
    return corpus
