"""Does the cited evidence hold what the question asks? Checks that make the answerer abstain.

The documents often speak of the topic of a question they cannot answer: asked "bao nhiêu cuộc
họp", the passage counts "điểm cầu"; asked the 2023 figure, it reports 2022; asked a table column,
the cell is empty. Each check looks at the answer a strategy produced and returns a short reason
when the cited evidence does not hold the asked figure, else None.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.answering.question import YEAR, QuestionInfo
from assistant.answering.text import clip, tokens
from assistant.models import Answer, Hit

if TYPE_CHECKING:
    from assistant.answering.context import AnswerContext

#: Words that end the counted noun after "bao nhiêu" (folded).
_NOUN_END = frozenset(
    [
        "la",
        "duoc",
        "da",
        "dang",
        "se",
        "tren",
        "nam",
        "cua",
        "tai",
        "o",
        "theo",
        "trong",
        "khi",
        "so",
        "va",
        "cho",
        "co",
        "den",
        "tu",
        "voi",
        "thuoc",
        "nao",
        "gi",
        "ca",
    ]
)
#: Counted nouns that say nothing about what is counted, or measure an amount rather than count.
_VAGUE_NOUNS = frozenset(
    [
        "phan",
        "lan",
        "nam",
        "ty",
        "ti",
        "trieu",
        "so",
        "muc",
        "cap",
        "co",
        "la",
        "tren",
        "dat",
        "thang",
        "ngay",
        "tong",
        "bac",
        "tien",
        "kinh",
        "von",
    ]
)
#: "bao nhiêu người" may count "cán bộ", "đại biểu" …; "bao nhiêu đơn vị" "cơ quan", "xã" …
_VAGUE_PHRASES = (["nguoi"], ["don", "vi"])
_MONEY_WORDS = re.compile(
    r"\b(ty dong|trieu dong|nghin dong|kinh phi|von|doanh thu|giai ngan|tong muc dau tu"
    r"|bao nhieu tien)\b"
)
#: Measures a question may ask, and the words of which a passage must name one to answer it.
_MEASURES = {
    "giai ngan": ("giai ngan",),
    "tong muc dau tu": ("tong muc dau tu", "von dau tu", "kinh phi dau tu"),
    "kinh phi": ("kinh phi", "von", "dau tu", "ngan sach", "du toan", "trieu dong", "ty dong"),
    "doanh thu": ("doanh thu",),
    "nguoi dung": ("nguoi dung", "nguoi su dung", "tai khoan"),
    "thue bao": ("thue bao",),
}
#: "KH KTXH 2024", "QĐ 2063", "báo cáo năm 2023": a document named by its year or number.
DOC_REF = re.compile(r"\b(kh|ke hoach|qd|quyet dinh|bao cao|bc)\b((?:\s[^\W\d]+){0,7}?)\s(?:nam\s)?(\d{4})\b")
_RANGE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)(?!\d)")
_NOT_AN_ANSWER = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}/\d{4}|\d+/[A-ZĐ][\w-]*(?:/[\w-]+)*")


def folded(text: str) -> str:
    return " ".join(tokens(text.replace("%", " % ")))


def _chunk(top: list[Hit], chunk_id: str):
    return next((h.chunk for h in top if h.chunk.id == chunk_id), None)


def cited_figures(ans: AnswerContext, result: Answer) -> list[dict]:
    """The index-time figures the answer's value (or its operands) was read from."""
    values = set()
    if result.calculation:
        values |= {o.value for o in result.calculation.operands}
    elif result.value is not None:
        values.add(result.value)
    return [f for f in quoted_figures(ans, result) if f["value"] in values or f.get("total") in values]


def quoted_figures(ans: AnswerContext, result: Answer) -> list[dict]:
    """Every index-time figure inside the cited sentences."""
    return [
        f
        for c in result.citations
        for f in ans.figures.get(c.chunk_id, [])
        if c.quote_start <= f["start"] < c.quote_end
    ]


def counted_noun(question: str, vague: bool = False) -> list[str]:
    """The folded words naming what a "bao nhiêu …" question counts ("cuoc hop", "nguoi dung")."""
    lowered = question.lower().replace("%", " % ")
    m = re.search(r"(?:bao nhiêu|\bmấy\b|\bbao nhieu\b)\s+((?:[\w%]+\s?){1,4})", lowered)
    if not m or m.group(1).startswith("%"):
        return []
    words = []
    for w in folded(m.group(1)).split():
        if w in _NOUN_END or w.isdigit():
            break
        words.append(w)
    if "phan tram" in " ".join(words[:3]):
        return []  # "bao nhiêu điểm phần trăm" asks a difference of shares
    if vague:
        return words[:2]
    if not words or words[0] in _VAGUE_NOUNS or words[:2] in _VAGUE_PHRASES:
        return []
    return words[:2]


