"""LODO diagnostic: on a held-out document, which part loses — the question classifier, or the
answerability head not applying to an unseen document? Each fold is fitted once and applied four
ways: as LODO does (A), with the classifier fitted on every question, the held-out document's
included (B: an oracle classifier), with the answerability head applied to the held-out document
(C), and both (D)."""

import dataclasses
import json
import sys
import time
from pathlib import Path

from assistant.answering.answerer import DefaultAnswerer
from assistant.pipeline import Pipeline
from assistant.settings import Settings
from assistant.training.command import DEFAULT_SETS
from assistant.training.evaluate import document_folds, metrics_at, outcomes
from assistant.training.fit import fit_classifier
from assistant.training.items import load_sets, prepare
from assistant.training.procedure import apply, fit_models, read_all

threshold = float(sys.argv[1])  # the shipped abstention threshold
only = sys.argv[2:]  # documents to hold out (all when none are named)
t0 = time.time()
paths = sorted({p for pattern in DEFAULT_SETS for p in Path(".").glob(pattern)})
settings = Settings()
pipeline = Pipeline(settings)
items = prepare(load_sets(paths), pipeline, DefaultAnswerer(settings))
cases = read_all(items, progress=False)
print(f"read {len(cases)} in {time.time() - t0:.0f}s", flush=True)
folds = document_folds(cases)
oracle = fit_classifier([c.item for c in cases])
everything = None
res = {v: [] for v in "ABCD"}
names = sorted({c.item.document for c in cases})
for k in sorted(set(folds)):
    if only and names[k] not in only:
        continue
    train = [c for c, f in zip(cases, folds) if f != k]
    test = [c for c, f in zip(cases, folds) if f == k and not c.item.augmented]
    models = fit_models(train)
    seen_all = models.seen_documents | frozenset(
        d.sha256 for d in (c.item.ctx.data.documents.get(c.item.document) for c in test) if d
    )
    variants = {
        "A": models,
        "B": dataclasses.replace(models, classifier=oracle),
        "C": dataclasses.replace(models, seen_documents=seen_all),
        "D": dataclasses.replace(models, classifier=oracle, seen_documents=seen_all),
    }
    for v, m in variants.items():
        apply(test, m)
        res[v] += outcomes(test)
    doc = test[0].item.document if test else k
    line = {v: round(metrics_at(res[v][-len(test) :], threshold)["accuracy"], 3) for v in "ABCD"}
    print(f"fold {k} {doc} n={len(test)} {line} {time.time() - t0:.0f}s", flush=True)
out = {}
for v in "ABCD":
    m = metrics_at(res[v], threshold)
    out[v] = {
        "accuracy": m["accuracy"],
        "false_abstention": m.get("false_abstention"),
        "by_type": m["accuracy_by_type"],
        "abstention_unanswerable": m["abstention_unanswerable"],
    }
    print(v, json.dumps(out[v], ensure_ascii=False), flush=True)
print(json.dumps(out, ensure_ascii=False, indent=1))
