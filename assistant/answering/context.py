"""What an answer strategy reads for one request: the caller's view of the corpus and helpers over it.

Strategies receive an ``AnswerContext`` (never the answerer): the visible documents, chunks and
figures, idf over them, the tokenizer of the build, and the citation maker.
"""

from __future__ import annotations

from collections.abc import Mapping

from assistant.answering.text import sentence_span, tokens
from assistant.models import Chunk, Citation
from assistant.settings import Settings
from assistant.vietnamese.text import fold
from assistant.vietnamese.tokens import Tokenizer
from assistant.view import CorpusView

_CACHE_LIMIT = 50_000
#: Figures' and clauses' traits kept (each holds a few token sets: a bigger entry than a token set).
_TRAITS_LIMIT = 20_000


class TextMemo:
    """What a text alone determines (its tokens, a sentence's traits), kept per build and shared by
    the requests on it: passages come back question after question."""

    def __init__(self, limit: int = _CACHE_LIMIT, traits_limit: int = _TRAITS_LIMIT) -> None:
        self.tokens: dict[str, set[str]] = {}
        self.traits: dict[object, object] = {}  # keyed by a text, or by what a figure's traits are made of
        self._limits = {id(self.tokens): limit, id(self.traits): traits_limit}

    def remember(self, table: dict, key, value):
        if len(table) < self._limits[id(table)]:
            table[key] = value
        return value


class AnswerContext:
    def __init__(self, view: CorpusView, settings: Settings, tokenizer: Tokenizer, memo: TextMemo) -> None:
        self.data = view
        self.settings = settings
        self.tokenizer = tokenizer
        self.min_coverage = settings.min_coverage
        self._abbr_tokens = {fold(a.lower()) for a in tokenizer.abbreviations}
        self.memo = memo

    @property
    def figures(self) -> Mapping[str, list[dict]]:
        return self.data.figures

    @property
    def idf(self) -> dict[str, float]:
        return self.data.idf

    @property
    def default_idf(self) -> float:
        return self.data.default_idf

    @property
    def known_years(self) -> set[int]:
        return self.data.known_years

    @property
    def known_provinces(self) -> set[str]:
        return self.data.known_provinces

    def text_tokens(self, text: str) -> set[str]:
        """Accent-folded tokens of a passage with its abbreviations expanded both ways."""
        cached = self.memo.tokens.get(text)
        if cached is None:
            cached = self.memo.remember(self.memo.tokens, text, set(tokens(self.tokenizer.expand(text))))
        return cached

    def citation(self, number: int, chunk: Chunk, start: int, end: int) -> Citation:
        """Citation ``number`` for [start, end) in ``chunk``, quoting the sentence that holds it."""
        doc_text = self.data.documents[chunk.document].text
        qs, qe = sentence_span(doc_text, chunk, start, end)
        return Citation(
            number=number,
            chunk_id=chunk.id,
            document=chunk.document,
            title=chunk.title,
            section=chunk.section,
            text=chunk.text,
            start=chunk.start,
            end=chunk.end,
            quote=doc_text[qs:qe],
            quote_start=qs,
            quote_end=qe,
        )
