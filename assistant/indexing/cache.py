"""Embedding cache: vectors keyed by (model, text hash), so unchanged chunks are never embedded twice.

On disk, under ``<index>/cache/``::

    <model>.npz              the vectors of the last finished build
    <model>.parts/<n>.npz    vectors embedded since, one file per batch (``flush``)

Each file is written whole under a temporary name, then renamed: a build killed while embedding
loses at most the batch in flight, and the next build reads every part and embeds only the rest.
``save`` folds the parts into the main file at the end of a build. Nothing is pickled.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np

_TMP = ".tmp.npz"


class EmbeddingCache:
    def __init__(self, index_dir: Path, model_id: str) -> None:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", model_id)
        self.path = Path(index_dir) / "cache" / f"{slug}.npz"
        self.parts = Path(index_dir) / "cache" / f"{slug}.parts"
        self._vectors: dict[str, np.ndarray] = {}
        self._unsaved: dict[str, np.ndarray] = {}
        self._read(self.path)
        if self.parts.is_dir():
            for part in sorted(self.parts.iterdir()):
                if part.name.endswith(_TMP):
                    part.unlink(missing_ok=True)  # cut short by a kill: never complete
                else:
                    self._read(part)

    def _read(self, path: Path) -> None:
        if not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as z:
                self._vectors.update(zip(z["keys"].tolist(), z["vectors"]))
        except (OSError, ValueError, KeyError, EOFError):
            pass  # a damaged file only costs time: its texts are embedded again

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def get(self, text: str) -> np.ndarray | None:
        return self._vectors.get(self.key(text))

    def put(self, text: str, vector: np.ndarray) -> None:
        key = self.key(text)
        self._vectors[key] = self._unsaved[key] = np.asarray(vector, dtype=np.float32)

    def __len__(self) -> int:
        return len(self._vectors)

    def flush(self) -> None:
        """Write the vectors put since the last flush as one new part file."""
        if not self._unsaved:
            return
        self.parts.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.stem) for p in self.parts.glob("*.npz") if p.stem.isdigit()]
        _write(self.parts / f"{max(numbers, default=0) + 1:08d}.npz", self._unsaved)
        self._unsaved = {}

    def save(self, keep: set[str] | None = None) -> None:
        """Fold everything into the main file (only ``keep`` keys, when given) and drop the parts."""
        items = {k: v for k, v in self._vectors.items() if keep is None or k in keep}
        if items:
            _write(self.path, items)
        shutil.rmtree(self.parts, ignore_errors=True)  # after the main file: a kill between loses nothing
        self._unsaved = {}
        for stale in self.path.parent.glob(f"*{_TMP}"):
            stale.unlink(missing_ok=True)


def _write(path: Path, items: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + _TMP)
    np.savez(tmp, keys=np.array(list(items)), vectors=np.vstack(list(items.values())))
    os.replace(tmp, path)
