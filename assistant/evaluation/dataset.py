"""The evaluation data contract (shared/eval/SCHEMA.md): question sets in, predictions out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import DatasetError
from assistant.models import Answer, Citation, Hit, RetrievedPassage

QuestionType = Literal["number", "percent", "date", "entity", "list", "text", "computed", "unanswerable"]
Difficulty = Literal["easy", "medium", "hard"]

QUESTION_TYPES: tuple[str, ...] = get_args(QuestionType)
DIFFICULTIES: tuple[str, ...] = get_args(Difficulty)
NUMERIC_TYPES = frozenset({"number", "percent", "computed"})
MAX_RETRIEVED = 10
MAX_REPORTED_ERRORS = 20


class Question(BaseModel):
    """One line of a question set (SCHEMA §1). Unknown extra fields are ignored.

    ``value``, ``unit`` and ``calculation`` may be left out (they mean null); every other
    field is required. number / percent / computed questions must carry a ``value``.
    """

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)

    id: str = Field(min_length=1)
    doc: str
    question: str = Field(min_length=1)
    type: QuestionType
    answer: str
    value: float | None = None
    unit: str | None = None
    evidence: list[str]
    calculation: str | None = None
    difficulty: Difficulty
    fact: str | None = None  # questions asking the same fact share it (cross-validation groups)
    history: list[str] = Field(default_factory=list)  # earlier questions of the conversation

    @model_validator(mode="after")
    def _check_consistency(self) -> "Question":
        if self.type in NUMERIC_TYPES and self.value is None:
            raise ValueError(f"value_required:{self.type}")
        if any(not e.strip() for e in self.evidence):
            raise ValueError("evidence_blank")
        return self

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


class Prediction(BaseModel):
    """One line of ``predictions.jsonl`` (SCHEMA §2); fields in the contract's order.

    ``citations`` items carry at least document/section/text/start/end, ``retrieved``
    items at least document/text/score, ``calculation`` is ``{"expression", "result"}``.
    """

    id: str
    question: str
    answer: str
    abstained: bool
    value: float | None
    unit: str | None
    citations: list[dict[str, Any]]
    retrieved: list[dict[str, Any]]
    calculation: dict[str, Any] | None
    latency_ms: float


# --- reading question sets -----------------------------------------------------------------

_TYPE_MESSAGES = {
    "string_type": "phải là chuỗi",
    "float_type": "phải là số (hoặc null)",
    "float_parsing": "phải là số hữu hạn (hoặc null)",
    "finite_number": "phải là số hữu hạn (hoặc null)",
    "list_type": "phải là danh sách chuỗi",
    "string_too_short": "không được để trống",
}


def _describe(err: dict[str, Any]) -> str:
    """A Vietnamese description of one pydantic error: which field, what is wrong."""
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "missing":
        return f"thiếu trường bắt buộc '{loc}'"
    if kind == "literal_error":
        allowed = ", ".join(QUESTION_TYPES if loc == "type" else DIFFICULTIES)
        return f"trường '{loc}' phải là một trong: {allowed} (nhận {err['input']!r})"
    if kind == "value_error":
        code = str(err.get("ctx", {}).get("error", ""))
        if code.startswith("value_required:"):
            qtype = code.split(":", 1)[1]
            return f"câu hỏi loại '{qtype}' cần trường 'value' là một số (không được null)"
        if code == "evidence_blank":
            return "trường 'evidence' chứa chuỗi rỗng"
    if kind in _TYPE_MESSAGES:
        return f"trường '{loc}' {_TYPE_MESSAGES[kind]}"
    return f"trường '{loc}': {err['msg']}"


def _parse_line(text: str) -> tuple[Question | None, list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [f"không phải JSON hợp lệ ({exc.msg}, cột {exc.colno})"]
    if not isinstance(data, dict):
        return None, ["mỗi dòng phải là một đối tượng JSON {...}"]
    try:
        return Question.model_validate(data), []
    except ValidationError as exc:
        return None, [_describe(e) for e in exc.errors(include_url=False)]


def load_questions(path: str | Path) -> list[Question]:
    """Read and validate a question set; every bad line is reported with its line number.

    Blank lines are skipped, a UTF-8 BOM is tolerated, ids must be unique.
    """
    path = Path(path)
    hint = "Sửa các dòng trên theo shared/eval/SCHEMA.md (mục 1) rồi chạy lại."
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise DatasetError(
            f"Không tìm thấy bộ câu hỏi: {path}", hint="Kiểm tra lại đường dẫn, ví dụ eval/datasets/dev.jsonl."
        ) from None
    except UnicodeDecodeError:
        raise DatasetError(
            f"Bộ câu hỏi {path} không phải văn bản UTF-8.", hint="Lưu lại tệp với mã hoá UTF-8 rồi chạy lại."
        ) from None
    except OSError as exc:
        raise DatasetError(f"Không đọc được bộ câu hỏi {path}: {exc.strerror}.") from None

    questions: list[Question] = []
    problems: list[str] = []
    first_line_of: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        question, errors = _parse_line(line)
        if question is not None and question.id in first_line_of:
            errors = [f"id {question.id!r} trùng với dòng {first_line_of[question.id]}"]
        if errors:
            problems.append(f"Dòng {number}: " + "; ".join(errors))
        elif question is not None:
            first_line_of[question.id] = number
            questions.append(question)

    if problems:
        shown = problems[:MAX_REPORTED_ERRORS]
        more = len(problems) - len(shown)
        tail = f"\n… và {more} dòng lỗi khác." if more else ""
        raise DatasetError(
            f"Bộ câu hỏi {path} có {len(problems)} dòng không đúng định dạng:\n" + "\n".join(shown) + tail, hint=hint
        )
    if not questions:
        raise DatasetError(
            f"Bộ câu hỏi {path} không có câu hỏi nào.",
            hint="Mỗi dòng phải là một câu hỏi JSON theo shared/eval/SCHEMA.md.",
        )
    return questions


# --- building predictions ------------------------------------------------------------------


def citation_record(c: Citation) -> dict[str, Any]:
    return {
        "document": c.document,
        "section": c.section,
        "text": c.text,
        "start": c.start,
        "end": c.end,
        "number": c.number,
        "quote": c.quote,
    }


def passage_record(p: RetrievedPassage) -> dict[str, Any]:
    return {
        "document": p.document,
        "text": p.text,
        "score": p.score,
        "section": p.section,
        "start": p.start,
        "end": p.end,
    }


def prediction_from_answer(q: Question, answer: Answer, latency_ms: float) -> Prediction:
    """The prediction line for ``q`` answered by ``answer`` (retrieved: top 10, rank order)."""
    calc = answer.calculation
    return Prediction(
        id=q.id,
        question=q.question,
        answer=answer.answer,
        abstained=answer.abstained,
        value=answer.value,
        unit=answer.unit,
        citations=[citation_record(c) for c in answer.citations],
        retrieved=[passage_record(p) for p in answer.retrieved[:MAX_RETRIEVED]],
        calculation={"expression": calc.expression, "result": calc.result} if calc else None,
        latency_ms=latency_ms,
    )


def prediction_from_hits(q: Question, hits: list[Hit], latency_ms: float) -> Prediction:
    """A retrieval-only prediction: no answer, the top 10 hits in the order returned."""
    return Prediction(
        id=q.id,
        question=q.question,
        answer="",
        abstained=False,
        value=None,
        unit=None,
        citations=[],
        retrieved=[passage_record(RetrievedPassage.from_hit(h)) for h in hits[:MAX_RETRIEVED]],
        calculation=None,
        latency_ms=latency_ms,
    )