def unit_matches(ans: AnswerContext, noun: list[str], f: dict) -> bool | None:
    """Whether the figure's unit names the counted noun; None when the figure has no unit."""
    unit = ans.text_tokens(f.get("unit") or "")
    if f.get("is_percent") or not unit:
        return None
    return noun[0] in unit or bool(ans.text_tokens(noun[0]) & unit)


def doc_refs(ans: AnswerContext, q: QuestionInfo, names_only: bool = False) -> tuple[set[int], set[str]]:
    """Years that name a document ("KH KTXH 2024", "QĐ 2063") and the documents they name.
    With ``names_only`` the year of "báo cáo 2023" (the year reported on) is left out."""
    years, docs = set(), set()
    for m in DOC_REF.finditer(folded(q.text)):
        key = m.group(3)
        report = m.group(1) in ("bao cao", "bc")  # "báo cáo KTXH 2023": the year reported on
        named = {
            d.id
            for d in ans.data.documents.values()
            if key in (d.metadata.number or "")
            or key in d.metadata.title
            or (report and int(key) in d.metadata.years_reported)
        }
        if named:
            docs |= named
            if not (names_only and report):
                years.add(int(key))
    return years, docs


def passage_years(text: str) -> set[int]:
    """The years a passage names, with "2017 - 2020" standing for every year between."""
    years = {int(y) for y in YEAR.findall(text)}
    for a, b in _RANGE.findall(text):
        if int(a) < int(b) <= int(a) + 30:
            years |= set(range(int(a), int(b) + 1))
    return years


def bare_numbers(text: str, q: QuestionInfo) -> list[str]:
    """Numbers in a sentence that could be an answer: not dates, years or document numbers."""
    text = YEAR.sub(" ", _NOT_AN_ANSWER.sub(" ", text))
    return [n for n in re.findall(r"(?<![\w/])\d+(?:[.,]\d+)*", text) if n not in q.numbers]


def asked_column(q: QuestionInfo, names: list[str]) -> int | None:
    """The value column of a table header the question names ("tổng mức đầu tư" …), if one clearly."""
    text = folded(q.text)
    asked = set(text.split())
    counted = counted_noun(q.text, vague=True)
    scored = []
    for i, name in enumerate(names[2:], start=2):  # past "TT" and the row name
        words = list(dict.fromkeys(tokens(re.sub(r"\(.*?\)", " ", name))))
        if len(words) < 2 or words[:2] == counted[:2]:
            continue  # "bao nhiêu đơn vị" counts units; it does not name the column "Đơn vị chủ trì"
        hit = sum(w in asked for w in words)
        if f" {words[0]} {words[1]} " in f" {text} " and hit / len(words) >= 0.5:
            scored.append((hit, hit / len(words), i))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][:2] == scored[1][:2]):
        return None
    return scored[0][2]


# --- checks: (ans, q, result, top, figs) -> reason | None ----------------------------------------
def no_figure(ans, q, result, top, figs):
    """A number was asked ("bao nhiêu …") but the cited sentence holds no fitting figure."""
    if q.kind not in ("number", "percent", "computed") or result.value is not None:
        return None
    if not re.search(r"bao nhiêu|\bmấy\b", q.text.lower()) and "bao nhieu" not in folded(q.text):
        return None
    quoted = quoted_figures(ans, result)
    if not quoted:
        if any(bare_numbers(c.quote, q) for c in result.citations):
            return None  # "(cấp độ 2)": a number the figure table missed may still answer
        return "no figure in the cited sentence"
    if _MONEY_WORDS.search(folded(q.text)) and not any(f.get("kind") == "money" for f in quoted):
        return "money asked, none cited"
    noun = counted_noun(q.text)
    if noun and not any(
        unit_matches(ans, noun, f) or (unit_matches(ans, noun, f) is None and not f.get("is_percent")) for f in quoted
    ):
        return f"asked {' '.join(noun)}, none cited"
    return None


def other_noun(ans, q, result, top, figs):
    """Asked "bao nhiêu cuộc họp", the cited figure counts "điểm cầu"."""
    noun = counted_noun(q.text)
    if not noun or not figs or result.calculation:
        return None
    for f in figs:
        if unit_matches(ans, noun, f) is False:
            return f"asked {' '.join(noun)}, figure counts {f.get('unit')}"
    return None


def other_document(ans, q, result, top, figs):
    """The question names a document ("theo KH CĐS 2023"); the answer cites another one."""
    _, docs = doc_refs(ans, q)
    if docs and result.citations and not any(c.document in docs for c in result.citations):
        return "named document not cited"
    return None


