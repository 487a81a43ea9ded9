"""Fitting the answerer's models on training items: the question classifier (logistic regression),
the three candidate rankers (gradient-boosted trees) and their isotonic calibration, and the listwise
model whose scores the numeric ranker reads (LightGBM's lambdarank). Every fit is deterministic
(fixed seeds, no early stopping)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assistant.answering.classifier import (
    ANSWERABILITY,
    HASH_BITS,
    OPERATIONS,
    TYPES,
    Head,
    QuestionClassifier,
    feature_row,
    operation_of,
)
from assistant.answering.ranker import Ranker
from assistant.errors import ConfigurationError
from assistant.training.items import Item

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

TREES = {
    "max_iter": 200,
    "learning_rate": 0.08,
    "max_leaf_nodes": 31,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
    "random_state": 0,
}
#: The share of wrong candidates a ranker is fitted on. All right ones are kept and the rows are not
#: weighted: keeping a share ``s`` of the wrong rows multiplies the odds of being right by ``1 / s``,
#: so ``log(s)`` is added to the fitted log-odds, and the isotonic calibration (fitted on every
#: out-of-fold row) absorbs what remains. Weighting the kept wrong rows by ``1 / s`` instead (round
#: 17) made scikit-learn bin the features with weighted percentiles, 28 % of a training run. On the
#: full training data a fit's time grows with its rows (one fit of the numeric ranker's settings:
#: 27 k rows 6 s, 108 k 19 s, 434 k 70 s, 1.08 M 179 s) and nine candidates in ten are wrong
#: calculations. The draw is seeded by the number of rows: the same data gives the same models.
NEGATIVES = 0.25
#: How the sample is corrected, as the manifest records it.
WEIGHTING = "log-odds shifted by log(share)"
#: Chosen by grouped 5-fold cross-validation of the heads on the training questions (1, 4, 16, 64, 100).
C_CLASSIFIER = 64.0


def classifier_matrix(items: list[Item], dimension: int):
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for it in items:
        idx, val = feature_row(it.asked, it.analysis.vector, dimension)
        indices.extend(idx.tolist())
        data.extend(val.tolist())
        indptr.append(len(indices))
    width = (1 << HASH_BITS) + dimension
    return csr_matrix((data, indices, indptr), shape=(len(items), width))


def type_label(it: Item) -> str | None:
    return None if it.gold.type == "unanswerable" else it.gold.type


def operation_label(it: Item) -> str | None:
    return operation_of(it.gold.calculation) if it.gold.type == "computed" else None


def head_of(model: LogisticRegression, classes: tuple[str, ...], width: int) -> Head:
    """A fitted scikit-learn logistic regression (labels are indices into ``classes``) as a Head."""
    coef = np.zeros((len(classes), width))
    intercept = np.full(len(classes), -30.0)  # a class never seen in training is never predicted
    for row, cls in enumerate(model.classes_):
        if len(model.classes_) > 2:
            coef[cls], intercept[cls] = model.coef_[row], model.intercept_[row]
        elif row:  # two classes: softmax over (0, w·x + b) is the fitted sigmoid
            coef[cls], intercept[cls] = model.coef_[0], model.intercept_[0]
        else:
            coef[cls], intercept[cls] = 0.0, 0.0
    return Head(classes, coef, intercept)


def answerability_label(it: Item) -> str:
    return "unanswerable" if it.gold.type == "unanswerable" else "answerable"


def fit_classifier(items: list[Item]) -> QuestionClassifier:
    from sklearn.linear_model import LogisticRegression

    dimension = next((len(it.analysis.vector) for it in items if it.analysis.vector is not None), 0)
    heads = {}
    for name, label, classes in (
        ("type", type_label, TYPES),
        ("operation", operation_label, OPERATIONS),
        ("answerable", answerability_label, ANSWERABILITY),
    ):
        chosen = [it for it in items if label(it) is not None]
        y = np.array([classes.index(label(it)) for it in chosen])
        seen = set(y.tolist())
        if len(seen) < 2:  # one class or none: that class (no opinion when none), never one unseen
            intercept = np.array([0.0 if not seen or k in seen else -30.0 for k in range(len(classes))])
            heads[name] = Head(classes, np.zeros((len(classes), (1 << HASH_BITS) + dimension)), intercept)
            continue
        x = classifier_matrix(chosen, dimension)
        model = LogisticRegression(C=C_CLASSIFIER, max_iter=10000)
        model.fit(x, y)
        heads[name] = head_of(model, classes, x.shape[1])
    return QuestionClassifier(heads, dimension)


class FittedRanker(Ranker):
    """A ranker just fitted, which scores with scikit-learn's compiled, multithreaded predictor
    (training scores millions of out-of-fold rows); it saves as, and scores like, a plain
    :class:`Ranker` whose baseline includes ``shift``."""

    @classmethod
    def of(cls, model, features: list[str], shift: float) -> "FittedRanker":
        ranker = cls.from_sklearn(model, features)
        ranker.baseline += shift
        ranker._model, ranker._shift = model, shift
        return ranker

    def raw(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        return np.asarray(self._model.decision_function(x), dtype=np.float64).ravel() + self._shift


def fit_ranker(
    rows: list[dict[str, float]], labels: list[bool], features: list[str], trees: dict | None = None
) -> Ranker:
    from sklearn.ensemble import HistGradientBoostingClassifier

    params = {**TREES, **(trees or {})}
    share = float(params.pop("negatives", NEGATIVES))
    y = np.asarray(labels, dtype=int)
    if not len(y) or y.min() == y.max():  # one class only (or none): a constant model
        p = 0.999 if len(y) and y.max() else 0.001
        return Ranker(features, float(np.log(p / (1 - p))), [])
    keep, kept_share = _sampled(y, share)
    x = Ranker(features, 0.0, []).matrix([rows[i] for i in keep] if kept_share < 1.0 else rows)
    model = HistGradientBoostingClassifier(**params)
    model.fit(x, y[keep])
    return FittedRanker.of(model, features, float(np.log(kept_share)))


#: The listwise model (LightGBM's lambdarank, one list per question): the same size of trees as
#: ``TREES``; the ranking loss looks at the ten best-ranked candidates of a question.
LISTWISE_PARAMS = {
    "n_estimators": 200,
    "learning_rate": 0.08,
    "num_leaves": 31,
    "min_child_samples": 20,
    "reg_lambda": 1.0,
    "lambdarank_truncation_level": 10,
}


def fit_listwise(
    rows: list[dict[str, float]], labels: list[bool], sizes: list[int], features: list[str], trees: dict | None = None
) -> Ranker:
    """A model that orders each question's candidates (``sizes``: how many rows each question has,
    in order), fitted on every row; its raw scores compare candidates of one question only. Of
    ``trees`` (the pointwise rankers' parameters) only ``max_iter`` is read, as its number of trees."""
    lightgbm = require_training_packages()["lightgbm"]
    y = np.asarray(labels, dtype=int)
    sizes = [n for n in sizes if n]
    if sum(sizes) != len(y):
        raise ValueError(f"the question sizes add up to {sum(sizes)}, not the {len(y)} rows")
    if not len(y) or y.min() == y.max():  # nothing to order
        return Ranker(features, 0.0, [])
    params = dict(LISTWISE_PARAMS)
    if trees and "max_iter" in trees:  # the size the tests give the pointwise rankers
        params["n_estimators"] = trees["max_iter"]
    x = Ranker(features, 0.0, []).matrix(rows)
    if not np.isfinite(x).all():  # the exported trees send no missing value the way LightGBM does
        raise ValueError("the listwise model's features must be finite numbers")
    model = lightgbm.LGBMRanker(
        objective="lambdarank",
        **params,
        deterministic=True,
        force_col_wise=True,
        random_state=0,
        n_jobs=-1,
        verbose=-1,
    )
    model.fit(x, y, group=sizes)
    meta = {"objective": "lambdarank", "lightgbm": lightgbm.__version__, **params}
    return Ranker.from_lightgbm(model.booster_.dump_model(), features, meta=meta)


def require_training_packages() -> dict:
    """scikit-learn and LightGBM (the ``train`` extra), imported; a Vietnamese error naming what to
    install when either is missing or LightGBM cannot load its OpenMP runtime (Debian's libgomp1)."""
    try:
        import lightgbm
        import sklearn
    except (ImportError, OSError) as exc:  # OSError: lib_lightgbm.so without libgomp.so.1
        raise ConfigurationError(
            f"Huấn luyện cần scikit-learn và lightgbm, chưa dùng được: {exc}.",
            hint='Hãy cài: pip install -e ".[train]" và thư viện libgomp1 (make openmp).',
        ) from exc
    return {"lightgbm": lightgbm, "sklearn": sklearn}


def _sampled(y: np.ndarray, share: float) -> tuple[np.ndarray, float]:
    """The rows a ranker is fitted on: every right one and a seeded ``share`` of the wrong ones,
    with the share of wrong rows kept (1.0 when all are)."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"negatives must be in (0, 1], got {share}")
    if share == 1.0:
        return np.arange(len(y)), 1.0
    drawn = np.random.default_rng(len(y)).random(len(y)) < share
    if not (drawn & (y == 0)).any():  # too few wrong rows to sample: fitted on all of them
        return np.arange(len(y)), 1.0
    keep = np.flatnonzero((y == 1) | drawn)
    return keep, float((y[keep] == 0).sum() / (y == 0).sum())


def isotonic(raw_probability: np.ndarray, labels: np.ndarray) -> dict:
    """A monotone map from the trees' probability to the observed rate of right answers."""
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(raw_probability, labels.astype(float))
    x = np.asarray(iso.X_thresholds_, dtype=float)
    y = np.asarray(iso.y_thresholds_, dtype=float)
    return {"x": [round(float(v), 6) for v in x], "y": [round(float(v), 6) for v in y]}
