"""A learned, calibrated scorer of candidates: gradient-boosted trees (trained with scikit-learn or
LightGBM by ``assistant train``) stored as JSON and evaluated here with NumPy, then an isotonic map
from the raw score to the probability of being right, fitted on cross-validated predictions."""

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
        self._flat = _flatten(self.trees)
        self._layouts: dict[tuple[str, ...], tuple[np.ndarray, list[int] | None]] = {}

    # --- scoring ---------------------------------------------------------------------------
    def matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        """Rows of named features as a matrix (absent features are 0). Rows built by the same code
        share their key order, so the column positions are looked up once per key order."""
        x = np.zeros((len(rows), len(self.features)), dtype=np.float64)
        layouts = self._layouts
        for i, row in enumerate(rows):
            keys = tuple(row)
            layout = layouts.get(keys)
            if layout is None:
                layout = self._layout(keys)
            columns, known = layout
            values = list(row.values())
            x[i, columns] = values if known is None else [values[k] for k in known]
        return x

    def _layout(self, keys: tuple[str, ...]) -> tuple[np.ndarray, list[int] | None]:
        index = self._index
        known = [k for k, name in enumerate(keys) if name in index]
        columns = np.asarray([index[keys[k]] for k in known], dtype=np.int64)
        layout = (columns, None if len(known) == len(keys) else known)
        if len(self._layouts) < 4096:
            self._layouts[keys] = layout
        return layout

    def raw(self, x: np.ndarray) -> np.ndarray:
        """The trees' summed raw score of every row (log-odds for the pointwise rankers; for the
        listwise model a score that orders one question's candidates). Every (tree, row) pair walks down
        one level per step, as flat arrays; pairs that reached a leaf leave the walk (leaves point
        to themselves), so a step costs as much as the pairs still walking."""
        out = np.full(len(x), self.baseline, dtype=np.float64)
        n = len(x)
        if not self.trees or not n:
            return out
        feature, threshold, child_left, child_right, value, roots = self._flat
        trees = len(roots)
        node = np.repeat(roots, n)  # tree-major: pair p is tree p // n, row p % n
        base = np.tile(np.arange(n, dtype=np.int64) * x.shape[1], trees)
        pair = np.arange(trees * n)
        flat_x = np.ascontiguousarray(x).ravel()
        final = np.empty(trees * n, dtype=np.int64)
        for _ in range(len(feature)):  # a walk is never longer than the nodes (a malformed model cannot hang)
            if not len(node):
                break
            go_left = flat_x[base + feature[node]] <= threshold[node]
            nxt = np.where(go_left, child_left[node], child_right[node])
            done = nxt == node
            if done.any():
                final[pair[done]] = node[done]
                walking = ~done
                node, base, pair = nxt[walking], base[walking], pair[walking]
            else:
                node = nxt
        final[pair] = node  # none left, unless the model is malformed (a cycle): stop where it is
        leaves = value[final].reshape(trees, n)
        for t in range(trees):  # summed tree by tree: the same floats as one tree at a time
            out += leaves[t]
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

    @classmethod
    def from_lightgbm(
        cls, dump: dict, features: list[str], calibration: dict | None = None, meta: dict | None = None
    ) -> "Ranker":
        """From a LightGBM booster's ``dump_model()``: gradient-boosted trees of one output with
        numerical ``<=`` splits and constant leaves, fitted without missing values (LightGBM's
        direction for a missing value is not kept: the features here are never missing)."""
        if dump.get("num_tree_per_iteration", 1) != 1 or dump.get("average_output"):
            raise ValueError("a LightGBM model of one output, its trees summed, is expected")
        if "feature_names" in dump and len(dump["feature_names"]) != len(features):
            raise ValueError(f"the model reads {len(dump['feature_names'])} features, not {len(features)}")
        trees = [_lightgbm_tree(info["tree_structure"]) for info in dump["tree_info"]]
        return cls(features, 0.0, trees, calibration, meta)


def _lightgbm_tree(root: dict) -> dict:
    """One LightGBM tree (nested dicts) as the flat arrays of a tree here, nodes in preorder."""
    feature, threshold, left, right, value, leaf = [], [], [], [], [], []
    stack: list[tuple[dict, int, str]] = [(root, -1, "")]
    while stack:
        node, parent, side = stack.pop()
        i = len(feature)
        if parent >= 0:
            (left if side == "left" else right)[parent] = i
        is_leaf = "leaf_value" in node
        if is_leaf and "leaf_coeff" in node:
            raise ValueError("LightGBM's linear trees are not supported")
        if not is_leaf and node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported LightGBM split {node.get('decision_type')!r} (categorical features?)")
        if not is_leaf and node.get("missing_type", "None") != "None":
            raise ValueError(f"a LightGBM split for missing values ({node['missing_type']}) is not supported")
        feature.append(0 if is_leaf else int(node["split_feature"]))
        threshold.append(0.0 if is_leaf else float(node["threshold"]))
        left.append(i)
        right.append(i)
        value.append(float(node["leaf_value"]) if is_leaf else 0.0)
        leaf.append(is_leaf)
        if not is_leaf:
            stack.append((node["right_child"], i, "right"))
            stack.append((node["left_child"], i, "left"))
    return {"feature": feature, "threshold": threshold, "left": left, "right": right, "value": value, "leaf": leaf}


def _flatten(trees: list[dict]) -> tuple[np.ndarray, ...]:
    """All trees' nodes in one array each (node ids offset per tree). A leaf tests +inf and both
    its children are itself, so a walk that reached it stays there."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    offset = 0
    for t in trees:
        leaf = np.asarray(t["leaf"], dtype=bool)
        ids = np.arange(len(leaf), dtype=np.int64)
        feature.append(np.where(leaf, 0, t["feature"]).astype(np.int64))
        threshold.append(np.where(leaf, np.inf, t["threshold"]).astype(np.float64))
        left.append(np.where(leaf, ids, t["left"]).astype(np.int64) + offset)
        right.append(np.where(leaf, ids, t["right"]).astype(np.int64) + offset)
        value.append(np.asarray(t["value"], dtype=np.float64))
        roots.append(offset)
        offset += len(leaf)
    if not trees:
        return tuple(np.zeros(0) for _ in range(6))
    return (
        np.concatenate(feature),
        np.concatenate(threshold),
        np.concatenate(left),
        np.concatenate(right),
        np.concatenate(value),
        np.asarray(roots, dtype=np.int64),
    )
