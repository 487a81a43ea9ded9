"""The candidate ranker: trees exported from scikit-learn give the same scores, stored as JSON."""

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
