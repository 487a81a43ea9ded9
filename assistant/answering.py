"""The default answerer: no LLM, deterministic, offline.

From the retrieved passages it picks the figure (for numbers), the operands and the calculator's
result (for calculations), or the supporting sentence (for dates, names, lists, explanations),
and writes a short Vietnamese answer that cites the exact sentence. When the passages do not
hold the answer it says so.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

from assistant.abbreviations import fold
from assistant.calculator import calculate
from assistant.errors import CalculationError
from assistant.models import Answer, Calculation, Chunk, Citation, Hit, Operand, RetrievedPassage
from assistant.numbers import find_numbers, format_number
from assistant.lexical import Tokenizer
from assistant.question import STOP, QuestionInfo, analyze
from assistant.settings import Settings
from assistant.store import IndexData
from assistant.verification import check_figures

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu đã nạp."
_TOKEN = re.compile(r"\w+")
#: A sentence or clause; a '.' inside "1.222" or "TT.TT" does not end it.
_SENTENCE = re.compile(r"(?:[^.!?;\n]|[.!?;](?!\s|$))+(?:[.!?;]+|$)")
_DATE = re.compile(
    r"(?:[Qq]uý\s+[IV]+(?:/\d{4})?|ngày\s+\d{1,2}(?:/\d{1,2}(?:/\d{2,4})?|\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?)"
    r"|\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b|tháng\s+\d{1,2}(?:/|\s+năm\s+)\d{4}|\b\d{1,2}/\d{1,2}\b"
    r"|năm\s+\d{4}|[Tt]hường xuyên|[Hh]àng năm|[Hh]ằng năm)"
)
_ANSWER_LIMIT = 380
_TOP_PASSAGES = 5


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text.lower()))


_PROVINCE_WORDS = {"tra", "vinh", "tien", "giang"}
#: Words after "bao nhiêu" that do not name a unit.
_GENERIC_UNITS = {"phan", "lan", "nam", "ty", "ti", "trieu", "so", "muc", "cap", "nguoi", "don", "co", "la", "tren", "dat"}


class DefaultAnswerer:
    """Answers from retrieved passages with the figures extracted at index time."""

    def __init__(self, data: IndexData, settings: Settings) -> None:
        self.data = data
        self.settings = settings
        self.figures: dict[str, list[dict]] = defaultdict(list)
        for f in data.extras.get("figures", []):
            self.figures[f["chunk_id"]].append(f)
        df: Counter[str] = Counter()
        for c in data.chunks:
            df.update(set(tokens(c.context_text())))
        n = max(len(data.chunks), 1)
        self.idf = {t: math.log(1 + n / (1 + d)) for t, d in df.items()}
        self.default_idf = math.log(1 + n)
        years: set[int] = set()
        for d in data.documents.values():
            years |= set(d.metadata.years_reported) | set(d.metadata.years_planned)
        for c in data.chunks:
            years |= set(c.years)
        self.known_years = years
        self.known_provinces = {fold((d.metadata.province or "").lower()) for d in data.documents.values()}
        self.min_coverage = settings.min_coverage
        self.tokenizer = Tokenizer(data.manifest.abbreviations)
        self._abbr_tokens = {fold(a.lower()) for a in self.tokenizer.abbreviations}
        self._token_cache: dict[str, set[str]] = {}

    def text_tokens(self, text: str) -> set[str]:
        """Accent-folded tokens of a passage with its abbreviations expanded both ways."""
        cached = self._token_cache.get(text)
        if cached is None:
            cached = set(tokens(self.tokenizer.expand(text)))
            if len(self._token_cache) < 50_000:
                self._token_cache[text] = cached
        return cached

    def analyze(self, question: str) -> QuestionInfo:
        q = analyze(question)
        expanded = set(tokens(self.tokenizer.expand(question)))
        keywords = [k for k in dict.fromkeys(list(q.keywords) + [t for t in expanded if t not in STOP and len(t) > 1 and not t.isdigit()])]
        q.keywords = [k for k in keywords if k not in self._abbr_tokens and k not in _PROVINCE_WORDS] or q.keywords
        return q

    # --- entry point -------------------------------------------------------
    def answer(self, question: str, hits: list[Hit]) -> Answer:
        q = self.analyze(question)
        retrieved = [RetrievedPassage.from_hit(h) for h in hits]
        top = hits[:_TOP_PASSAGES]
        reason = self._out_of_scope(q)
        result: Answer | None = None
        if not reason and top:
            if q.kind == "computed":
                result = self._computed(q, top)
            if result is None and q.kind in ("number", "percent", "computed"):
                result = self._figure(q, top)
            if result is None:
                result = self._sentence(q, top)
        if result is None:
            result = self._abstain(q)
        result.retrieved = retrieved
        result.figures = check_figures(result, self.figures)
        return result

    # --- abstention --------------------------------------------------------
    def _out_of_scope(self, q: QuestionInfo) -> str | None:
        for p in q.provinces:
            if fold(p) not in self.known_provinces:
                return f"tỉnh {p.title()}"
        unknown = [y for y in q.years if y not in self.known_years]
        if unknown:
            return f"năm {unknown[0]}"
        return None

    def _in_scope(self, q: QuestionInfo, hit: Hit, figure: dict | None = None) -> bool:
        """Does this passage speak of the province and year the question names?"""
        meta = self.data.documents[hit.chunk.document].metadata
        if q.provinces and meta.province and fold(meta.province.lower()) not in {fold(p) for p in q.provinces}:
            return False
        if q.years:
            covered = set(hit.chunk.years) | set(meta.years_reported) | set(meta.years_planned)
            if figure is not None and figure.get("year"):
                covered.add(figure["year"])
            if not covered & set(q.years):
                return False
        return True

    def _abstain(self, q: QuestionInfo) -> Answer:
        return Answer(question=q.text, answer=NOT_FOUND, abstained=True)

    def coverage(self, q: QuestionInfo, text_tokens: set[str]) -> float:
        total = sum(self.idf.get(k, self.default_idf) for k in q.keywords)
        if not total:
            return 0.0
        return sum(self.idf.get(k, self.default_idf) for k in q.keywords if k in text_tokens) / total

    # --- numbers -----------------------------------------------------------
    def _candidates(self, q: QuestionInfo, top: list[Hit]) -> list[tuple[float, dict, Hit]]:
        scored = []
        for rank, hit in enumerate(top):
            chunk = hit.chunk
            if not self._in_scope(q, hit):
                continue
            doc_text = self.data.documents[chunk.document].text
            section_tokens = self.text_tokens(f"{chunk.title} {chunk.section}")
            for f in self.figures.get(chunk.id, []):
                if f["raw"] in q.numbers or format_number(f["value"]) in q.numbers:
                    continue
                local = self.text_tokens(_local_context(doc_text, f))
                sentence = self.text_tokens(f.get("sentence", ""))
                own = self.text_tokens(" ".join(x for x in (f.get("indicator"), f.get("column_header")) if x))
                score = 0.0
                if q.measured:
                    named = own | self.text_tokens(f.get("unit") or "")
                    score += 0.8 * sum(w in named for w in q.measured) / len(q.measured)
                score += (1.0 * self.coverage(q, local) + 0.4 * self.coverage(q, sentence) + 0.6 * self.coverage(q, own)
                         + 0.2 * self.coverage(q, section_tokens) + 0.3 * hit.score + 0.1 / (rank + 1))
                after = fold(doc_text[f["end"]:f["end"] + 25].lower())
                before = fold(doc_text[max(0, f["start"] - 12):f["start"]].lower())
                versus_target = bool(re.match(r"\s*(muc tieu|so voi|ke hoach)", after)) or "so voi" in before
                if versus_target:  # "(đạt 79% mục tiêu)": a share of the target, not the value itself
                    score += 0.35 if q.against_target else -0.35
                in_targets = bool(re.search(r"muc tieu|chi tieu|phan dau", fold(chunk.section.lower())))
                if q.asks_target:
                    score += 0.25 if in_targets else -0.1
                if q.kind == "percent" and f.get("kind") == "ratio":
                    score += 0.25  # "21/47" answers a share asked as a percentage
                unit = fold((f.get("unit") or "").lower())
                if q.unit_hint and unit.split()[:1] == [q.unit_hint]:
                    score += 0.5
                want_percent = q.kind == "percent" or (q.kind == "computed" and "phan tram" in q.folded)
                if q.kind in ("number", "percent"):
                    is_share = bool(f.get("is_percent")) or (want_percent and f.get("kind") == "ratio")
                    score += 0.3 if is_share == want_percent else -0.6
                if q.years:
                    meta = self.data.documents[chunk.document].metadata
                    facts = set(meta.years_reported) | set(chunk.years) | ({f["year"]} if f.get("year") else set())
                    if f.get("year") and f["year"] not in q.years:
                        score -= 0.2
                    elif facts & set(q.years):
                        score += 0.15
                    elif facts:
                        score -= 0.25  # the passage reports other years
                scored.append((score, f, hit))
        scored.sort(key=lambda s: -s[0])
        return scored

    def _figure(self, q: QuestionInfo, top: list[Hit]) -> Answer | None:
        scored = self._candidates(q, top)
        if not scored:
            return None
        best_score, best, hit = scored[0]
        doc_text = self.data.documents[hit.chunk.document].text
        context = self.text_tokens(_local_context(doc_text, best)) | self.text_tokens(best.get("sentence", ""))
        if self.coverage(q, context | self.text_tokens(hit.chunk.section)) < self.min_coverage:
            return None
        if q.unit_hint and q.unit_hint not in _GENERIC_UNITS and q.unit_hint not in context:
            return None  # asked "bao nhiêu vụ", found "56 phù hiệu": not the same thing
        if q.kind == "percent" and best.get("kind") == "ratio" and best.get("total"):
            return self._ratio_percent(q, best, hit)
        citations = [self._citation(1, hit.chunk, best["start"], best["end"])]
        shown = _figure_text(best)
        text = f"{shown}"
        conflicts = [
            (s, f, h) for s, f, h in scored[1:6]
            if s >= best_score - 0.15 and f["value"] != best["value"] and _same_indicator(f, best)
            and f.get("sentence") != best.get("sentence")
            and bool(f.get("is_percent")) == bool(best.get("is_percent"))
        ]
        answer = Answer(question=q.text, answer="", value=best["value"],
                        unit="%" if best.get("is_percent") else best.get("unit"), citations=citations)
        if conflicts:
            s, other, other_hit = conflicts[0]
            answer.citations.append(self._citation(2, other_hit.chunk, other["start"], other["end"]))
            answer.conflict = True
            text = (f"{shown} [1]; lưu ý: tài liệu cũng ghi {_figure_text(other)} [2] cho cùng chỉ tiêu "
                    f"— các số liệu không thống nhất, cần đối chiếu.")
            answer.answer = f"Theo {hit.chunk.title}: {text}"
            return answer
        answer.answer = f"{text} (theo {hit.chunk.title}) [1]."
        return answer

    def _ratio_percent(self, q: QuestionInfo, f: dict, hit: Hit) -> Answer | None:
        try:
            calc = calculate(f"{_plain(f['value'])} / {_plain(f['total'])} * 100")
        except CalculationError:
            return None
        result = round(calc.result, 2)
        calc = Calculation(expression=calc.expression, result=calc.result, operands=[
            Operand(value=f["value"], raw=f["raw"], label=f.get("indicator", ""), citation=1),
            Operand(value=f["total"], raw=f["raw"], label="tổng số", citation=1),
        ])
        text = (f"{format_number(result)}% (tính từ {f['raw']} {f.get('unit') or ''} [1]: "
                f"{_vn_expression(calc.expression)} = {format_number(result)}%).").replace(" ]", "]")
        return Answer(question=q.text, answer=text, value=result, unit="%", calculation=calc,
                      citations=[self._citation(1, hit.chunk, f["start"], f["end"])])

    # --- calculations ------------------------------------------------------
    def _computed(self, q: QuestionInfo, top: list[Hit]) -> Answer | None:
        operands = self._operands(q, top)
        if operands is None:
            return None
        (fa, ha), (fb, hb) = operands
        a, b = fa["value"], fb["value"]
        op = q.operation
        expr = {
            "sum": f"{_plain(a)} + {_plain(b)}",
            "difference": f"{_plain(max(a, b))} - {_plain(min(a, b))}",
            "remainder": f"{_plain(max(a, b))} - {_plain(min(a, b))}",
            "percent_of": f"{_plain(min(a, b))} / {_plain(max(a, b))} * 100",
            "percent_change": (f"({_plain(max(a, b))} - {_plain(min(a, b))}) / {_plain(min(a, b))} * 100"
                               if "giam" not in q.folded else
                               f"({_plain(min(a, b))} - {_plain(max(a, b))}) / {_plain(max(a, b))} * 100"),
            "times": f"{_plain(max(a, b))} / {_plain(min(a, b))}",
        }[op]
        try:
            calc = calculate(expr)
        except CalculationError:
            return None
        citations = [self._citation(1, ha.chunk, fa["start"], fa["end"])]
        second = 1
        if (hb.chunk.id, fb["start"]) != (ha.chunk.id, fa["start"]):
            second = 2
            citations.append(self._citation(2, hb.chunk, fb["start"], fb["end"]))
        calc = Calculation(expression=calc.expression, result=calc.result, operands=[
            Operand(value=a, raw=fa["raw"], label=fa.get("indicator", ""), citation=1),
            Operand(value=b, raw=fb["raw"], label=fb.get("indicator", ""), citation=second),
        ])
        percent = op in ("percent_of", "percent_change")
        unit = "%" if percent else (fa.get("unit") or fb.get("unit"))
        result = round(calc.result, 2)
        shown = f"{format_number(result)}%" if percent else f"{format_number(result)} {unit or ''}".strip()
        text = (f"{shown} (tính từ {_figure_text(fa)} [1] và {_figure_text(fb)} [{second}]: "
                f"{_vn_expression(calc.expression)} = {format_number(result)}).")
        return Answer(question=q.text, answer=text, value=result, unit=unit, citations=citations, calculation=calc)

    def _operands(self, q: QuestionInfo, top: list[Hit]):
        scored = self._candidates(q, top)
        if len(scored) < 2:
            return None
        parts = re.split(r"\s(?:va|so voi|voi|tren|and)\s", q.folded, maxsplit=1)
        if len(parts) == 2:
            picks = []
            for part in parts:
                sub = self.analyze(part)
                sub.keywords = [k for k in sub.keywords if k in q.keywords] or q.keywords
                ranked = self._candidates(sub, top)
                picks.append(ranked)
            for (_, fa, ha) in picks[0][:3]:
                for (_, fb, hb) in picks[1][:3]:
                    if fa["start"] != fb["start"] or ha.chunk.id != hb.chunk.id:
                        if fa["value"] != fb["value"] and _compatible(fa, fb):
                            return (fa, ha), (fb, hb)
        best_score, fa, ha = scored[0]
        for _, fb, hb in scored[1:8]:
            if fb["value"] != fa["value"] and _compatible(fa, fb):
                first, second = sorted([(fa, ha), (fb, hb)], key=lambda p: (p[1].chunk.start, p[0]["start"]))
                return first, second
        return None

    # --- sentences ---------------------------------------------------------
    def _sentence(self, q: QuestionInfo, top: list[Hit]) -> Answer | None:
        best = None
        for rank, hit in enumerate(top):
            if not self._in_scope(q, hit):
                continue
            section = self.text_tokens(hit.chunk.section)
            for start, end, text in _sentences(hit.chunk):
                toks = self.text_tokens(text)
                score = self.coverage(q, toks) + 0.3 * self.coverage(q, section) + 0.3 * hit.score + 0.1 / (rank + 1)
                if q.kind == "date" and not _DATE.search(text):
                    score -= 0.3
                if best is None or score > best[0]:
                    best = (score, start, end, text, hit)
        if best is None:
            return None
        score, start, end, text, hit = best
        coverage = self.coverage(q, self.text_tokens(text) | self.text_tokens(hit.chunk.section))
        if coverage < self.min_coverage:
            return None
        citation = self._citation(1, hit.chunk, start, end)
        if hit.chunk.kind == "table":
            body = _table_answer(q, hit.chunk, text)
        elif q.kind == "date":
            dates = [m.group(0) for m in _DATE.finditer(text) if not any(n in m.group(0) for n in q.numbers)]
            body = dates[0] if dates else _clip(text)
            if dates:
                body = f"{', '.join(dict.fromkeys(dates[:2]))} — {_clip(text, 250)}"
        else:
            body = _clip(text)
        return Answer(question=q.text, answer=f"{body} [1]", citations=[citation])

    # --- citations ---------------------------------------------------------
    def _citation(self, number: int, chunk: Chunk, start: int, end: int) -> Citation:
        doc_text = self.data.documents[chunk.document].text
        qs, qe = _sentence_span(doc_text, chunk, start, end)
        return Citation(number=number, chunk_id=chunk.id, document=chunk.document, title=chunk.title,
                        section=chunk.section, text=chunk.text, start=chunk.start, end=chunk.end,
                        quote=doc_text[qs:qe], quote_start=qs, quote_end=qe)


# --- helpers -------------------------------------------------------------------------------


def _sentences(chunk: Chunk) -> list[tuple[int, int, str]]:
    if chunk.kind == "table":
        return [(chunk.start, chunk.end, chunk.context_text().split("\n", 2)[-1])]
    out = []
    for m in _SENTENCE.finditer(chunk.text):
        text = m.group(0).strip()
        if len(text) > 3:
            s = chunk.start + m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            out.append((s, s + len(text), text))
    return out


def _sentence_span(doc_text: str, chunk: Chunk, start: int, end: int) -> tuple[int, int]:
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


def _local_context(doc_text: str, f: dict) -> str:
    """The clause around a figure: back to the previous ';' or sentence start, forward to the next."""
    start, end = f["start"], f["end"]
    lo = max(doc_text.rfind(ch, max(0, start - 200), start) for ch in (";", ".\n", ". ", "\n", ":"))
    lo = lo + 1 if lo >= 0 else max(0, start - 200)
    his = [i for i in (doc_text.find(ch, end, end + 120) for ch in (";", ". ", "\n", "(")) if i != -1]
    hi = min(his) if his else end + 120
    extra = " ".join(x for x in (f.get("indicator"), f.get("row_header"), f.get("column_header"), f.get("unit")) if x)
    return f"{doc_text[lo:hi]} {extra}"


def _figure_text(f: dict) -> str:
    raw = f["raw"]
    if f.get("is_percent"):
        return raw if raw.endswith("%") else f"{raw}%"
    unit = f.get("unit") or ""
    return f"{raw} {unit}".strip()


def _same_indicator(a: dict, b: dict) -> bool:
    ta, tb = set(tokens(a.get("indicator") or "")), set(tokens(b.get("indicator") or ""))
    if not ta or not tb:
        return False
    return len(ta & tb) / len(ta | tb) >= 0.6 and (a.get("unit") or "") == (b.get("unit") or "")


def _compatible(a: dict, b: dict) -> bool:
    return bool(a.get("is_percent")) == bool(b.get("is_percent"))


def _plain(x: float) -> str:
    return format(x, "f").rstrip("0").rstrip(".") if not float(x).is_integer() else str(int(x))


def _vn_expression(expr: str) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: format_number(float(m.group(0))), expr)


def _clip(text: str, limit: int = _ANSWER_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


_COLUMN_HINTS = [
    (r"chu tri", "chủ trì"), (r"phoi hop", "phối hợp"), (r"thoi gian|khi nao|thoi han|bao gio", "thời gian"),
    (r"nguon von|nguon kinh phi", "nguồn"), (r"giai ngan", "giải ngân"), (r"tong muc|dau tu", "tổng mức"),
    (r"linh vuc", "lĩnh vực"), (r"muc tieu", "mục tiêu"), (r"pham vi", "phạm vi"), (r"don vi tinh", "đơn vị tính"),
]


def _table_answer(q: QuestionInfo, chunk: Chunk, rendered: str) -> str:
    """For a table row, the cell the question asks for (by column header), else the row."""
    if chunk.header:
        names = chunk.header.split("\t")
        cells = chunk.text.split("\n")[0].split("\t")
        for pattern, header_word in _COLUMN_HINTS:
            if re.search(pattern, q.folded):
                for i, name in enumerate(names):
                    if header_word in name.lower() and i < len(cells) and cells[i].strip():
                        label = cells[1].strip() if len(cells) > 1 else ""
                        return f"{cells[i].strip()} ({name.strip()} — {_clip(label, 160)})"
    return _clip(rendered)
