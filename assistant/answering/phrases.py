"""What a calculation question names: its parts, the part and the whole of a share, what is counted."""

from __future__ import annotations

import re

from assistant.answering.question import QuestionInfo
from assistant.vietnamese.text import fold

_BOUNDARY = {
    "nam",
    "o",
    "cua",
    "la",
    "theo",
    "tai",
    "trong",
    "thi",
    "bao",
    "co",
    "duoc",
    "tu",
    "den",
    "hien",
    "khoang",
    "vao",
    "dat",
    "tren",
    "nhu",
}


def _text(q: QuestionInfo) -> str:
    text = fold(q.text.lower())
    return re.sub(r"\b(hay tinh|hay cho biet|tinh toan|tinh(?= ty le))\b", " ", text)


def _cut(words: list[str]) -> list[str]:
    out = []
    for w in words:
        if w in _BOUNDARY or re.fullmatch(r"(19|20)\d\d", w):
            break
        out.append(w)
    return out


def named_parts(q: QuestionInfo) -> tuple[list[str], str] | None:
    """The parts a sum names and the words before them: "cáp đồng (treo + ngầm)" →
    (["treo", "ngầm"], "tổng chiều dài cáp đồng"); "mức 3 và mức 4" → (["mức 3", "mức 4"], …)."""
    text = _text(q)
    m = re.search(r"\(([^()]*(?:\+|\bva\b)[^()]*)\)", text)
    if m:
        items = [re.sub(r"^\s*(cong )?ca\s+", "", i).strip(" ,") for i in re.split(r"\+|\bva\b", m.group(1))]
        return ([i for i in items if i], text[: m.start()]) if len([i for i in items if i]) >= 2 else None
    words = re.findall(r"\w+|\+", text)
    for joint in ("+", "va"):
        if joint not in words:
            continue
        i = words.index(joint)
        right = _cut([w for w in words[i + 1 :] if w != "ca"])
        if not right:
            return None
        left = words[:i]
        starts = [k for k, w in enumerate(left) if w == right[0]]
        k = starts[-1] if starts else max(0, len(left) - len(right))
        if k >= len(left):
            return None
        head = [w for w in left[:k] if w not in ("cong", "ca")]
        return [" ".join(left[k:]), " ".join(right)], " ".join(head)
    return None


def counted_noun(q: QuestionInfo) -> str | None:
    """What is counted: "bao nhiêu người" → "nguoi"; "tổng số lượt …" → "luot"."""
    m = re.search(r"\b(?:tong so|so luong)\s+(\w+)", q.folded)
    if m and m.group(1) not in ("cac", "nhung"):
        return m.group(1)
    generic = {"phan", "lan", "nam", "ty", "ti", "trieu", "muc", "so", "don", "tong"}
    return q.unit_hint if q.unit_hint and q.unit_hint not in generic else None


def share_phrases(q: QuestionInfo) -> tuple[str, str | None]:
    """(part, whole) of a share: "X chiếm bao nhiêu % tổng số Y", "tỷ lệ X trên tổng số Y"."""
    text = re.sub(r"\([^()]*(\+|\btheo\b|\bva\b)[^()]*\)", " ", _text(q)).replace("(", " ").replace(")", " ")
    m = re.search(r"^(.*?)\bchiem\b(.*)$", text)
    if m:
        part = re.sub(r"^\s*(cac|nhung)\s+", "", m.group(1))
        w = re.search(r"\b(?:tong so|tong|trong)\b(.*)$", m.group(2))
        return part, (" ".join(_cut(w.group(1).split())) if w else None)
    m = re.search(r"\bty le (.*?)\b(?:tren|so voi|trong)\s+(?:tong so|tong)\b(.*)$", text)
    if m:
        return m.group(1), " ".join(_cut(re.findall(r"\w+", m.group(2))))
    part = re.search(r"\bty le (.*)$", text)
    part_text = " ".join(_cut(re.findall(r"\w+", part.group(1)))) if part else text
    w = re.search(r"\btu so (.*?)\bva\b", text)
    return part_text, (" ".join(_cut(re.findall(r"\w+", w.group(1)))) if w else None)
