"""The default answerer: no LLM, deterministic, offline.

From the retrieved passages it picks the figure (for numbers), the operands and the calculator's
result (for calculations), or the supporting sentence (for dates, names, lists, explanations),
and writes a short Vietnamese answer that cites the exact sentence. When the passages do not
hold the answer it says so. It reads only the caller's view of the corpus.
"""

from __future__ import annotations

import threading

from assistant.answering import scope
from assistant.answering.calculations import computed_answer
from assistant.answering.context import AnswerContext
from assistant.answering.figure_answers import figure_answer
from assistant.answering.sentences import sentence_answer
from assistant.answering.verification import check_figures
from assistant.models import Answer, Hit, RetrievedPassage
from assistant.settings import Settings
from assistant.view import CorpusView

NOT_FOUND = "Không tìm thấy thông tin này trong các tài liệu đã nạp."
_TOP_PASSAGES = 5


class DefaultAnswerer:
    """Answers from retrieved passages with the figures extracted at index time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._token_caches: dict[str, dict[str, set[str]]] = {}  # per build
        self._lock = threading.Lock()

    def context(self, corpus: CorpusView) -> AnswerContext:
        snapshot = corpus.corpus.snapshot
        with self._lock:
            cache = self._token_caches.get(snapshot.build)
            if cache is None:
                self._token_caches = {snapshot.build: {}}  # an older build's tokens are of no use
                cache = self._token_caches[snapshot.build]
        return AnswerContext(corpus, self.settings, snapshot.tokenizer, cache)

    def answer(self, question: str, hits: list[Hit], corpus: CorpusView) -> Answer:
        ans = self.context(corpus)
        q = ans.analyze(question)
        retrieved = [RetrievedPassage.from_hit(h) for h in hits]
        top = hits[:_TOP_PASSAGES]
        reason = scope.out_of_scope(ans, q)
        result: Answer | None = None
        if not reason and top:
            if q.kind == "computed":
                result = computed_answer(ans, q, top)
            if result is None and q.kind in ("number", "percent", "computed"):
                result = figure_answer(ans, q, top)
            if result is None:
                result = sentence_answer(ans, q, top)
        if result is not None and not scope.supports(ans, q, result, top):
            result = None
        if result is None:
            result = Answer(question=q.text, answer=NOT_FOUND, abstained=True)
        result.retrieved = retrieved
        result.figures = check_figures(result, ans.figures)
        return result
