"""Text helpers shared by the answer strategies: tokens, sentences, quotes, number formatting."""

from __future__ import annotations

import math
import re

from assistant.models import Chunk
from assistant.vietnamese.numbers import format_number
from assistant.vietnamese.text import fold

_TOKEN = re.compile(r"\w+")
#: A sentence or clause; a '.' inside "1.222" or "TT.TT" does not end it, a line end does
#: (so headings and date lines without a final stop are kept).
SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;](?![\s\"”’)]|$))+(?:[.!?;]+[\"”’)]*|(?=\n)|$)")
ANSWER_LIMIT = 380
#: A document number: "2063/QĐ-UBND", "137/2017/TT-BTC", "27-QĐ/TW", "45/2020/NĐ-CP".
REF = re.compile(r"(?<![\d/.,])(\d{1,5})(?:/\d{4})?[/-](?:[A-ZĐ][\w&]*)(?:[-/][\w&]+)*")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text.lower()))


def sentences(chunk: Chunk) -> list[tuple[int, int, str]]:
    if chunk.kind == "table":
        return [(chunk.start, chunk.end, chunk.context_text().split("\n", 2)[-1])]
    out: list[tuple[int, int, str]] = []
    for m in SENTENCE.finditer(chunk.text):
        text = m.group(0).strip()
        if len(text) > 3 and any(ch.isalpha() for ch in text):
            s = chunk.start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            if out and _broken_line(out[-1][2], text):  # a line break inside a sentence
                ps, _, _ = out.pop()
                out.append((ps, s + len(text), chunk.text[ps - chunk.start : s - chunk.start + len(text)]))
            else:
                out.append((s, s + len(text), text))
    return out


def _broken_line(previous: str, text: str) -> bool:
    """``text`` goes on with the sentence ``previous`` left open across a line break."""
    return previous[-1] not in ".!?;:" and text[0].islower()


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


def plain(x: float) -> str:
    return format(x, "f").rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def vn_expression(expr: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: format_number(float(m.group(0))), expr)


def clip(text: str, limit: int = ANSWER_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def window(text: str, weights: dict[str, float], limit: int = ANSWER_LIMIT) -> str:
    """The stretch of ``text`` (at most ``limit`` characters, on word boundaries) that holds the most
    keyword weight; ties go to the earliest. When the keywords lie at both ends of a long sentence,
    two stretches of half the length joined by "…". Marked with "…" where it cuts the text."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    words = [(m.start(), m.end(), set(tokens(m.group(0)))) for m in re.finditer(r"\S+", text)]
    everything = set().union(*(w[2] for w in words))
    score, i, j, seen = _best_stretch(words, weights, limit - 2)
    if math.fsum(weights.get(t, 0.0) for t in everything - seen) > 0:
        half = (limit - 5) // 2
        _, i1, j1, seen1 = _best_stretch(words, weights, half)
        rest = {t: w for t, w in weights.items() if t not in seen1}
        gain, i2, j2, _ = _best_stretch(words[:i1], rest, half) if i1 else (0.0, 0, 0, set())
        after = _best_stretch(words[j1:], rest, half) if j1 < len(words) else (0.0, 0, 0, set())
        if after[0] > gain:
            gain, i2, j2 = after[0], after[1] + j1, after[2] + j1
        if gain > 0:
            (a, b), (c, d) = sorted([(i1, j1), (i2, j2)])
            return _stretch(text, words, a, b) + " " + _stretch(text, words, c, d).lstrip("…")
    return _stretch(text, words, i, j)


def _best_stretch(words: list, weights: dict[str, float], limit: int) -> tuple[float, int, int, set[str]]:
    best = (-1.0, 0, 0, set())
    for i in range(len(words)):
        j, seen = i, set()
        while j < len(words) and words[j][1] - words[i][0] <= limit:
            seen |= words[j][2]
            j += 1
        score = math.fsum(weights.get(t, 0.0) for t in seen)
        if score > best[0]:
            best = (score, i, j, seen)
        if j == len(words):
            break
    return best


def _stretch(text: str, words: list, i: int, j: int) -> str:
    lo, hi = words[i][0], words[max(j - 1, i)][1]
    return ("…" if lo > 0 else "") + text[lo:hi] + ("…" if hi < len(text) else "")
