"""Answers from sentences: dates, names, lists and explanations, or the table cell asked for.

The best clause of the top passages is chosen by the share of question keywords it holds (plus
its section heading, the passage score, a named document number or quoted phrase); the answer
is that clause, continued with the clauses that follow it when the question asks for a list or
an explanation (or the clause announces one with ':'), cut to a window around the keywords when
it is too long, and cited sentence by sentence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from assistant.answering.lookups import (
    alias_answer,
    asks_reference,
    asks_signer,
    reference_answer,
    signer_answer,
    titled_dates,
)
from assistant.answering.question import YEAR, QuestionInfo
from assistant.answering.support import DOC_REF
from assistant.answering.text import REF, clip, sentences, tokens, window
from assistant.models import Answer, Chunk, Citation, Hit

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

_ONE_DATE = (
    r"(?:[Qq]uý\s+[IV]+(?:/\d{4})?|ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
    r"|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b(?![/-]\w)|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}"
    r"|\b\d{1,2}/\d{1,2}\b(?![/-]\w)|năm\s+\d{4}|\b(?:19|20)\d{2}\b(?![/-]\w))"
)
#: A date, a period ("từ tháng 10/2021 đến tháng 4/2023", "năm 2022 - 2024") or a recurrence.
DATE = re.compile(
    rf"(?:[Tt]ừ\s+)?{_ONE_DATE}(?:\s*(?:-|–|đến(?:\s+nay)?)\s*(?:năm\s+|tháng\s+|ngày\s+)?(?:\d{{1,2}}/){{0,2}}\d{{4}}\b|\s+đến\s+nay)?"
    r"|[Kk]ể\s+từ\s+ngày\s+ký|[Tt]hường xuyên|[Hh]àng năm|[Hh]ằng năm"
)
#: "QĐ 2063", "Nghị quyết 36", "Thông tư số 137" as a question names a document.
_NAMED_REF = re.compile(
    r"\b(?:qđ|quyết định|kh|kế hoạch|nq|nghị quyết|công văn|cv|thông tư|tt|chỉ thị|nghị định|nđ)\s+(?:số\s+)?(\d{2,5})\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
#: The place-and-date line under a document's number: "Trà Vinh, ngày 21 tháng 4 năm 2020".
_ISSUE_LINE = re.compile(r"[^\W\d][^\d,\n]{1,30},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
#: The document's own number in its header: "Số: 2063/QĐ-UBND".
_OWN_NUMBER = re.compile(r"Số:\s*\**(\d+)")
_ASKS_ISSUE = re.compile(r"\b(ky|ban hanh|lap|phe duyet)\b")
_ASKS_BODY = re.compile(r"\b(co quan|don vi|ai|so nao|chu tri|phoi hop|trach nhiem)\b")
#: Questions whose answer runs over several clauses even when phrased "… là gì?".
_EXPLAIN = re.compile(
    r"\b(vi sao|tai sao|nguyen nhan|han che|ton tai|kho khan|vuong mac|giai phap|nhiem vu|noi dung"
    r"|nhung gi|gom|bao gom|ke ten|liet ke)\b"
)
_ASKS_ADDRESS = re.compile(r"\b(dia chi|website|trang web|duong dan|duong link|email)\b")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>()\[\],;]+[^\s<>()\[\],;.]|[\w.-]+@[\w-]+(?:\.[\w-]+)+")
#: A clause that opens a new numbered section ("3. …", "b) …", "II. …"): a list stops before it.
_HEADING = re.compile(r"^(?:[IVX]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\))\s+\S")
#: The count bonus of a clause that names the counted noun after the count; more when it announces items.
_NAMES_NOUN = 0.3
#: Characters of answer text, citation markers included (the evaluation contract accepts 400).
_BUDGET = 394


class Clause(NamedTuple):
    start: int
    end: int
    text: str


class Asked(NamedTuple):
    """What a clause is scored against: the question, the documents and phrases it names, and
    the keywords that only name the document it cites (left out: scope already picks it)."""

    q: QuestionInfo
    refs: set[str]
    quotes: list[str]
    weak: set[str]


def sentence_answer(ans: "AnswerContext", q: QuestionInfo, top: list[Hit]) -> Answer | None:
    found = (
        (signer_answer(ans, q, top) if asks_signer(q) else None)
        or (reference_answer(ans, q, top) if q.kind != "date" and asks_reference(q) else None)
        or alias_answer(ans, q, top)
    )
    if found:
        return found
    asked = Asked(
        q, question_refs(q.text), [" ".join(tokens(m)) for m in _QUOTED.findall(q.text)], doc_name_words(ans, q)
    )
    refs = asked.refs
    best = None
    for rank, hit in enumerate(top):
        if not ans.in_scope(q, hit):
            continue
        section = ans.text_tokens(hit.chunk.section)
        clauses = [Clause(*s) for s in sentences(hit.chunk)]
        row = _row_tokens(ans, q, hit.chunk) if hit.chunk.kind == "table" and hit.chunk.header else None
        for i, clause in enumerate(clauses):
            score = _score(ans, asked, clause.text, section, hit, rank, row)
            if best is None or score > best[0]:
                best = (score, hit, clauses, i)
    if best is None:
        return None
    _, hit, clauses, i = best
    clause = clauses[i]
    coverage = ans.coverage(q, ans.text_tokens(clause.text) | ans.text_tokens(hit.chunk.section))
    announces = coverage >= ans.min_coverage / 2 and _count_bonus(q, clause.text) > _NAMES_NOUN
    dated_ref = q.kind == "date" and bool(refs & {m.group(1) for m in REF.finditer(clause.text)})
    if (
        coverage < ans.min_coverage
        and not (q.kind == "date" and _issue_date(q, clause.text))
        and not announces
        and not dated_ref
    ):
        return None
    if hit.chunk.kind == "table":
        body = table_answer(q, hit.chunk, clause.text)
        return _answer(q, f"{body} [1]", [ans.citation(1, hit.chunk, clause.start, clause.end)])
    if q.kind == "date":
        return _date_answer(ans, q, hit, clauses, i, refs)
    return _text_answer(ans, q, hit, clauses, _announcing(q, clauses, i))


def _announcing(q: QuestionInfo, clauses: list[Clause], i: int) -> int:
    """The clause of the passage that announces the items the question counts ("còn 02 mục tiêu
    chưa đạt gồm:" for "2 mục tiêu chưa đạt là gì"), when the best clause does not."""
    if _count_bonus(q, clauses[i].text) > _NAMES_NOUN:
        return i
    return next((j for j, c in enumerate(clauses) if _count_bonus(q, c.text) > _NAMES_NOUN), i)


def question_refs(question: str) -> set[str]:
    """The numbers of the documents a question names ("2063" for "QĐ 2063/QĐ-UBND")."""
    return {m.group(1) for m in REF.finditer(question)} | {m.group(1) for m in _NAMED_REF.finditer(question)}


def doc_name_words(ans: "AnswerContext", q: QuestionInfo) -> set[str]:
    """Keywords that only name the document the question cites ("KH KTXH ngành TT&TT 2021" gives
    "kinh", "te", "xa", "thong", "tin", …), not the words the question uses elsewhere."""
    words = list(re.finditer(r"\w+", q.text))
    folded = [" ".join(tokens(w.group(0))) or "_" for w in words]
    text = " ".join(folded)
    inside: set[str] = set()
    spans = []
    for m in DOC_REF.finditer(text):
        first, last = text[: m.start()].count(" "), text[: m.end()].count(" ")
        spans.append((first, last))
        inside |= ans.text_tokens(q.text[words[first].start() : words[last].end()])
    if not spans:
        return set()
    outside = " ".join(w.group(0) for n, w in enumerate(words) if not any(a <= n <= b for a, b in spans))
    return inside - ans.text_tokens(outside)


def _coverage(ans: "AnswerContext", asked: Asked, toks: set[str]) -> float:
    """``ans.coverage`` without the words that name the cited document."""
    total = got = 0.0
    for k in asked.q.keywords:
        if k in asked.weak:
            continue
        w = ans.idf.get(k, ans.default_idf)
        total += w
        got += w if k in toks else 0.0
    return got / total if total else 0.0


def _row_tokens(ans: "AnswerContext", q: QuestionInfo, chunk: Chunk) -> set[str]:
    """A table row's words: its cells and the headers of the columns the question asks, not every
    column name (a long header like "… các Bộ, ngành liên quan khác" matches any question)."""
    names = chunk.header.split("\t")
    header = {n.strip() for n in names}
    cells = [
        c
        for line in chunk.text.split("\n")
        for c in line.split("\t")
        if c.strip() and not {x.strip() for x in line.split("\t") if x.strip()} <= header
    ]
    wanted = [names[i] for i in _wanted_columns(q, names)]
    return ans.text_tokens(" ".join(cells + wanted))


def _count_bonus(q: QuestionInfo, text: str) -> float:
    """A count the question gives ("04 hệ thống", "2 mục tiêu") in the clause: more when the same
    noun follows it, more again when a ':' after it announces the items counted."""
    bonus = 0.0
    specific = bool(_QUOTED.search(q.text))  # "“Lớp 3” là gì": one quoted item, not the items counted
    for n in q.numbers:
        if YEAR.fullmatch(n) or not n.isdigit():
            continue
        noun = re.search(rf"(?<![\d.,/]){re.escape(n)}\s+(\w+)", q.text)
        for m in re.finditer(rf"(?<![\d.,/])0*{re.escape(n.lstrip('0') or '0')}(?![\d/]|[.,]\d)\s*(\w*)", text):
            same = noun and not specific and tokens(noun.group(1)) == tokens(m.group(1))
            bonus = max(bonus, (_NAMES_NOUN + 0.15 * (":" in text[m.end() :])) if same else 0.15)
    return bonus


def _score(
    ans: "AnswerContext", asked: Asked, text: str, section: set[str], hit: Hit, rank: int, row: set[str] | None = None
) -> float:
    q, refs = asked.q, asked.refs
    toks = row if row is not None else ans.text_tokens(text)
    score = _coverage(ans, asked, toks) + 0.3 * _coverage(ans, asked, section) + 0.3 * hit.score + 0.1 / (rank + 1)
    named = {m.group(1) for m in REF.finditer(text)}
    if refs and named & refs:
        score += 0.4
    elif refs and named and q.kind == "date":
        score -= 0.2
    if asked.quotes and any(qt and qt in " ".join(tokens(text)) for qt in asked.quotes):
        score += 0.5
    score += _count_bonus(q, text)
    if row is not None and not _wanted_columns(q, hit.chunk.header.split("\t")):
        score -= 0.1  # a whole row answers worse than a sentence saying as much
    if q.kind == "date":
        if _issue_date(q, text):
            chunk_text = hit.chunk.context_text()
            own = set(_OWN_NUMBER.findall(chunk_text))
            score = (
                _coverage(ans, asked, ans.text_tokens(chunk_text))
                + 0.3 * hit.score
                + 0.1 / (rank + 1)
                + 0.2
                + (0.4 if refs & own else -0.3 if refs else 0.0)
            )
        elif not DATE.search(text):
            score -= 0.5
        elif titled_dates(q, text):
            score += 0.8  # the date of a document the question names by its title
    return score


def _issue_date(q: QuestionInfo, text: str) -> bool:
    """A question about when a document was signed or issued, and the document's own date line."""
    return bool(_ASKS_ISSUE.search(q.folded) and _ISSUE_LINE.search(text))


def _weights(ans: "AnswerContext", q: QuestionInfo) -> dict[str, float]:
    return {k: ans.idf.get(k, ans.default_idf) for k in q.keywords}


def _answer(q: QuestionInfo, text: str, citations: list[Citation]) -> Answer:
    return Answer(question=q.text, answer=text, citations=citations)


# --- dates -------------------------------------------------------------------------------


def _date_answer(
    ans: "AnswerContext", q: QuestionInfo, hit: Hit, clauses: list[Clause], i: int, refs: set[str]
) -> Answer:
    clause = clauses[i]
    dates = ranked_dates(clause.text, q, refs)
    if not dates and i + 1 < len(clauses) and DATE.search(clauses[i + 1].text):
        clause = clauses[i + 1]  # "Số: 2063/QĐ-UBND" then "Trà Vinh, ngày 21 tháng 4 năm 2020"
        dates = ranked_dates(clause.text, q, refs)
    citation = ans.citation(1, hit.chunk, clause.start, clause.end)
    if not dates:
        return _answer(q, f"{window(clause.text, _weights(ans, q))} [1]", [citation])
    weights = _weights(ans, q)
    for t in tokens(dates[0]):
        weights[t] = weights.get(t, 0.0) + 2 * max(weights.values(), default=1.0)
    shown = ", ".join(dict.fromkeys(dates[:2]))
    context = window(clause.text, weights, _BUDGET - len(shown) - 8)
    return _answer(q, f"{shown} — {context} [1]", [citation])


def ranked_dates(text: str, q: QuestionInfo, refs: set[str]) -> list[str]:
    """Dates in ``text``, the likeliest answer first: not a number the question already gives,
    not the date of another document cited in passing ("Nghị định số 45/2020/NĐ-CP ngày 08/4/2020")."""
    found = []
    for n, m in enumerate(DATE.finditer(text)):
        date = m.group(0)
        digits = re.findall(r"\d+", date)
        if digits and all(d in q.numbers for d in digits) or not _plausible(date):
            continue
        score = -0.01 * n
        before = text[max(0, m.start() - 60) : m.start()]
        attached = re.search(REF.pattern + r"[*\s]*(?:của\s+\S+\s+)?$", before.replace("**", ""))
        if attached:
            score += 0.5 if attached.group(1) in refs else -0.5
        found.append((score, n, date.strip()))
    titled = set(titled_dates(q, text))
    found = [(s + (1.0 if d in titled else 0.0), n, d) for s, n, d in found]
    return [d for _, _, d in sorted(found, key=lambda x: (-x[0], x[1]))]


def _plausible(date: str) -> bool:
    """ "10/10" or "21/4/2020" name a real day and month; "85/85" does not."""
    m = re.search(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?!\d)", date)
    return not m or (1 <= int(m.group(1)) <= 31 and 1 <= int(m.group(2)) <= 12)


# --- names, lists, explanations ------------------------------------------------------------


def _text_answer(ans: "AnswerContext", q: QuestionInfo, hit: Hit, clauses: list[Clause], i: int) -> Answer:
    weights = _weights(ans, q)
    first = clauses[i]
    url = _URL.search(first.text) if _ASKS_ADDRESS.search(q.folded) else None
    if url:
        context = window(first.text, weights, _BUDGET - len(url.group(0)) - 8)
        return _answer(q, f"{url.group(0)} — {context} [1]", [ans.citation(1, hit.chunk, first.start, first.end)])
    if len(first.text) > _BUDGET - 6:
        citation = ans.citation(1, hit.chunk, first.start, first.end)
        return _answer(q, f"{window(first.text, weights, _BUDGET - 6)} [1]", [citation])
    picked = [first]
    heading = _heading(hit.chunk, first) if q.kind == "entity" and _ASKS_BODY.search(q.folded) else None
    if heading and len(heading.text) + len(first.text) + 10 <= _BUDGET:
        picked.insert(0, heading)
    if (
        q.kind in ("list", "text")
        or _EXPLAIN.search(q.folded)
        or first.text.rstrip().endswith(":")
        or _is_heading(first.text)
    ):
        budget = _BUDGET - sum(len(c.text) + 5 for c in picked)
        picked += _continuation(clauses, i, budget, through_headings=_is_heading(first.text))
    return _cite(ans, q, hit.chunk, picked)


def _is_heading(text: str) -> bool:
    """A section title ("III. HẠN CHẾ, YẾU KÉM", "3. Về xây dựng hạ tầng kỹ thuật"): no closing
    punctuation, and numbered or written in capitals."""
    text = text.strip()
    letters = [ch for ch in text if ch.isalpha()]
    return (
        bool(letters)
        and text[-1] not in ".;:,"
        and (bool(_HEADING.match(text)) or sum(ch.isupper() for ch in letters) > 0.8 * len(letters))
    )


def _continuation(clauses: list[Clause], i: int, budget: int, through_headings: bool = False) -> list[Clause]:
    """The clauses after ``i`` that fit in ``budget`` characters, up to the next numbered heading
    (or past it, when clause ``i`` is itself the heading the question names)."""
    out = []
    for clause in clauses[i + 1 :]:
        if _HEADING.match(clause.text) and not through_headings:
            break
        if len(clause.text) + 5 > budget:
            if budget >= 60:  # the start of the next item still tells what it is
                out.append(clause._replace(text=clip(clause.text, budget - 5)))
            break
        out.append(clause)
        budget -= len(clause.text) + 5
    return out


def _heading(chunk: Chunk, clause: Clause) -> Clause | None:
    """The short line ending with ':' that introduces ``clause`` ("đ) Sở Khoa học và Công nghệ:")."""
    before = chunk.text[: clause.start - chunk.start]
    for m in reversed(list(re.finditer(r"[^\n]+", before))):
        line = m.group(0).strip()
        if line.endswith(":") and len(line) <= 100:
            start = chunk.start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            return Clause(start, start + len(line), line)
        if _HEADING.match(line):
            return None
    return None


def _cite(ans: "AnswerContext", q: QuestionInfo, chunk: Chunk, picked: list[Clause]) -> Answer:
    """The picked clauses in order, one citation per quoted sentence they come from."""
    parts: list[str] = []
    citations: list[Citation] = []
    for clause in picked:
        c = ans.citation(len(citations) + 1, chunk, clause.start, clause.end)
        if citations and (c.quote_start, c.quote_end) == (citations[-1].quote_start, citations[-1].quote_end):
            parts[-1] = parts[-1].rsplit(" [", 1)[0] + f" {clip(clause.text, _BUDGET)} [{len(citations)}]"
            continue
        citations.append(c)
        parts.append(f"{clip(clause.text, _BUDGET)} [{c.number}]")
    return _answer(q, " ".join(parts), citations)


# --- tables --------------------------------------------------------------------------------

COLUMN_HINTS = [
    (r"kho khan|vuong mac|han che", "khó khăn"),
    (r"de xuat|kien nghi", "đề xuất"),
    (r"ket qua", "kết quả"),
    (r"hien trang|ket noi", "hiện trạng"),
    (r"chu tri", "chủ trì"),
    (r"phoi hop", "phối hợp"),
    (r"lo trinh", "lộ trình"),
    (r"thoi gian|khi nao|thoi han|bao gio|nam nao|tu nam", "thời gian"),
    (r"nguon von|nguon kinh phi", "nguồn"),
    (r"giai ngan", "giải ngân"),
    (r"tong muc|muc dau tu", "tổng mức"),
    (r"linh vuc", "lĩnh vực"),
    (r"muc tieu", "mục tiêu"),
    (r"pham vi", "phạm vi"),
    (r"don vi tinh", "đơn vị tính"),
    (r"noi dung", "nội dung"),
]
_TIME_COLUMNS = ("thời gian", "lộ trình", "thời hạn", "tiến độ")
_ASK_WORD = re.compile(r"\b(nao|ai|gi|khi nao|bao gio|la gi)\b")


def table_answer(q: QuestionInfo, chunk: Chunk, rendered: str) -> str:
    """For a table row, the cell the question asks for (by column header), else the row."""
    if not chunk.header:
        return clip(rendered)
    names = chunk.header.split("\t")
    cells = chunk.text.split("\n")[0].split("\t")
    asked = set(tokens(q.text)) | set(q.folded.split())
    for i in _wanted_columns(q, names):
        if i < len(cells) and cells[i].strip() and not set(tokens(cells[i])) <= asked:  # not a cell the question gives
            cell, name = clip(cells[i].strip(), 250), clip(names[i].strip(), 60)
            label = clip(cells[1].strip(), _BUDGET - len(cell) - len(name) - 12) if len(cells) > 1 else ""
            return f"{cell} ({name} — {label})"
    return clip(rendered)


def _wanted_columns(q: QuestionInfo, names: list[str]) -> list[int]:
    """Columns the question names, in the order of COLUMN_HINTS ("chủ trì" and "phối hợp" by which
    is nearer to the question word); a date question falls back to the time columns."""
    asks = [m.start() for m in _ASK_WORD.finditer(q.folded)] or [len(q.folded)]
    ranked = []
    for order, (pattern, header_word) in enumerate(COLUMN_HINTS):
        for m in re.finditer(pattern, q.folded):
            distance = min(abs(m.start() - a) for a in asks)
            for i, name in enumerate(names):
                if header_word in name.lower():
                    group = min(order, 4) if header_word in ("chủ trì", "phối hợp") else order
                    ranked.append((group, distance, i))
    if q.kind == "date":
        ranked += [(len(COLUMN_HINTS), 0, i) for i, n in enumerate(names) if any(w in n.lower() for w in _TIME_COLUMNS)]
    return list(dict.fromkeys(i for _, _, i in sorted(ranked)))
