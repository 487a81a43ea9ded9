"""Experiment (session 30): do the rankers memorise each document's salient figures by their size?

    python scripts/lodo_value_size.py tra-vinh-qd-2063-ung-dung-cntt-2020.txt --variants shipped,coarse

One leave-one-document-out fold per document named, on the shipped models' training data (as
``scripts/lodo.py --documents``), with the figure's and the result's size (``log_value``,
``result_log``: log10 of the value) as shipped, coarsened to half-decades (⌊2·x⌋ / 2, at fitting and
at answering time), or dropped. Prints one JSON line per fold and variant. Result for QĐ 2063:
0.483 shipped, 0.490 coarsened (eval/reports/HISTORY.md, "Session 30").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLUMNS = ("log_value", "result_log")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("documents", help="documents to hold out, comma-separated file names")
    parser.add_argument("--variants", default="shipped,coarse", help="shipped, coarse, drop (comma-separated)")
    args = parser.parse_args(argv)

    from lodo import shipped_cases

    from assistant.answering import ranker
    from assistant.training.evaluate import leave_one_document_out

    mode = {"variant": "shipped"}
    matrix = ranker.Ranker.matrix

    def sized(self, rows):
        x = matrix(self, rows)
        for name in COLUMNS if mode["variant"] != "shipped" else ():
            j = self._index.get(name)
            if j is not None:
                x[:, j] = 0.0 if mode["variant"] == "drop" else np.floor(x[:, j] * 2.0) / 2.0
        return x

    ranker.Ranker.matrix = sized
    documents = args.documents.split(",")
    try:
        shipped, _, _, cases = shipped_cases(set(documents))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    for document in documents:
        for variant in args.variants.split(","):
            mode["variant"] = variant
            started = time.time()
            _, lo = leave_one_document_out(cases, shipped.threshold, held={document})
            m = lo["all"]
            row = {
                "document": document,
                "variant": variant,
                "n": m["n"],
                "accuracy": m["accuracy"],
                "by_type": m.get("accuracy_by_type"),
                "false_abstention": m.get("false_abstention"),
                "seconds": round(time.time() - started),
            }
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
