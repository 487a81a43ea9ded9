"""Every question set in eval/datasets/ follows the data contract (scripts/check_questions.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETS = sorted((ROOT / "eval" / "datasets").rglob("*.jsonl"))


@pytest.mark.parametrize("path", SETS, ids=[str(p.relative_to(ROOT)) for p in SETS])
def test_question_set_follows_the_contract(path):
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_questions.py"), str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-3000:]


def test_checker_reports_a_broken_question(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "x-1", "doc": "tra-vinh-qd-2063-ung-dung-cntt-2020.txt", "question": "Bao nhiêu?", '
        '"type": "computed", "answer": "3", "value": 4, "unit": null, "evidence": ["không có trong tệp"], '
        '"calculation": "1 + 2", "difficulty": "easy"}\n',
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_questions.py"), str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "= 3" in run.stdout and "not verbatim" in run.stdout
