"""Float vectors by table row, for scoring a few candidates exactly: in memory while an index is
built, read from disk row by row when it is served.

A served index reads its rows with ``pread``, not through a memory map: a map would make every
page a search ever touched (and the kernel's read-ahead around it) resident in the worker — at
10^6 vectors the whole 1.5 GB file after a few thousand searches. Read this way, the rows a search
needs come from the page cache, which the kernel keeps or drops as memory allows; the worker holds
only the rows changed since loading.

    rows = FileRows(path)
    rows.take(np.array([3, 17]))  # (2, d) float32
    rows.put(np.array([3]), np.zeros((1, d), np.float32))  # in memory only
    rows.save(other_path)  # the file with the changes
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class MemoryRows:
    """Rows in a numpy array (zeros for rows never set)."""

    def __init__(self, n: int, dimension: int) -> None:
        self.array = np.zeros((n, dimension), dtype=np.float32)
        self._borrowed = False

    @classmethod
    def borrowing(cls, array: np.ndarray) -> "MemoryRows":
        """The rows of ``array`` (float32, one per row), not copied until a row changes: a build
        hands every vector at once, and a copy would be 1.5 GB more at 10^6 vectors."""
        rows = cls.__new__(cls)
        rows.array, rows._borrowed = array, True
        return rows

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.array[rows]

    def put(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        if self._borrowed:  # never write into the caller's array
            self.array, self._borrowed = self.array.copy(), False
        self.array[rows] = vectors

    def save(self, path: Path) -> None:
        np.save(path, self.array, allow_pickle=False)


#: Rows are read by runs when runs hold this many rows on average.
RUN = 8


class FileRows:
    """Rows of a ``.npy`` file of float32 (C order), read with ``pread``; changed rows kept in memory."""

    _fd: int | None = None

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        header = np.load(self.path, mmap_mode="r")  # reads the header only
        if header.dtype != np.float32 or header.ndim != 2 or not header.flags.c_contiguous:
            raise ValueError(f"{self.path}: expected a C-ordered 2-d float32 array")
        self.shape = header.shape
        self._offset = header.offset
        del header
        self._row_bytes = self.shape[1] * 4
        self._fd: int | None = os.open(self.path, os.O_RDONLY)
        self.changed: dict[int, np.ndarray] = {}

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The rows asked for, in their order. Rows are read one ``pread`` each, or, when they come
        in runs of neighbours (a document's passages are), one ``preadv`` per run straight into
        the result."""
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= self.shape[0]):
            raise IndexError(f"{self.path}: rows 0…{self.shape[0] - 1} only")
        out = np.empty((len(rows), self.shape[1]), dtype=np.float32)
        size, offset, fd = self._row_bytes, self._offset, self._fd
        ascending = bool(np.all(rows[1:] > rows[:-1]))
        ordered = rows if ascending else np.sort(rows)
        cuts = np.flatnonzero(np.diff(ordered) != 1) + 1
        if len(cuts) + 1 > len(rows) // RUN:  # scattered rows: one read each
            for i, row in enumerate(rows.tolist()):
                out[i] = np.frombuffer(os.pread(fd, size, offset + row * size), dtype=np.float32)
        else:
            target = out if ascending else np.empty_like(out)
            for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(ordered)].tolist()):
                want = (hi - lo) * size
                if os.preadv(fd, [memoryview(target[lo:hi]).cast("B")], offset + int(ordered[lo]) * size) != want:
                    raise OSError(f"{self.path}: the file ends before row {int(ordered[hi - 1])}")
            if not ascending:
                out[np.argsort(rows, kind="stable")] = target
        if self.changed:
            for i in np.flatnonzero(np.isin(rows, np.fromiter(self.changed, dtype=np.int64))).tolist():
                out[i] = self.changed[int(rows[i])]
        return out

    def put(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        if len(rows) and (rows.min() < 0 or rows.max() >= self.shape[0]):
            raise IndexError(f"{self.path}: rows 0…{self.shape[0] - 1} only")
        for row, vector in zip(rows.tolist(), np.asarray(vectors, dtype=np.float32)):
            self.changed[row] = vector.copy()

    def save(self, path: Path) -> None:
        """Writes the rows to ``path``: read through the descriptor opened at loading (the file may
        have been deleted or replaced since), written to a temporary file (``path`` may be the one
        read) that replaces ``path`` when complete."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as out:
                np.lib.format.write_array_header_1_0(
                    out, {"descr": "<f4", "fortran_order": False, "shape": tuple(self.shape)}
                )
                step = max(1, (64 << 20) // self._row_bytes) * self._row_bytes  # 64 MB at a time
                total = self.shape[0] * self._row_bytes
                for lo in range(0, total, step):
                    out.write(os.pread(self._fd, min(step, total - lo), self._offset + lo))
                base = out.tell() - total
                for row, vector in sorted(self.changed.items()):
                    out.seek(base + row * self._row_bytes)
                    out.write(np.ascontiguousarray(vector, dtype="<f4").tobytes())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()
