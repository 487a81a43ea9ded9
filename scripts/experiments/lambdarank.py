"""Experiment (session 35; "stacked" session 36): the final rankers (numeric, sentences) fitted
pointwise (scikit-learn, round 17) vs with LightGBM's lambdarank objective grouped by question, and
"stacked": pointwise, the numeric ranker reading a lambdarank model's out-of-fold scores (what
``assistant train`` does since session 36, ``fit_models(listwise=True)``). Same readings, grouped 5-fold CV.
Needs the ``train`` extra (LightGBM).

    python scripts/experiments/lambdarank.py pointwise,lambdarank-numeric,lambdarank,stacked SET.jsonl...
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

import assistant.training.procedure as P
from assistant.answering.answerer import DefaultAnswerer
from assistant.answering.ranker import Ranker
from assistant.pipeline import Pipeline
from assistant.settings import Settings
from assistant.training.evaluate import choose_threshold, cross_validate, grouped_folds, metrics_at
from assistant.training.fit import isotonic
from assistant.training.items import load_sets, prepare
from assistant.training.procedure import fit_models, read_all


class LGB(Ranker):
    def calibrate(self, raw):  # isotonic on the raw score itself: lambdarank's scores saturate a sigmoid
        return np.interp(raw, self.calibration["x"], self.calibration["y"]) if self.calibration else raw

    def raw(self, x):
        return np.zeros(0) if not len(x) else np.asarray(self._b.predict(x, raw_score=True), dtype=np.float64)


def fit_lr(rows, labels, sizes, names):
    import lightgbm as lgb

    r = LGB(names, 0.0, [])
    y = np.asarray(labels, dtype=int)
    x = r.matrix(rows)
    sizes = [s for s in sizes if s]
    if y.min() == y.max():
        r._b = None
        r.raw = lambda x: np.zeros(len(x))
        return r
    m = lgb.LGBMRanker(
        objective="lambdarank",
        n_estimators=200,
        learning_rate=0.08,
        num_leaves=31,
        min_child_samples=20,
        reg_lambda=1.0,
        deterministic=True,
        n_jobs=2,
        verbose=-1,
        random_state=0,
        lambdarank_truncation_level=10,
    )
    m.fit(x, y, group=sizes)
    r._b = m.booster_
    return r


def lr_calibrated(cases, parts, rest, rows_of, trees=None):
    rows, labels = rows_of(cases)
    names = P._features(rows)

    def sizes(cs):
        return [len(rows_of([c])[1]) for c in cs]

    oof, oofy = [], []
    for part, others in zip(parts, rest):
        m = fit_lr(*rows_of(others), sizes(others), names)
        r, y = rows_of(part)
        oof.append(m.raw(m.matrix(r)))
        oofy += y
    final = fit_lr(rows, labels, sizes(cases), names)
    final.calibration = isotonic(np.concatenate(oof), np.asarray(oofy))
    return final


pointwise = P._calibrated
paths = [Path(p) for p in sys.argv[2:]]
settings = Settings()
pipeline = Pipeline(settings)
cases = read_all(prepare(load_sets(paths), pipeline, DefaultAnswerer(settings), progress=False), progress=False)
folds = grouped_folds(cases, 5)
for variant in sys.argv[1].split(","):

    def numeric_only(cases, parts, rest, rows_of, trees=None):
        f = lr_calibrated if rows_of is P._numeric_rows else pointwise
        return f(cases, parts, rest, rows_of, trees)

    P._calibrated = {"lambdarank": lr_calibrated, "lambdarank-numeric": numeric_only}.get(variant, pointwise)
    t = time.time()
    cv = cross_validate(cases, folds, fit=lambda train, v=variant: fit_models(train, listwise=v == "stacked"))
    took = time.time() - t
    th = choose_threshold(cv)
    m = metrics_at(cv, th)
    answerable = [o for o in cv if o.answerable]
    top1 = sum(o.right for o in answerable) / len(answerable)
    reach = [o for o in answerable if o.reachable]
    print(
        json.dumps(
            {
                "variant": variant,
                "seconds": round(took),
                "questions": len(cv),
                "threshold": th,
                "accuracy": round(m["accuracy"], 4),
                "false_abstention": round(m["false_abstention"], 4),
                "top1_answerable": round(top1, 4),
                "top1_when_reachable": round(sum(o.right for o in reach) / len(reach), 4),
                "by_type": {k: round(v, 3) for k, v in m["accuracy_by_type"].items()},
            },
            ensure_ascii=False,
        ),
        flush=True,
    )
    with open(f"lambdarank-{variant}.jsonl", "w") as fh:
        for o in cv:
            fh.write(
                json.dumps({"id": o.gold.id, "right": o.right, "correct": o.correct_at(th), "reachable": o.reachable})
                + "\n"
            )
