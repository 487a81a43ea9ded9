"""Reading float vectors by row from disk: one ``pread`` per row against runs read at once.

    python -m benchmarks.float_rows                 # 100,000 × 384 rows, 20 alternating repetitions

A filtered ``ivf-sq8`` search scores every row of the documents it may see exactly; those rows are
neighbours (a document's passages are built together). Prints the median milliseconds of each way
for a run of 14,913 rows (one province at 10^6 passages), the same rows shuffled, and 100 and 2,000
scattered rows, and checks that both ways return the same rows.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.retrieval.float_rows import FileRows


def row_by_row(rows: FileRows, which: np.ndarray) -> np.ndarray:
    """The previous reading: one ``pread`` per row."""
    out = np.empty((len(which), rows.shape[1]), dtype=np.float32)
    size, offset, fd = rows._row_bytes, rows._offset, rows._fd
    for i, row in enumerate(which.tolist()):
        out[i] = np.frombuffer(os.pread(fd, size, offset + row * size), dtype=np.float32)
    return out


def main(n: int = 100_000, dimension: int = 384, repetitions: int = 20) -> None:
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vectors.npy"
        np.save(path, rng.standard_normal((n, dimension)).astype(np.float32))
        rows = FileRows(path)
        run = np.arange(n // 3, n // 3 + min(14_913, n // 2))
        cases = {
            f"run of {len(run):,}": run,
            "the same shuffled": rng.permutation(run),
            "100 scattered": rng.choice(n, 100, replace=False),
            "2,000 scattered": rng.choice(n, 2_000, replace=False),
        }
        for name, which in cases.items():
            assert np.array_equal(row_by_row(rows, which), rows.take(which))
            times: dict[str, list[float]] = {"row by row": [], "by runs": []}
            for _ in range(repetitions):  # alternating
                for label, read in (("row by row", lambda w: row_by_row(rows, w)), ("by runs", rows.take)):
                    t = time.perf_counter()
                    read(which)
                    times[label].append(time.perf_counter() - t)
            shown = ", ".join(f"{k} {np.median(v) * 1000:.2f} ms" for k, v in times.items())
            print(f"{name}: {shown}")
        rows.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