def stale_year(ans, q, result, top, figs):
    """The cited passage speaks only of years before the one asked: it cannot know that year."""
    named, _ = doc_refs(ans, q)
    asked = set(q.years) - named  # "theo KH KTXH 2024" names a document, not the year asked
    if not asked or not result.citations:
        return None
    seen: set[int] = set()
    for c in result.citations:
        seen |= passage_years(f"{c.section} {c.quote}")
    seen |= {f["year"] for f in figs if f.get("year")}
    if seen and max(seen) < min(asked):
        return f"passage years {sorted(seen)}"
    return None


def table_column(ans, q, result, top, figs):
    """The question names a table column; the answer is read from another column or an empty cell."""
    for c in result.citations:
        chunk = _chunk(top, c.chunk_id)
        if chunk is None or chunk.kind != "table" or not chunk.header:
            continue
        names = chunk.header.split("\t")
        col = asked_column(q, names)
        if col is None:
            continue
        own = [f for f in figs if f["chunk_id"] == c.chunk_id and f.get("column_header")]
        if own and all(f["column_header"] != names[col] for f in own):
            return f"asked column {names[col]!r}, read {own[0]['column_header']!r}"
        if not own:
            cells = c.quote.split("\n")[0].split("\t")
            if col >= len(cells) or not cells[col].strip():
                return f"column {names[col]!r} empty"
    return None


def _label_share(ans: AnswerContext, question: set[str], cells: list[str]) -> float:
    """The share of a table row's name (its second cell) that the question repeats."""
    label = ans.text_tokens(cells[1]) if len(cells) > 1 else set()
    return len(label & question) / len(label) if label else 0.0


def other_row(ans, q, result, top, figs):
    """The question names a table row whose asked cell is empty; the answer reads another row."""
    asked = ans.text_tokens(q.text)
    for c in result.citations:
        chunk = _chunk(top, c.chunk_id)
        if chunk is None or chunk.kind != "table" or not chunk.header:
            continue
        col = asked_column(q, chunk.header.split("\t"))
        if col is None:
            continue
        cited = _label_share(ans, asked, chunk.text.split("\n")[0].split("\t"))
        for h in top:
            if h.chunk.id == chunk.id or h.chunk.kind != "table" or h.chunk.header != chunk.header:
                continue
            cells = h.chunk.text.split("\n")[0].split("\t")
            if _label_share(ans, asked, cells) >= cited + 0.2 and (col >= len(cells) or not cells[col].strip()):
                return f"asked row {clip(cells[1], 60)!r} has no {chunk.header.split(chr(9))[col]!r}"
    return None


def missing_measure(ans, q, result, top, figs):
    """The question asks for a measure ("giải ngân", "thuê bao") the cited passage never names."""
    asked = [m for m in _MEASURES if m in folded(q.text)]
    if not asked or not result.citations:
        return None
    text = ""
    for c in result.citations:
        chunk = _chunk(top, c.chunk_id)
        header = chunk.header if chunk is not None and chunk.header else ""
        text += " " + folded(f"{c.section} {c.quote} {header}")
    text += " " + folded(" ".join(f.get("column_header") or f.get("indicator") or "" for f in figs))
    missing = [m for m in asked if not any(word in text for word in _MEASURES[m])]
    return f"{missing[0]} not named" if missing else None


def share_for_count(ans, q, result, top, figs):
    """Asked how many ("bao nhiêu hộ gia đình"), the answer is a percentage ("59,25%")."""
    if q.kind != "number" or result.calculation or result.unit != "%":
        return None
    if not counted_noun(q.text):
        return None
    return "asked a count, the answer is a percentage"


CHECKS = {
    "no_figure": no_figure,
    "share_for_count": share_for_count,
    "other_noun": other_noun,
    "other_document": other_document,
    "stale_year": stale_year,
    "table_column": table_column,
    "missing_measure": missing_measure,
    "other_row": other_row,
}


def reasons(
    ans: AnswerContext, q: QuestionInfo, result: Answer, top: list[Hit], names: tuple[str, ...] | None = None
) -> dict[str, str]:
    """Every check (or the named ones) that finds the answer unsupported, with its reason."""
    if result.abstained:
        return {}
    figs = cited_figures(ans, result)
    out = {}
    for name in names if names is not None else tuple(CHECKS):
        why = CHECKS[name](ans, q, result, top, figs)
        if why:
            out[name] = why
    return out


def unsupported(ans: AnswerContext, q: QuestionInfo, result: Answer, top: list[Hit]) -> str | None:
    """Why the cited evidence does not answer the question, or None when it does (first check that fails)."""
    if result.abstained:
        return None
    figs = cited_figures(ans, result)
    return next((why for check in CHECKS.values() if (why := check(ans, q, result, top, figs))), None)
