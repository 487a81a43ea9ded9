"""Experiment (session 35, not part of the product): in-sample ceiling with the shipped models. Per
answer type: right / wrong without a right candidate / wrong with one (answered otherwise / abstained).

    python scripts/experiments/ceiling.py eval/datasets/train/*.jsonl eval/datasets/dev.jsonl \
        eval/datasets/holdout.jsonl --out outcomes.jsonl
"""

import sys
from pathlib import Path

from assistant.answering.answerer import DefaultAnswerer
from assistant.answering.learned import Models
from assistant.pipeline import Pipeline
from assistant.settings import Settings
from assistant.training.evaluate import outcomes
from assistant.training.items import load_sets, prepare
from assistant.training.procedure import apply, read_all
from assistant.training.report import ceiling, write_outcomes

args = sys.argv[1:]
out = Path(args[args.index("--out") + 1])
args = args[: args.index("--out")]
settings = Settings()
pipeline = Pipeline(settings)
models = Models.load()
items = [
    it for it in prepare(load_sets([Path(a) for a in args]), pipeline, DefaultAnswerer(settings)) if not it.augmented
]
cases = read_all(items)
apply(cases, models)
cv = outcomes(cases)
for kind, row in ceiling(cv, models.threshold):
    print(kind, row)
write_outcomes(out, cv, models.threshold)
