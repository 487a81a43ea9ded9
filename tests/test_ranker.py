"""The candidate ranker: trees exported from scikit-learn or LightGBM give the same scores, stored as JSON."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.ranker import Ranker

sklearn = pytest.importorskip("sklearn")


def test_exported_trees_score_like_scikit_learn(tmp_path):
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, 4))
    y = ((x[:, 0] + 0.5 * x[:, 1] * x[:, 2]) > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0, early_stopping=False).fit(x, y)
    names = ["a", "b", "c", "d"]
    ranker = Ranker.from_sklearn(model, names)
    rows = [dict(zip(names, r)) for r in x[:50]]
    assert np.allclose(ranker.probability(rows), model.predict_proba(x[:50])[:, 1], atol=1e-9)
    ranker.save(tmp_path / "r.json")
    again = Ranker.load(tmp_path / "r.json")
    assert np.allclose(again.probability(rows), ranker.probability(rows))
    assert again.probability([{"z": 1.0}]).shape == (1,)  # unknown features are read as 0


def test_calibration_maps_monotonically():
    ranker = Ranker(["a"], 0.0, [], calibration={"x": [0.0, 0.5, 1.0], "y": [0.0, 0.2, 0.9]})
    p = ranker.calibrate(np.array([-5.0, 0.0, 5.0]))
    assert p[0] < p[1] < p[2] and abs(p[1] - 0.2) < 1e-9


def test_exported_lightgbm_trees_score_exactly_like_lightgbm(tmp_path):
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3000, 5))
    x[:, 4] = np.round(x[:, 4])
    y = (x[:, 0] + 0.5 * x[:, 3] * x[:, 4] + rng.normal(size=3000) > 0.5).astype(int)
    model = lightgbm.LGBMRanker(objective="lambdarank", n_estimators=40, num_leaves=15, verbose=-1)
    model.fit(x, y, group=[30] * 100)
    names = ["a", "b", "c", "d", "e"]
    ranker = Ranker.from_lightgbm(model.booster_.dump_model(), names)
    ranker.save(tmp_path / "r.json")
    again = Ranker.load(tmp_path / "r.json")
    test = rng.normal(size=(500, 5))
    test[:, 4] = np.round(test[:, 4])
    # rows whose value equals a split's threshold exactly: LightGBM sends them left (<=). Not its
    # splits at ±1e-35 (zero against the rest): it reads any input that small as 0, as real rows are
    splits = [(t["feature"][i], t["threshold"][i]) for t in again.trees for i in np.flatnonzero(~t["leaf"])]
    splits = [(f, v) for f, v in splits if abs(v) > 1e-30]
    at = test[np.arange(len(splits)) % len(test)].copy()
    for row, (feature, threshold) in zip(at, splits):
        row[feature] = threshold
    for data in (x, test, at):
        expected = model.booster_.predict(data, raw_score=True)
        assert np.allclose(again.raw(data), expected, rtol=0, atol=1e-12)
    assert len(again.trees) == 40 and len(splits) > 100


def test_a_lightgbm_tree_of_one_leaf_and_an_unsupported_split():
    one_leaf = {"num_tree_per_iteration": 1, "tree_info": [{"tree_structure": {"leaf_value": 0.25}}]}
    assert Ranker.from_lightgbm(one_leaf, ["a"]).raw(np.zeros((3, 1))).tolist() == [0.25] * 3
    categorical = {
        "split_feature": 0,
        "threshold": "1||2",
        "decision_type": "==",
        "left_child": {"leaf_value": 1.0},
        "right_child": {"leaf_value": 0.0},
    }
    with pytest.raises(ValueError, match="categorical"):
        Ranker.from_lightgbm({"tree_info": [{"tree_structure": categorical}]}, ["a"])
    missing = dict(categorical, threshold=0.5, decision_type="<=", missing_type="NaN")
    with pytest.raises(ValueError, match="missing"):
        Ranker.from_lightgbm({"tree_info": [{"tree_structure": missing}]}, ["a"])
    with pytest.raises(ValueError, match="2 features, not 1"):
        Ranker.from_lightgbm({"feature_names": ["a", "b"], "tree_info": []}, ["a"])
