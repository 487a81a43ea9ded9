"""Embedding cache: vectors keyed by (model, text hash), so unchanged chunks are never embedded twice."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np


class EmbeddingCache:
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
