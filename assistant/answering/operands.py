"""Operands for calculations: match a phrase of the question to a figure that can be cited.

A figure matches a phrase through its own label (indicator, unit, table headers) or through the
words just around it in its clause ("các dịch vụ mức độ 3 tiếp nhận …, 87 nộp trực tuyến"):
the nearer the phrase stands before the number, the better.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answering.figure_answers import candidates
from assistant.answering.question import STOP, QuestionInfo
from assistant.answering.text import tokens
from assistant.models import Hit
from assistant.vietnamese.text import fold

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

#: Words of a question that say how to compute, not what is counted.
CALC_WORDS = frozenset(
    [
        "chiem",
        "ty",
        "ti",
        "le",
        "phan",
        "tram",
        "bao",
        "nhieu",
        "hay",
        "tinh",
        "uoc",
        "khoang",
        "luong",
        "tat",
        "ca",
        "lai",
        "cong",
        "tong",
        "so",
        "con",
        "thieu",
        "chua",
        "khong",
        "duoc",
        "dat",
        "tren",
        "trong",
    ]
)
_STOP = (STOP | CALC_WORDS | {"tra", "vinh", "tien", "giang"}) - {"so", "minh", "chi", "tinh"}
_BACK = 260  # how far back (characters) the clause before a figure is read


@dataclass
class Candidate:
    """A figure of one of the top passages, with the candidates() relevance (0..1)."""

    f: dict
    hit: Hit
    base: float
    cache: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        return (self.hit.chunk.document, self.f["start"])

    @property
    def value(self) -> float:
        return self.f["value"]


def pool(ans: AnswerContext, q: QuestionInfo, top: list[Hit]) -> list[Candidate]:
    """Every figure of the in-scope top passages once, best relevance first."""
    scored = candidates(ans, q, top)
    best = max((s for s, _, _ in scored), default=1.0) or 1.0
    seen: dict[tuple[str, int], Candidate] = {}
    for s, f, hit in scored:
        c = Candidate(f, hit, max(0.0, s / best))
        if c.key not in seen:
            seen[c.key] = c
    for hit in top:  # figures written in the question itself ("tối thiểu 50%") are kept, low
        if not ans.in_scope(q, hit):
            continue
        for f in ans.figures.get(hit.chunk.id, []):
            c = Candidate(f, hit, 0.0)
            seen.setdefault(c.key, c)
    return sorted(seen.values(), key=lambda c: -c.base)


def phrase(ans: AnswerContext, text: str) -> list[str]:
    """The content words of a question phrase (digits kept: "mức 3" ≠ "mức 4")."""
    return [t for t in dict.fromkeys(tokens(text)) if t not in _STOP and (len(t) > 1 or t.isdigit())]


def weight(ans: AnswerContext, words: list[str], found: set[str]) -> float:
    total = sum(ans.idf.get(w, ans.default_idf) for w in words)
    return sum(ans.idf.get(w, ans.default_idf) for w in words if w in found) / total if total else 0.0


def doc_text(ans: AnswerContext, c: Candidate) -> str:
    return ans.data.documents[c.hit.chunk.document].text


def own_label(ans: AnswerContext, c: Candidate) -> set[str]:
    f = c.f
    text = " ".join(x for x in (f.get("indicator"), f.get("unit"), f.get("column_header"), f.get("row_header")) if x)
    return ans.text_tokens(text)


def clause_before(ans: AnswerContext, c: Candidate) -> str:
    text, start = doc_text(ans, c), c.f["start"]
    lo = max(text.rfind(ch, max(0, start - _BACK), start) for ch in (";", ". ", "\n"))
    return text[(lo + 1 if lo >= 0 else max(0, start - _BACK)) : start]


def clause_after(ans: AnswerContext, c: Candidate) -> str:
    """The words after a figure up to the end of its clause or the next number."""
    text, end = doc_text(ans, c), c.f["end"]
    tail = text[end : end + 120]
    cut = min([i for i in (tail.find(ch) for ch in (";", ". ", "\n", "(")) if i != -1], default=len(tail))
    tail = tail[:cut]
    digit = re.search(r"\d", tail)
    return tail[: digit.start()] if digit else tail


def near(ans: AnswerContext, words: list[str], c: Candidate) -> float:
    """How well ``words`` name figure ``c``: in its label, or close to it in its clause."""
    if not words:
        return 0.0
    key = " ".join(words)
    if key in c.cache:
        return c.cache[key]
    own = own_label(ans, c)
    best = weight(ans, words, own)
    size = len(words) + 2
    before, after = _marked(clause_before(ans, c)), _marked(clause_after(ans, c))
    spans, wanted = [], set(words)
    for e in range(len(before), 0, -1):  # a comma or a number between costs distance
        if before[e - 1] not in wanted:
            continue
        gap = before[e:]
        spans.append((set(before[max(0, e - size) : e]), len(gap) + 4 * gap.count(",") + 8 * gap.count("#")))
    for s in range(len(after)):
        if after[s] not in wanted:
            continue
        gap = after[:s]
        spans.append((set(after[s : s + size]), len(gap) + 4 * gap.count(",")))
    for found, distance in sorted(spans, key=lambda x: x[1]):
        decay = 1.0 / (1.0 + 0.06 * distance)
        if decay <= best:
            break
        best = max(best, weight(ans, words, found | own) * decay)
    c.cache[key] = best
    return best


def _marked(text: str) -> list[str]:
    """Folded words with "," kept and every number written "#"."""
    out = re.findall(r"\d+(?:[.,]\d+)*|\w+|[,()]", fold(text.lower()))
    out = ["," if w in "()" else w for w in out]
    return ["#" if w[0].isdigit() and len(w) > 1 else w for w in out]


def label(ans: AnswerContext, c: Candidate) -> list[str]:
    """The words that name ``c`` itself: from the last comma, bracket or number before it to the
    next one after it ("vốn đầu tư phát triển: 2.244", "87 nộp trực tuyến"), and its unit."""
    if c.f.get("row_header") or c.f.get("column_header"):
        return tokens(" ".join(x for x in (c.f.get("row_header"), c.f.get("column_header")) if x))
    text = doc_text(ans, c)
    before = _label_words(text[max(c.f.get("sentence_start", 0), c.f["start"] - _BACK) : c.f["start"]].rstrip(" :"))
    cut = max((i for i, w in enumerate(before) if w in (",", "#")), default=-1)
    after = fold(clause_after(ans, c).lower())
    m = re.search(r"[,:;)]|\btrong do\b|\bgom\b", after)
    after = after[: m.start()] if m and m.group() != ":" else ("" if m else after)  # "…: 336,6" names the next
    return [w for w in before[cut + 1 :] if w != ","] + tokens(after)


def _label_words(text: str) -> list[str]:
    out = re.findall(r"\d+(?:[.,]\d+)*|\w+|[,;:()]", fold(text.lower()))
    return ["," if w in ";:()" else ("#" if w[0].isdigit() and len(w) > 1 else w) for w in out]


def label_match(ans: AnswerContext, words: list[str], c: Candidate, asked: set[str] = frozenset()) -> float:
    """How well ``words`` (a question phrase, in order) name ``c``'s own label: the idf share of
    its words found there — half only unless a neighbour matches too ("nộp trực tuyến" is not
    "nộp … trực tiếp") — less half the weight of label words the question (``asked``) never uses
    ("tiếp nhận" for "nộp")."""
    if not words:
        return 0.0

    def idf(w):
        return ans.idf.get(w, ans.default_idf)

    own = label(ans, c)
    unit = tokens(effective_unit(ans, c))
    extra = math.fsum(
        idf(w) for w in set(own) - set(unit) if asked and w not in asked and w not in _STOP and w != "#"
    )  # "mức 3" the question does not name
    own += unit
    pairs = set(itertools.pairwise(own))
    total = sum(idf(w) for w in words)
    score = 0.0
    for i, w in enumerate(words):
        if w not in own:
            continue
        joined = (i > 0 and (words[i - 1], w) in pairs) or (i + 1 < len(words) and (w, words[i + 1]) in pairs)
        score += idf(w) * (1.0 if joined or len(words) == 1 else 0.5)
    return (score - 0.5 * min(extra, total)) / total


def unasked_level(ans: AnswerContext, q: QuestionInfo, c: Candidate) -> bool:
    """The sentence puts ``c`` under a level the question does not name ("dịch vụ công mức 3
    tiếp nhận 107.550 hồ sơ (…, 16.191 trực tuyến)" for a question about all the records)."""
    before = fold(doc_text(ans, c)[c.f.get("sentence_start", c.f["start"]) : c.f["start"]].lower())
    levels = set(re.findall(r"\bmuc (?:do )?(\d)\b", before))
    return bool(levels) and not levels & set(q.numbers)


def scope_owner(ans: AnswerContext, c: Candidate, parts: list[list[str]]) -> int | None:
    """Which of ``parts`` the sentence names last before ``c`` ("mức độ 3 tiếp nhận …, 87 …;
    mức độ 4 …": 87 belongs to "mức 3")."""
    words = _marked(doc_text(ans, c)[c.f.get("sentence_start", max(0, c.f["start"] - _BACK)) : c.f["start"]])
    best, best_at = None, -1
    for k, part in enumerate(parts):
        if not part:
            continue
        for i in range(len(words)):
            window = words[i : i + len(part) + 2]
            if window and window[0] == part[0] and set(part) <= set(window) and i > best_at:
                best, best_at = k, i
    return best


def unit_of(c: Candidate) -> str:
    if c.f.get("is_percent"):
        return "%"
    return fold((c.f.get("unit") or "").lower())


def effective_unit(ans: AnswerContext, c: Candidate) -> str:
    """The unit, or for a bare number the unit of the figure before it in the same sentence
    ("65.364 hồ sơ được nộp trực tiếp, 87 nộp trực tuyến": 87 hồ sơ)."""
    unit = unit_of(c)
    if unit or c.f.get("kind") == "ratio":
        return unit
    before = [
        f
        for f in ans.figures.get(c.hit.chunk.id, [])
        if f["start"] < c.f["start"]
        and f.get("sentence") == c.f.get("sentence")
        and f.get("unit")
        and not f.get("is_percent")
    ]
    return fold(max(before, key=lambda f: f["start"])["unit"].lower()) if before else ""


def same_sentence(a: Candidate, b: Candidate) -> bool:
    return a.hit.chunk.document == b.hit.chunk.document and a.f.get("sentence") == b.f.get("sentence")


def compatible(a: Candidate, b: Candidate) -> bool:
    """Figures that may be added or compared: same unit; a missing or different counting unit
    only inside one sentence ("1.445 chứng thư số (458 tổ chức, …)"); money and percentages never
    mix with anything else."""
    ua, ub = unit_of(a), unit_of(b)
    if ua == ub or (ua and ub and (ua.startswith(ub + " ") or ub.startswith(ua + " "))):
        return True
    if "%" in (ua, ub) or a.f.get("kind") == "money" or b.f.get("kind") == "money":
        return False
    return same_sentence(a, b)


def preceded_by_total(ans: AnswerContext, c: Candidate) -> bool:
    before = fold(doc_text(ans, c)[max(0, c.f["start"] - 30) : c.f["start"]].lower())
    return bool(re.search(r"\btong(\s+so)?\b[^,;()]*$", before))


# --- tables and lists ------------------------------------------------------------------------


def table_column(ans: AnswerContext, q: QuestionInfo, cands: list[Candidate]) -> list[Candidate]:
    """All cells of the column the question names, in the table ("Phụ lục 01") it names."""
    cells = [c for c in cands if c.hit.chunk.kind == "table" and c.f.get("column_header")]
    if not cells:
        return []
    qwords = set(tokens(q.text))
    annex = re.search(r"phu luc\s+(\d+|[ivx]+)\b", q.folded)

    def table_score(c: Candidate) -> float:
        column = [w for w in tokens(re.sub(r"\(.*?\)", "", c.f["column_header"])) if w not in STOP]
        score = sum(w in qwords for w in column) / max(len(column), 1) + 0.3 * c.base
        if annex:
            name = re.search(r"phu luc\s+(\d+|[ivx]+)\b", fold(c.hit.chunk.section.lower()))
            score += 1.0 if name and _annex_number(name.group(1)) == _annex_number(annex.group(1)) else -1.0
        return score

    best = max(cells, key=table_score)
    if table_score(best) < 0.8:
        return []
    chunk, column = best.hit.chunk, best.f["column_header"]
    out: dict[int, Candidate] = {}
    for other in ans.data.chunks:
        if other.document != chunk.document or other.section != chunk.section or other.kind != "table":
            continue
        hit = Hit(chunk=other, score=best.hit.score, rank=best.hit.rank)
        for f in ans.figures.get(other.id, []):
            row = fold((f.get("row_header") or "").lower())
            if f.get("column_header") == column and not row.startswith(("tong", "cong")):
                out.setdefault(f["start"], Candidate(f, hit, best.base))
    return [out[k] for k in sorted(out)]


def _annex_number(text: str) -> int:
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
    return int(text) if text.isdigit() else roman.get(text, -1)


def section_figures(ans: AnswerContext, best: Candidate) -> list[Candidate]:
    """Every figure in the passages of the section that holds ``best`` (a list cut in chunks)."""
    chunk = best.hit.chunk
    out: dict[int, Candidate] = {}
    for other in ans.data.chunks:
        if other.document == chunk.document and other.section == chunk.section:
            hit = Hit(chunk=other, score=best.hit.score, rank=best.hit.rank)
            for f in ans.figures.get(other.id, []):
                out.setdefault(f["start"], Candidate(f, hit, best.base))
    return [out[k] for k in sorted(out)]
