"""A learned, calibrated scorer of candidates: gradient-boosted trees (trained with scikit-learn by
``assistant train``) stored as JSON and evaluated here with NumPy, then an isotonic map from the
raw score to the probability of being right, fitted on cross-validated predictions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class Ranker:
    def __init__(
        self,
        features: list[str],
        baseline: float,
        trees: list[dict],
        calibration: dict | None = None,
        meta: dict | None = None,
    ) -> None:
        self.features = features
        self.baseline = baseline
        self.trees = [{k: np.asarray(v) for k, v in t.items()} for t in trees]
        self.calibration = calibration
        self.meta = meta or {}
        self._index = {name: i for i, name in enumerate(features)}
        self._stacked = _stack(self.trees)

    # --- scoring ---------------------------------------------------------------------------
    def matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        x = np.zeros((len(rows), len(self.features)), dtype=np.float64)
        index = self._index
        for i, row in enumerate(rows):
            for name, v in row.items():
                j = index.get(name)
                if j is not None:
                    x[i, j] = v
        return x

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The trees' summed raw score (log-odds) of every row: all trees walked at once, one
        step of depth per loop (a loop per tree costs ~10x more in NumPy call overhead)."""
        out = np.full(len(x), self.baseline, dtype=np.float64)
        if not self.trees or not len(x):
            return out
        feature, threshold, left, right, leaf, value = self._stacked
        trees = np.arange(len(self.trees))[:, None]
        rows = np.arange(len(x))[None, :]
        node = np.zeros((len(self.trees), len(x)), dtype=np.int64)
        for _ in range(64):
            at_leaf = leaf[trees, node]
            if at_leaf.all():
                break
            go_left = x[rows, feature[trees, node]] <= threshold[trees, node]
            node = np.where(at_leaf, node, np.where(go_left, left[trees, node], right[trees, node]))
        for t in range(len(self.trees)):  # summed tree by tree: the same floats as one tree at a time
            out += value[t, node[t]]
        return out

    def probability(self, rows: list[dict[str, float]]) -> np.ndarray:
        """Calibrated probability that each candidate is right."""
        if not rows:
            return np.zeros(0)
        raw = self.raw(self.matrix(rows))
        return self.calibrate(raw)

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-raw))
        if self.calibration:
            p = np.interp(p, self.calibration["x"], self.calibration["y"])
        return p

    # --- storage ---------------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "features": self.features,
            "baseline": self.baseline,
            "trees": [{k: v.tolist() for k, v in t.items()} for t in self.trees],
            "calibration": self.calibration,
            "meta": self.meta,
        }

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Ranker":
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(d["features"], d["baseline"], d["trees"], d.get("calibration"), d.get("meta"))

    @classmethod
    def from_sklearn(
        cls, model, features: list[str], calibration: dict | None = None, meta: dict | None = None
    ) -> "Ranker":
        """From a fitted binary ``HistGradientBoostingClassifier`` (no missing values in training)."""
        trees = []
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            trees.append(
                {
                    "feature": nodes["feature_idx"].astype(np.int64),
                    "threshold": nodes["num_threshold"].astype(np.float64),
                    "left": nodes["left"].astype(np.int64),
                    "right": nodes["right"].astype(np.int64),
                    "value": nodes["value"].astype(np.float64),
                    "leaf": nodes["is_leaf"].astype(bool),
                }
            )
        baseline = float(np.ravel(model._baseline_prediction)[0])
        return cls(features, baseline, [{k: v.tolist() for k, v in t.items()} for t in trees], calibration, meta)


def _stack(trees: list[dict]) -> tuple[np.ndarray, ...]:
    """The trees' node arrays padded to one width (padding nodes are leaves of value 0)."""
    width = max((len(t["leaf"]) for t in trees), default=1)

    def pad(key: str, fill, dtype) -> np.ndarray:
        out = np.full((len(trees), width), fill, dtype=dtype)
        for i, t in enumerate(trees):
            out[i, : len(t[key])] = t[key]
        return out

    return (
        pad("feature", 0, np.int64),
        pad("threshold", 0.0, np.float64),
        pad("left", 0, np.int64),
        pad("right", 0, np.int64),
        pad("leaf", True, bool),
        pad("value", 0.0, np.float64),
    )
