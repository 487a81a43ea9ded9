"""What a question asks, learned: its answer type, the operation a calculation would need, and
whether documents like these usually answer such a question at all.

Features are hashed character n-grams and word n-grams of the accent-folded question (so questions
typed without diacritics, with typos or in other words still land near their kind) and the e5 query
embedding the retriever already computed. Three logistic-regression heads (answer type, operation,
and whether a question of this kind is usually answerable from such documents) are trained by
``assistant train`` from the question sets; their coefficients are stored as JSON (float16, base64),
evaluated here with NumPy alone.
"""

from __future__ import annotations

import ast
import base64
import json
import re
import zlib
from pathlib import Path

import numpy as np

from assistant.vietnamese.text import fold

TYPES = ("number", "percent", "date", "entity", "list", "text", "computed")
#: The operation a calculation needs, given that one is asked (the head is trained on computed questions).
OPERATIONS = ("difference", "sum", "share", "ratio", "product", "other")
#: Whether the documents are likely to hold an answer at all (trained on every question).
ANSWERABILITY = ("answerable", "unanswerable")
HASH_BITS = 14
DENSE_SCALE = 1.0
_WORD = re.compile(r"\w+")


def operation_of(calculation: str | None) -> str:
    """The operation of a gold calculation, read from its expression's shape (the training label)."""
    if not calculation:
        return "other"
    try:
        tree = ast.parse(calculation, mode="eval").body
    except SyntaxError:
        return "other"

    def kinds(node) -> set[type]:
        return {type(n.op) for n in ast.walk(node) if isinstance(n, ast.BinOp)}

    ops = kinds(tree)
    if ops <= {ast.Add}:
        return "sum"
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Sub) and ops <= {ast.Add, ast.Sub}:
        return "difference"
    if (
        isinstance(tree, ast.BinOp)
        and isinstance(tree.op, ast.Mult)
        and isinstance(tree.right, ast.Constant)
        and tree.right.value == 100
        and isinstance(tree.left, ast.BinOp)
        and isinstance(tree.left.op, ast.Div)
    ):
        return "share"
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Div):
        return "ratio"
    if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Mult):
        return "product"
    return "other"


def text_features(question: str) -> dict[int, float]:
    """Hashed, L2-normalised n-grams of the folded question: characters 2–4 inside words, words 1–2."""
    folded = " ".join(_WORD.findall(fold(question.lower())))
    counts: dict[int, float] = {}
    size = 1 << HASH_BITS

    def add(gram: str) -> None:
        h = zlib.crc32(gram.encode("utf-8")) % size
        counts[h] = counts.get(h, 0.0) + 1.0

    for word in folded.split():
        padded = f"<{word}>"
        for n in (2, 3, 4):
            for i in range(len(padded) - n + 1):
                add("c" + padded[i : i + n])
    words = folded.split()
    for w in words:
        add("w" + w)
    for a, b in zip(words, words[1:]):
        add(f"b{a}_{b}")
    norm = float(np.sqrt(sum(v * v for v in counts.values()))) or 1.0
    return {k: v / norm for k, v in counts.items()}


def feature_row(question: str, vector: np.ndarray | None, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    """Sparse (indices, values) of one question: the hashed text part, then the dense embedding part."""
    text = text_features(question)
    idx = np.fromiter(text.keys(), dtype=np.int64, count=len(text))
    val = np.fromiter(text.values(), dtype=np.float64, count=len(text))
    if vector is not None and dimension and len(vector) == dimension:  # another embedder: text alone
        dense = np.asarray(vector, dtype=np.float64) * DENSE_SCALE
        idx = np.concatenate([idx, (1 << HASH_BITS) + np.arange(len(dense))])
        val = np.concatenate([val, dense])
    return idx, val


class Head:
    """One logistic regression (multinomial, or two classes as a softmax over (0, w·x + b)):
    ``classes``, ``coef`` (classes × features), ``intercept``."""

    def __init__(self, classes: tuple[str, ...], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = classes
        self.coef = coef.astype(np.float32)
        self.intercept = intercept.astype(np.float32)

    def predict(self, idx: np.ndarray, val: np.ndarray) -> dict[str, float]:
        keep = idx < self.coef.shape[1]
        logits = self.coef[:, idx[keep]] @ val[keep] + self.intercept
        logits = logits - logits.max()
        p = np.exp(logits)
        p /= p.sum()
        return {c: float(x) for c, x in zip(self.classes, p)}

    def to_json(self) -> dict:
        return {
            "classes": list(self.classes),
            "shape": list(self.coef.shape),
            "coef_f16_b64": base64.b64encode(self.coef.astype("<f2").tobytes()).decode("ascii"),
            "intercept": [round(float(x), 6) for x in self.intercept],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Head":
        coef = np.frombuffer(base64.b64decode(data["coef_f16_b64"]), dtype="<f2").reshape(data["shape"])
        return cls(tuple(data["classes"]), coef.astype(np.float32), np.asarray(data["intercept"], np.float32))


class QuestionClassifier:
    """The answer-type, operation and answerability heads over one feature space."""

    def __init__(self, heads: dict[str, Head], dimension: int) -> None:
        self.heads = heads
        self.dimension = dimension

    def predict(self, question: str, vector: np.ndarray | None) -> dict[str, dict[str, float]]:
        idx, val = feature_row(question, vector, self.dimension)
        return {name: head.predict(idx, val) for name, head in self.heads.items()}

    def save(self, path: Path) -> None:
        data = {
            "hash_bits": HASH_BITS,
            "dimension": self.dimension,
            "heads": {name: h.to_json() for name, h in self.heads.items()},
        }
        Path(path).write_text(json.dumps(data), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "QuestionClassifier":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data["hash_bits"] != HASH_BITS:
            raise ValueError(f"classifier trained with {data['hash_bits']} hash bits, code uses {HASH_BITS}")
        return cls({name: Head.from_json(h) for name, h in data["heads"].items()}, data["dimension"])
