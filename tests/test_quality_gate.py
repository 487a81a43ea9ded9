"""Quality gate: the dev set must not fall more than 2 points below eval/baseline.json."""

import json

import pytest

from assistant.evaluation import check_gate, load_questions, run_eval
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def test_dev_set_holds_the_baseline(real_pipeline, tmp_path):
    baseline = json.loads((ROOT / "eval" / "baseline.json").read_text(encoding="utf-8"))
    questions = load_questions(ROOT / baseline["dataset"])
    result = run_eval(questions, real_pipeline, tmp_path / "run", progress=False, label="gate")
    failures = check_gate(result.metrics, baseline, tolerance_points=2.0)
    assert not failures, "\n".join(failures) + "\nXem báo cáo: " + str(tmp_path / "run" / "report.md")
    # the run writes the contract's files
    assert (tmp_path / "run" / "predictions.jsonl").is_file() and (tmp_path / "run" / "report.md").is_file()
