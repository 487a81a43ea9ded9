"""The scoring rules of the evaluation contract (shared/eval/SCHEMA.md), one function each.

Where SCHEMA.md leaves a detail open, the choice made here is:
- numeric types use ``prediction.value`` when it is not null; otherwise every number written
  in the answer text is read with the Vietnamese parser (dot thousands, comma decimal, see
  ``vn_numbers``) and the answer is right when any of them is within 1 % of the gold value;
  "within 1 % relative" means ``|x - value| <= 0.01 * |value|`` (exact match when value is 0);
- date: a digit group (``10/10``, ``9/2020``, ``2020``) "appears" when it is a substring of the
  normalized answer, or when its numbers appear consecutively among the numbers the answer
  writes (so ``07/3/2019`` matches ``7/3/2019`` and ``9/2020`` matches ``tháng 9 năm 2020``);
  a gold date without digits falls back to the content-word rule;
- content words are the normalized letter/digit tokens minus ``STOP_WORDS``; a gold answer
  made only of stop words uses all its tokens; each distinct word counts once;
- lengths are measured on the normalized strings (white space runs count as one character).
"""

from __future__ import annotations

import re
import unicodedata

from assistant.evaluation.dataset import NUMERIC_TYPES, Prediction, Question
from assistant.evaluation.vn_numbers import parse_numbers

#: Function words ignored when matching entity / list / text answers. Kept deliberately
#: small: only words that carry no fact. "năm" (year / five), "một" (one) and negations
#: ("không", "chưa") stay content words.
STOP_WORDS: frozenset[str] = frozenset(
    {
        "và",
        "của",
        "các",
        "những",
        "là",
        "có",
        "được",
        "cho",
        "trong",
        "với",
        "theo",
        "trên",
        "tại",
        "để",
        "đã",
        "về",
        "này",
        "đó",
    }
)

RELATIVE_TOLERANCE = 0.01
CONTENT_WORD_SHARE = 0.6
EDGE_CHARS = 50
MIN_LENGTH_LIMIT = 400

_WORD = re.compile(r"[^\W_]+")
_DIGIT_GROUP = re.compile(r"\d+(?:[/.\-]\d+)*")
_DIGITS = re.compile(r"\d+")


def normalize(s: str) -> str:
    """NFC, tabs and every white space run to one space, trimmed, lower-cased."""
    return " ".join(unicodedata.normalize("NFC", s).replace("\t", " ").split()).lower()


def contains(passage_text: str, evidence: str) -> bool:
    """True when the passage holds the evidence, or its first or last 50 normalized characters."""
    needle = normalize(evidence)
    if not needle:
        return False
    hay = normalize(passage_text)
    return needle in hay or needle[:EDGE_CHARS] in hay or needle[-EDGE_CHARS:] in hay


def content_words(s: str) -> set[str]:
    """Distinct normalized letter/digit tokens of ``s`` that are not stop words."""
    tokens = set(_WORD.findall(normalize(s)))
    content = tokens - STOP_WORDS
    return content or tokens


def within_tolerance(x: float, value: float) -> bool:
    return abs(x - value) <= RELATIVE_TOLERANCE * abs(value) + 1e-12


def numeric_correct(gold: float, predicted_value: float | None, answer_text: str) -> bool:
    candidates = [predicted_value] if predicted_value is not None else parse_numbers(answer_text)
    return any(within_tolerance(x, gold) for x in candidates)


def _group_numbers(group: str) -> list[int]:
    return [int(d) for d in _DIGITS.findall(group)]


def _appears_in_sequence(needle: list[int], hay: list[int]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def date_correct(gold_answer: str, answer_text: str) -> bool:
    groups = _DIGIT_GROUP.findall(normalize(gold_answer))
    if not groups:
        return words_correct(gold_answer, answer_text)
    answer = normalize(answer_text)
    answer_numbers = _group_numbers(answer)
    return all(g in answer or _appears_in_sequence(_group_numbers(g), answer_numbers) for g in groups)


def words_correct(gold_answer: str, answer_text: str) -> bool:
    gold, answer = normalize(gold_answer), normalize(answer_text)
    if len(answer) > max(MIN_LENGTH_LIMIT, 3 * len(gold)):
        return False
    wanted = content_words(gold)
    if not wanted:
        return gold == answer
    found = wanted & set(_WORD.findall(answer))
    return len(found) >= CONTENT_WORD_SHARE * len(wanted)


def is_correct(question: Question, prediction: Prediction) -> bool:
    """Whether the prediction answers the question, per the rules of its type."""
    if question.type == "unanswerable":
        return prediction.abstained
    if prediction.abstained:
        return False
    if question.type in NUMERIC_TYPES:
        assert question.value is not None  # enforced by the dataset loader
        return numeric_correct(question.value, prediction.value, prediction.answer)
    if question.type == "date":
        return date_correct(question.answer, prediction.answer)
    return words_correct(question.answer, prediction.answer)
