"""The manifest of a build: what it was made with, so a mismatch fails loudly instead of
returning nonsense."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

FORMAT_VERSION = 2  # 2: own BM25 postings in lexical/, FAISS IndexIDMap2 labelled by row


@dataclass
class Manifest:
    embedding_model: str
    dimension: int
    chunker_version: str
    tokenizer: str
    documents: dict[str, str]  # id -> sha256 of the raw file
    chunks: int = 0
    abbreviations: dict[str, str] = field(default_factory=dict)  # mined "long form (ABBR)" pairs
    skipped: list[dict[str, str]] = field(default_factory=list)
    created: str = ""
    format: int = FORMAT_VERSION
    vector_index: str = "flat"  # the FAISS index type the build chose (retrieval/vector.py)
    backend: str = "builtin"  # where the search indexes live: builtin files or a Qdrant collection

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
