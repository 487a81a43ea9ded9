"""The index on disk: builds written whole, then published by one atomic switch.

Layout under ``settings.index_dir``::

    current -> builds/<id>/      the build being served (a symlink swapped atomically)
    builds/<id>/manifest.json    model id and dimension, chunker version, sha256 per document
    builds/<id>/documents.jsonl  normalized text and metadata of every document
    builds/<id>/chunks.jsonl     every chunk with its offsets
    builds/<id>/figures.jsonl    the figures extracted from the chunks
    builds/<id>/figure_vectors.npy  embeddings of the figures' windows (same order)
    builds/<id>/vectors.faiss    FAISS inner-product index (vectors are L2-normalized)
    builds/<id>/vectors.json     its type (flat, ivf…, hnsw…) and search parameters
    builds/<id>/lexical/         BM25 postings (.npy, no pickle, loaded memory-mapped) and vocabulary (.json)
    builds/<id>/qdrant.json      instead of the two above with ASSISTANT_BACKEND=qdrant: the collection
    cache/<model>.npz            embedding cache keyed by text hash (cache/<model>.parts/: batches since)
    .build.lock                  held by the one build running (indexing/lock.py)

A build is written into a fresh directory and only then made current, so an interrupted
build never leaves a broken index and the previous one keeps serving. Nothing is pickled.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IndexMismatchError, IndexMissingError
from assistant.indexing.manifest import FORMAT_VERSION, Manifest
from assistant.models import Chunk, Document
from assistant.protocols import LexicalIndex, VectorIndex

KEEP_BUILDS = 2


@dataclass
class IndexData:
    """The records of one build (the search indexes are loaded beside it)."""

    manifest: Manifest
    documents: dict[str, Document]
    chunks: list[Chunk]
    figures: list[dict] = field(default_factory=list)
    build: str = ""  # the build directory's name
    figure_vectors: np.ndarray | None = None  # embeddings of the figures' windows, in figures' order


class IndexStore:
    """Reads and writes builds under one index directory."""

    def __init__(self, index_dir: Path) -> None:
        self.root = Path(index_dir)

    @property
    def current(self) -> Path:
        return self.root / "current"

    def current_build(self) -> str | None:
        """The name of the published build (None: none)."""
        try:
            return os.path.basename(os.readlink(self.current))
        except OSError:
            return None

    def exists(self) -> bool:
        return (self.current / "manifest.json").is_file()

    def manifest(self) -> Manifest | None:
        path = self.current / "manifest.json"
        if not path.is_file():
            return None
        return Manifest.from_json(path.read_text(encoding="utf-8"))

    # --- writing -----------------------------------------------------------
    def write(self, data: IndexData, vectors: VectorIndex, lexical: LexicalIndex) -> Path:
        """Write a complete build, then atomically make it current. Returns the build dir."""
        builds = self.root / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        now = time.time_ns()  # ids sort in time order: a finished build newer than current was never published
        build_id = time.strftime("%Y%m%dT%H%M%S", time.localtime(now / 1e9)) + f"-{now % 10**9:09d}-{os.getpid()}"
        tmp = builds / f".tmp-{build_id}"
        tmp.mkdir()
        try:
            _write_jsonl(tmp / "documents.jsonl", (d.model_dump() for d in data.documents.values()))
            _write_jsonl(tmp / "chunks.jsonl", (c.model_dump() for c in data.chunks))
            _write_jsonl(tmp / "figures.jsonl", data.figures)
            if data.figure_vectors is not None:
                np.save(
                    tmp / "figure_vectors.npy", np.asarray(data.figure_vectors, dtype=np.float32), allow_pickle=False
                )
            vectors.save(tmp)
            lexical.save(tmp)
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

    def remove_leftovers(self) -> list[str]:
        """Remove what a killed build left: temporary build dirs, a half-made ``current`` link,
        finished builds that were never published (newer than the current one), and builds beyond
        ``KEEP_BUILDS`` (killed after publishing, before pruning). Call it only while holding the
        build lock (no other writer can be using them). Returns the names removed."""
        removed = []
        for link in self.root.glob(".current-*"):
            link.unlink(missing_ok=True)
            removed.append(link.name)
        builds = self.root / "builds"
        if not builds.is_dir():
            return removed
        current = self.current.resolve().name if self.current.is_symlink() else None
        for entry in sorted(builds.iterdir()):
            unpublished = current is None or entry.name > current
            if entry.name.startswith(".tmp-") or unpublished:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed.append(entry.name)
        if current is not None:
            before = {p.name for p in builds.iterdir()}
            self._prune(keep=builds / current)
            removed += sorted(before - {p.name for p in builds.iterdir()})
        return removed

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
    def read(self, *, expected_model: str | None = None) -> tuple[IndexData, Path]:
        """The records of the current build and its directory (the indexes load from there)."""
        base = self.current.resolve()  # once: a build published meanwhile is read next time
        if not (base / "manifest.json").is_file():
            raise IndexMissingError(f"Chưa có chỉ mục trong {self.root}.", hint="Hãy chạy: assistant index")
        manifest = Manifest.from_json((base / "manifest.json").read_text(encoding="utf-8"))
        if expected_model and manifest.embedding_model != expected_model:
            raise IndexMismatchError(
                f"Chỉ mục được xây bằng mô hình '{manifest.embedding_model}', "
                f"nhưng cấu hình hiện dùng '{expected_model}'.",
                hint="Hãy chạy: assistant index --rebuild",
            )
        if manifest.format != FORMAT_VERSION:
            raise IndexMismatchError(
                f"Chỉ mục được ghi theo định dạng {manifest.format}, phiên bản này đọc định dạng {FORMAT_VERSION}.",
                hint="Hãy chạy: assistant index",
            )
        documents = {d["id"]: Document(**d) for d in _read_jsonl(base / "documents.jsonl")}
        chunks = [Chunk(**c) for c in _read_jsonl(base / "chunks.jsonl")]
        figures = list(_read_jsonl(base / "figures.jsonl")) if (base / "figures.jsonl").is_file() else []
        vectors_path = base / "figure_vectors.npy"
        figure_vectors = np.load(vectors_path, allow_pickle=False) if vectors_path.is_file() else None
        return IndexData(manifest, documents, chunks, figures, build=base.name, figure_vectors=figure_vectors), base


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)
