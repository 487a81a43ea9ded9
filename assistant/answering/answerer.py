"""The default answerer: no LLM, deterministic, offline.

From the retrieved passages it picks the figure (for numbers), the operands and the calculator's
result (for calculations), or the supporting sentence (for dates, names, lists, explanations),
and writes a short Vietnamese answer that cites the exact sentence. When the passages do not
hold the answer it says so.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from assistant.vietnamese.text import fold
from assistant.answering import scope
from assistant.answering.calculations import computed_answer
from assistant.answering.figure_answers import figure_answer
from assistant.answering.sentences import sentence_answer
from assistant.answering.text import sentence_span, tokens
from assistant.vietnamese.tokens import Tokenizer
from assistant.models import Answer, Chunk, Citation, Hit, RetrievedPassage
from assistant.answering.question import STOP, QuestionInfo, analyze
from assistant.settings import Settings
from assistant.indexing.store import IndexData
from assistant.answering.verification import check_figures

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu đã nạp."
_TOP_PASSAGES = 5
_PROVINCE_WORDS = {"tra", "vinh", "tien", "giang"}


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

    def coverage(self, q: QuestionInfo, text_tokens: set[str]) -> float:
        """The idf-weighted share of the question's keywords found in ``text_tokens``."""
        total = sum(self.idf.get(k, self.default_idf) for k in q.keywords)
        if not total:
            return 0.0
        return sum(self.idf.get(k, self.default_idf) for k in q.keywords if k in text_tokens) / total

    def in_scope(self, q: QuestionInfo, hit: Hit, figure: dict | None = None) -> bool:
        return scope.in_scope(self, q, hit, figure)

    # --- entry point -------------------------------------------------------
    def answer(self, question: str, hits: list[Hit]) -> Answer:
        q = self.analyze(question)
        retrieved = [RetrievedPassage.from_hit(h) for h in hits]
        top = hits[:_TOP_PASSAGES]
        reason = scope.out_of_scope(self, q)
        result: Answer | None = None
        if not reason and top:
            if q.kind == "computed":
                result = computed_answer(self, q, top)
            if result is None and q.kind in ("number", "percent", "computed"):
                result = figure_answer(self, q, top)
            if result is None:
                result = sentence_answer(self, q, top)
        if result is not None and not scope.supports(self, q, result, top):
            result = None
        if result is None:
            result = Answer(question=q.text, answer=NOT_FOUND, abstained=True)
        result.retrieved = retrieved
        result.figures = check_figures(result, self.figures)
        return result

    def citation(self, number: int, chunk: Chunk, start: int, end: int) -> Citation:
        """Citation ``number`` for [start, end) in ``chunk``, quoting the sentence that holds it."""
        doc_text = self.data.documents[chunk.document].text
        qs, qe = sentence_span(doc_text, chunk, start, end)
        return Citation(number=number, chunk_id=chunk.id, document=chunk.document, title=chunk.title,
                        section=chunk.section, text=chunk.text, start=chunk.start, end=chunk.end,
                        quote=doc_text[qs:qe], quote_start=qs, quote_end=qe)
