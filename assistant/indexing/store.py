"""The index on disk: manifest, documents, chunks, FAISS vectors, BM25, embedding cache.

Layout under ``settings.index_dir``::

    current -> builds/<id>/      the build being served (a symlink swapped atomically)
    builds/<id>/manifest.json    model id and dimension, chunker version, sha256 per document
    builds/<id>/documents.jsonl  normalized text and metadata of every document
    builds/<id>/chunks.jsonl     every chunk with its offsets
    builds/<id>/vectors.faiss    FAISS inner-product index (vectors are L2-normalized)
    builds/<id>/bm25/            bm25s arrays (.npy, no pickle) and vocabulary (.json)
    cache/<model>.npz            embedding cache keyed by text hash

A build is written into a fresh directory and only then made current, so an interrupted
build never leaves a broken index and the previous one keeps serving. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IndexMismatchError, IndexMissingError
from assistant.models import Chunk, Document

FORMAT_VERSION = 1
KEEP_BUILDS = 2


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

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> "Manifest":
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class IndexData:
    """Everything one build holds, in memory."""

    manifest: Manifest
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: np.ndarray  # (n, dim) float32, L2-normalized
    extras: dict[str, list[dict]] = field(default_factory=dict)  # e.g. "figures": [...]


class IndexStore:
    """Reads and writes builds under one index directory."""

    def __init__(self, index_dir: Path) -> None:
        self.root = Path(index_dir)

    @property
    def current(self) -> Path:
        return self.root / "current"

    def exists(self) -> bool:
        return (self.current / "manifest.json").is_file()

    def manifest(self) -> Manifest | None:
        path = self.current / "manifest.json"
        if not path.is_file():
            return None
        return Manifest.from_json(path.read_text(encoding="utf-8"))

    # --- writing -----------------------------------------------------------
    def write(self, data: IndexData, bm25) -> Path:
        """Write a complete build, then atomically make it current. Returns the build dir."""
        import faiss

        builds = self.root / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        build_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = builds / f".tmp-{build_id}"
        tmp.mkdir()
        try:
            _write_jsonl(tmp / "documents.jsonl", (d.model_dump() for d in data.documents.values()))
            _write_jsonl(tmp / "chunks.jsonl", (c.model_dump() for c in data.chunks))
            for name, rows in data.extras.items():
                _write_jsonl(tmp / f"{name}.jsonl", rows)
            index = faiss.IndexFlatIP(data.manifest.dimension)
            if len(data.vectors):
                index.add(np.ascontiguousarray(data.vectors, dtype=np.float32))
            faiss.write_index(index, str(tmp / "vectors.faiss"))
            bm25.save(str(tmp / "bm25"), show_progress=False)
            (tmp / "manifest.json").write_text(data.manifest.to_json(), encoding="utf-8")
            final = builds / build_id
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        link_tmp = self.root / f".current-{build_id}"
        os.symlink(Path("builds") / build_id, link_tmp)
        os.replace(link_tmp, self.current)  # the atomic switch
        self._prune(keep=final)
        return final

    def _prune(self, keep: Path) -> None:
        builds = sorted(p for p in (self.root / "builds").iterdir() if p.is_dir())
        finished = [p for p in builds if not p.name.startswith(".tmp-")]
        for old in finished[:-KEEP_BUILDS]:
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
        for stale in builds:  # temp dirs left by a killed build
            if stale.name.startswith(".tmp-") and time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)

    # --- reading -----------------------------------------------------------
    def load(self, *, expected_model: str | None = None):
        """Load the current build: (IndexData, faiss index, bm25 retriever)."""
        import bm25s
        import faiss

        manifest = self.manifest()
        if manifest is None:
            raise IndexMissingError(
                f"Chưa có chỉ mục trong {self.root}.", hint="Hãy chạy: assistant index"
            )
        if expected_model and manifest.embedding_model != expected_model:
            raise IndexMismatchError(
                f"Chỉ mục được xây bằng mô hình '{manifest.embedding_model}', "
                f"nhưng cấu hình hiện dùng '{expected_model}'.",
                hint="Hãy chạy: assistant index --rebuild",
            )
        base = self.current.resolve()
        documents = {d["id"]: Document(**d) for d in _read_jsonl(base / "documents.jsonl")}
        chunks = [Chunk(**c) for c in _read_jsonl(base / "chunks.jsonl")]
        index = faiss.read_index(str(base / "vectors.faiss"))
        bm25 = bm25s.BM25.load(str(base / "bm25"), show_progress=False, verbosity=0)
        extras = {p.stem: list(_read_jsonl(p)) for p in base.glob("*.jsonl")
                  if p.stem not in {"documents", "chunks"}}
        vectors = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, manifest.dimension))
        data = IndexData(manifest, documents, chunks, np.asarray(vectors, dtype=np.float32), extras)
        return data, index, bm25


class EmbeddingCache:
    """Vectors keyed by (model, text hash), so unchanged chunks are never embedded twice."""

    def __init__(self, index_dir: Path, model_id: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)
        self.path = Path(index_dir) / "cache" / f"{slug}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self.path.is_file():
            try:
                with np.load(self.path, allow_pickle=False) as z:
                    self._vectors = dict(zip(z["keys"].tolist(), z["vectors"]))
            except (OSError, ValueError, KeyError):
                self._vectors = {}  # a damaged cache only costs time

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(self.key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        self._vectors[self.key(text)] = np.asarray(vector, dtype=np.float32)

    def save(self, keep: set[str] | None = None) -> None:
        items = {k: v for k, v in self._vectors.items() if keep is None or k in keep}
        if not items:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(items)), vectors=np.vstack(list(items.values())))
        os.replace(tmp, self.path)


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
