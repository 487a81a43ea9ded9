"""Check question sets against the evaluation data contract (shared/eval/SCHEMA.md, section 1).

Stdlib only, independent of the ``assistant`` package it is used to evaluate::

    python scripts/check_questions.py eval/datasets/train/*.jsonl
    python scripts/check_questions.py my-set.jsonl --documents documents/

Prints one line per problem (file, line, id, what is wrong) and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import operator
import sys
import unicodedata
from pathlib import Path

FIELDS = {"id", "doc", "question", "type", "answer", "value", "unit", "evidence", "calculation", "difficulty"}
OPTIONAL = {"fact", "history"}
TYPES = {"number", "percent", "date", "entity", "list", "text", "computed", "unanswerable"}
NUMERIC = {"number", "percent", "computed"}
DIFFICULTIES = {"easy", "medium", "hard"}
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def safe_eval(expr: str) -> float:
    """Numbers, + - * /, unary minus and parentheses; anything else raises ValueError."""

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
        raise ValueError(f"disallowed syntax {type(node).__name__}")

    return ev(ast.parse(expr, mode="eval"))


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def check_record(r: dict, lines: dict[str, list[str]]) -> list[str]:
    """The problems of one question (empty when it follows the contract)."""
    out = []
    missing = FIELDS - set(r)
    if missing:
        return [f"missing fields {sorted(missing)}"]
    extra = set(r) - FIELDS - OPTIONAL
    if extra:
        out.append(f"unknown fields {sorted(extra)}")
    for key in ("id", "doc", "question", "type", "answer", "difficulty"):
        if not isinstance(r[key], str):
            out.append(f"{key} must be a string")
    if out:
        return out
    if not r["question"].strip():
        out.append("empty question")
    if r["type"] not in TYPES:
        out.append(f"type {r['type']!r} not one of {sorted(TYPES)}")
    if r["difficulty"] not in DIFFICULTIES:
        out.append(f"difficulty {r['difficulty']!r}")
    if r["doc"] not in lines:
        out.append(f"unknown doc {r['doc']!r}")
    if "fact" in r and not isinstance(r["fact"], str):
        out.append("fact must be a string")
    if "history" in r and not (isinstance(r["history"], list) and all(isinstance(h, str) for h in r["history"])):
        out.append("history must be a list of strings")
    v = r["value"]
    if r["type"] in NUMERIC:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            out.append(f"{r['type']} needs a numeric value")
    elif v is not None:
        out.append(f"value must be null for {r['type']}")
    if r["type"] == "computed":
        if not r["calculation"]:
            out.append("computed needs a calculation")
        else:
            try:
                result = safe_eval(r["calculation"])
                if isinstance(v, (int, float)) and not math.isclose(result, v, rel_tol=1e-6, abs_tol=1e-9):
                    out.append(f"calculation {r['calculation']} = {result}, value is {v}")
            except (ValueError, SyntaxError, ZeroDivisionError) as exc:
                out.append(f"calculation {r['calculation']!r}: {exc}")
    elif r["calculation"] is not None:
        out.append("calculation must be null unless computed")
    ev = r["evidence"]
    if not isinstance(ev, list) or not all(isinstance(e, str) and e.strip() for e in ev):
        out.append("evidence must be a list of non-blank strings")
        return out
    if r["type"] == "unanswerable":
        if ev or r["unit"] is not None:
            out.append("unanswerable needs evidence [] and unit null")
    else:
        if not ev:
            out.append("answerable question without evidence")
        if not r["answer"].strip():
            out.append("empty answer")
    doc_lines = lines.get(r["doc"], [])
    for e in ev:
        en = nfc(e)
        if "\n" in en:
            out.append(f"evidence spans lines: {e[:60]!r}")
        elif not any(en in line for line in doc_lines):
            out.append(f"evidence not verbatim within one line of {r['doc']}: {e[:70]!r}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--documents", type=Path, default=Path(__file__).resolve().parent.parent / "documents")
    args = parser.parse_args(argv)
    lines = {
        p.name: nfc(p.read_text(encoding="utf-8")).splitlines()
        for p in args.documents.glob("*")
        if p.suffix in (".txt", ".md")
    }
    problems, seen, total = 0, {}, 0
    for path in args.files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            total += 1
            try:
                r = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{n}: invalid JSON ({exc})")
                problems += 1
                continue
            if not isinstance(r, dict):
                print(f"{path}:{n}: not a JSON object")
                problems += 1
                continue
            rid = r.get("id")
            if rid in seen:
                print(f"{path}:{n}: id {rid!r} already used at {seen[rid]}")
                problems += 1
            seen[rid] = f"{path}:{n}"
            for p in check_record(r, lines):
                print(f"{path}:{n}: {rid}: {p}")
                problems += 1
    print(f"{total} questions, {problems} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
