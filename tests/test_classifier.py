"""The question classifier: operation labels from gold calculations, hashed features, JSON storage."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answering.classifier import Head, QuestionClassifier, feature_row, operation_of, text_features


@pytest.mark.parametrize(
    ("expression", "operation"),
    [
        ("1772 - 1238", "difference"),
        ("1858 - 551 - 1077", "difference"),
        ("1 + 31 + 170", "sum"),
        ("80 / 335 * 100", "share"),
        ("322 / 46", "ratio"),
        ("(498 + 390) / 1947 * 100", "share"),
        ("1.5 * 365", "product"),
        ("(72524 - 39217.236) / 39217.236 * 100", "share"),  # a change in percent has the shape of a share
        ("80 - 21 / 47 * 100", "other"),
        (None, "other"),
    ],
)
def test_operation_read_from_the_calculation(expression, operation):
    assert operation_of(expression) == operation


def test_text_features_fold_accents_and_are_normalised():
    a = text_features("Năm 2023 có bao nhiêu trạm BTS?")
    b = text_features("nam 2023 co bao nhieu tram bts")
    assert a == b
    assert np.isclose(sum(v * v for v in a.values()), 1.0)


def test_head_predicts_and_survives_json(tmp_path):
    rng = np.random.default_rng(0)
    idx, val = feature_row("Tỷ lệ hồ sơ trực tuyến là bao nhiêu?", rng.normal(size=8), 8)
    coef = rng.normal(size=(3, (1 << 14) + 8))
    head = Head(("a", "b", "c"), coef, np.array([0.1, -0.2, 0.0]))
    p = head.predict(idx, val)
    assert set(p) == {"a", "b", "c"} and abs(sum(p.values()) - 1) < 1e-6
    clf = QuestionClassifier({"type": head}, 8)
    clf.save(tmp_path / "c.json")
    again = QuestionClassifier.load(tmp_path / "c.json")
    q = again.predict("Tỷ lệ hồ sơ trực tuyến là bao nhiêu?", rng.normal(size=8))
    assert set(q["type"]) == {"a", "b", "c"}
    p16 = again.heads["type"].predict(idx, val)
    assert all(abs(p[k] - p16[k]) < 0.02 for k in p)  # float16 storage keeps the probabilities
