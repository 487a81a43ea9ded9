"""Checks on the evaluation dev set eval/datasets/dev.jsonl (shared/eval/SCHEMA.md, section 1).

Stdlib + pytest only: the dataset must stand on its own, independent of the `assistant`
package that it is used to evaluate.
"""

from __future__ import annotations

import ast
import json
import math
import operator
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "eval" / "datasets" / "dev.jsonl"
DOCUMENTS = ROOT / "documents"

FIELDS = ["id", "doc", "question", "type", "answer", "value", "unit", "evidence", "calculation", "difficulty"]
TYPES = {"number", "percent", "date", "entity", "list", "text", "computed", "unanswerable"}
NUMERIC_TYPES = {"number", "percent", "computed"}
DIFFICULTIES = {"easy", "medium", "hard"}
MIN_QUESTIONS = 250
MIN_UNANSWERABLE = 20


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


# --- a tiny safe arithmetic evaluator: numbers, + - * /, unary minus, parentheses -----------

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def safe_eval(expr: str) -> float:
    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        raise ValueError(f"disallowed syntax {type(node).__name__} in {expr!r}")

    return ev(ast.parse(expr, mode="eval"))


def test_safe_eval_itself():
    assert safe_eval("72524 - 39217.236") == pytest.approx(33306.764)
    assert safe_eval("-(2 + 3) * 4 / 5") == pytest.approx(-4.0)
    for bad in ("2 ** 3", "abs(-1)", "x + 1", "1 if 1 else 2", "'a'", "[1][0]", "2 // 1"):
        with pytest.raises((ValueError, SyntaxError)):
            safe_eval(bad)


# --- loading ----------------------------------------------------------------------------------


def _load() -> list[dict]:
    assert DATASET.is_file(), f"missing {DATASET}"
    records = []
    for n, line in enumerate(DATASET.read_text(encoding="utf-8").splitlines(), start=1):
        assert line.strip(), f"line {n}: blank line"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:  # pragma: no cover - reported as failure
            pytest.fail(f"line {n}: invalid JSON ({exc})")
        assert isinstance(rec, dict), f"line {n}: not a JSON object"
        records.append(rec)
    return records


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return _load()


@pytest.fixture(scope="module")
def doc_lines() -> dict[str, list[str]]:
    """NFC-normalised lines of every document in documents/."""
    return {p.name: nfc(p.read_text(encoding="utf-8")).splitlines() for p in DOCUMENTS.glob("*.txt")}


# --- tests ------------------------------------------------------------------------------------


def test_file_is_utf8_without_bom():
    raw = DATASET.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("utf-8")


def test_size_and_unanswerable_count(records):
    assert len(records) >= MIN_QUESTIONS
    n_un = sum(r.get("type") == "unanswerable" for r in records)
    assert n_un >= MIN_UNANSWERABLE


def test_field_set_exact(records):
    for r in records:
        assert list(r.keys()) == FIELDS or set(r.keys()) == set(FIELDS), f"{r.get('id')}: fields {sorted(r.keys())}"


def test_field_types(records):
    for r in records:
        rid = r["id"]
        for key in ("id", "doc", "question", "type", "answer", "difficulty"):
            assert isinstance(r[key], str), f"{rid}: {key} must be a string"
        assert r["question"].strip(), f"{rid}: empty question"
        assert r["unit"] is None or isinstance(r["unit"], str), f"{rid}: unit"
        assert r["calculation"] is None or isinstance(r["calculation"], str), f"{rid}: calc"
        assert isinstance(r["evidence"], list), f"{rid}: evidence must be a list"
        assert all(isinstance(e, str) and e.strip() for e in r["evidence"]), (
            f"{rid}: evidence items must be non-blank strings"
        )
        v = r["value"]
        assert v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)), (
            f"{rid}: value must be a number or null"
        )
        if isinstance(v, float):
            assert math.isfinite(v), f"{rid}: value not finite"


def test_ids_unique_and_well_formed(records):
    ids = [r["id"] for r in records]
    dup = [i for i, c in Counter(ids).items() if c > 1]
    assert not dup, f"duplicate ids: {dup}"
    for i in ids:
        assert re.fullmatch(r"dev-\d{4}", i), f"bad id {i!r}"


def test_types_and_difficulties_allowed(records):
    for r in records:
        assert r["type"] in TYPES, f"{r['id']}: type {r['type']!r}"
        assert r["difficulty"] in DIFFICULTIES, f"{r['id']}: difficulty {r['difficulty']!r}"


def test_every_type_present(records):
    present = {r["type"] for r in records}
    assert present == TYPES, f"missing types: {TYPES - present}"


def test_docs_exist(records):
    for r in records:
        assert (DOCUMENTS / r["doc"]).is_file(), f"{r['id']}: unknown doc {r['doc']!r}"


def test_every_document_is_used(records):
    used = {r["doc"] for r in records}
    for p in DOCUMENTS.glob("*.txt"):
        assert p.name in used, f"no question from {p.name}"


def test_numeric_values(records):
    for r in records:
        if r["type"] in NUMERIC_TYPES:
            v = r["value"]
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (
                f"{r['id']}: {r['type']} needs a numeric value"
            )
        else:
            assert r["value"] is None, f"{r['id']}: value must be null for {r['type']}"


def test_calculation_only_for_computed(records):
    for r in records:
        if r["type"] == "computed":
            assert r["calculation"], f"{r['id']}: computed question needs a calculation"
        else:
            assert r["calculation"] is None, f"{r['id']}: calculation must be null"


def test_calculations_evaluate_to_value(records):
    for r in records:
        if r["calculation"] is None:
            continue
        result = safe_eval(r["calculation"])
        value = r["value"]
        assert math.isclose(result, value, rel_tol=1e-6, abs_tol=1e-9), (
            f"{r['id']}: {r['calculation']} = {result}, value {value}"
        )


def test_unanswerable_shape(records):
    for r in records:
        if r["type"] == "unanswerable":
            assert r["evidence"] == [], f"{r['id']}: unanswerable must have no evidence"
            assert r["unit"] is None and r["value"] is None
        else:
            assert r["evidence"], f"{r['id']}: answerable question without evidence"
            assert r["answer"].strip(), f"{r['id']}: empty gold answer"


def test_evidence_within_single_line_of_its_document(records, doc_lines):
    problems = []
    for r in records:
        lines = doc_lines[r["doc"]]
        for e in r["evidence"]:
            en = nfc(e)
            assert "\n" not in en, f"{r['id']}: evidence spans lines"
            if not any(en in line for line in lines):
                problems.append(f"{r['id']}: {e[:70]!r} not in one line of {r['doc']}")
    assert not problems, "\n".join(problems[:20])
