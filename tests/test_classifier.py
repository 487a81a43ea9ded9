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


@pytest.mark.parametrize("classes", [("answerable", "unanswerable"), ("a", "b", "c")])
def test_a_fitted_head_predicts_what_scikit_learn_fitted(classes):
    from sklearn.linear_model import LogisticRegression

    from assistant.training.fit import head_of

    rng = np.random.default_rng(1)
    x = rng.normal(size=(120, 6))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0.3).astype(int) + (len(classes) == 3) * (x[:, 2] > 0.8)
    model = LogisticRegression(C=4.0, max_iter=2000).fit(x, y)
    head = head_of(model, classes, 6)
    idx = np.arange(6)
    for row, expected in zip(x[:20], model.predict_proba(x[:20])):
        p = head.predict(idx, row)
        assert np.allclose([p[c] for c in classes], expected, atol=2e-3)  # float32, intercept kept


#: Questions written for this test: in these documents figures are stated, signers never are.
_ASKED = [
    ("Năm 2023 tỉnh có bao nhiêu trạm BTS?", "number"),
    ("Tỷ lệ hồ sơ trực tuyến năm 2022 là bao nhiêu?", "percent"),
    ("Có bao nhiêu máy chủ được đầu tư?", "number"),
    ("Số doanh nghiệp công nghệ số năm 2021?", "number"),
    ("Kinh phí thực hiện kế hoạch là bao nhiêu triệu đồng?", "number"),
    ("Bao nhiêu xã có điểm phục vụ bưu chính?", "number"),
    ("Tỷ lệ cán bộ có chữ ký số là bao nhiêu phần trăm?", "percent"),
    ("Toàn tỉnh có bao nhiêu camera giám sát?", "number"),
    ("Ai là người ký ban hành kế hoạch này?", "unanswerable"),
    ("Họ tên người ký quyết định là gì?", "unanswerable"),
    ("Người ký văn bản chỉ đạo là ai?", "unanswerable"),
    ("Văn bản do ai ký?", "unanswerable"),
]


def _item(i: int, text: str, kind: str):
    from types import SimpleNamespace

    from assistant.evaluation.dataset import Question
    from assistant.training.items import Item

    value = None if kind == "unanswerable" else 1.0
    gold = Question(
        id=f"t-{i}", doc="d.txt", question=text, type=kind, answer="", value=value, evidence=[], difficulty="easy"
    )
    return Item(gold, text, gold.id, [], None, SimpleNamespace(vector=None))


def test_the_answerability_head_learns_what_the_documents_do_not_say():
    from assistant.training.fit import fit_classifier

    clf = fit_classifier([_item(i, t, k) for i, (t, k) in enumerate(_ASKED)])
    assert set(clf.heads) == {"type", "operation", "answerable"}

    def unanswerable(text: str) -> float:
        return clf.predict(text, None)["answerable"]["unanswerable"]

    # questions it never saw, in other words
    assert unanswerable("Xin cho biết ai đã ký kế hoạch?") > 0.5 > unanswerable("Năm 2024 có bao nhiêu trạm BTS?")


def test_a_head_that_saw_one_class_predicts_that_class():
    from assistant.training.fit import fit_classifier

    clf = fit_classifier([_item(i, t, k) for i, (t, k) in enumerate(_ASKED) if k != "unanswerable"])
    assert clf.predict("Ai là người ký?", None)["answerable"]["answerable"] > 0.999  # not "no opinion" (0.5)
