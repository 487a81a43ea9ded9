"""Text helpers shared by the answer strategies: tokens, sentences, quotes, number formatting."""

from __future__ import annotations

import re

from assistant.abbreviations import fold
from assistant.models import Chunk
from assistant.numbers import format_number

_TOKEN = re.compile(r"\w+")
#: A sentence or clause; a '.' inside "1.222" or "TT.TT" does not end it.
SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;](?!\s|$))+(?:[.!?;]+|$)")
ANSWER_LIMIT = 380


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text.lower()))


def sentences(chunk: Chunk) -> list[tuple[int, int, str]]:
    if chunk.kind == "table":
        return [(chunk.start, chunk.end, chunk.context_text().split("\n", 2)[-1])]
    out = []
    for m in SENTENCE.finditer(chunk.text):
        text = m.group(0).strip()
        if len(text) > 3:
            s = chunk.start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            out.append((s, s + len(text), text))
    return out


def sentence_span(doc_text: str, chunk: Chunk, start: int, end: int) -> tuple[int, int]:
    """The sentence (inside the chunk) that holds [start, end)."""
    if chunk.kind == "table":
        line_start = doc_text.rfind("\n", chunk.start, start) + 1 or chunk.start
        line_end = doc_text.find("\n", end, chunk.end)
        return max(line_start, chunk.start), (line_end if line_end != -1 else chunk.end)
    lo = max(doc_text.rfind(". ", chunk.start, start), doc_text.rfind("\n", chunk.start, start))
    qs = lo + 1 if lo >= chunk.start else chunk.start
    while qs < start and doc_text[qs].isspace():
        qs += 1
    hi = [i for i in (doc_text.find(". ", end, chunk.end), doc_text.find("\n", end, chunk.end)) if i != -1]
    qe = min(hi) + 1 if hi else chunk.end
    return qs, min(qe, chunk.end)


def local_context(doc_text: str, f: dict) -> str:
    """The clause around a figure: back to the previous ';' or sentence start, forward to the next."""
    start, end = f["start"], f["end"]
    lo = max(doc_text.rfind(ch, max(0, start - 200), start) for ch in (";", ".\n", ". ", "\n", ":"))
    lo = lo + 1 if lo >= 0 else max(0, start - 200)
    his = [i for i in (doc_text.find(ch, end, end + 120) for ch in (";", ". ", "\n", "(")) if i != -1]
    hi = min(his) if his else end + 120
    extra = " ".join(x for x in (f.get("indicator"), f.get("row_header"), f.get("column_header"), f.get("unit")) if x)
    return f"{doc_text[lo:hi]} {extra}"


def figure_text(f: dict) -> str:
    raw = f["raw"]
    if f.get("is_percent"):
        return raw if raw.endswith("%") else f"{raw}%"
    unit = f.get("unit") or ""
    return f"{raw} {unit}".strip()


def same_indicator(a: dict, b: dict) -> bool:
    ta, tb = set(tokens(a.get("indicator") or "")), set(tokens(b.get("indicator") or ""))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.6 and (a.get("unit") or "") == (b.get("unit") or "")


def compatible(a: dict, b: dict) -> bool:
    return bool(a.get("is_percent")) == bool(b.get("is_percent"))


def plain(x: float) -> str:
    return format(x, "f").rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def vn_expression(expr: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: format_number(float(m.group(0))), expr)


def clip(text: str, limit: int = ANSWER_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
