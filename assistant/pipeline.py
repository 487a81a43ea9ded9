"""The one answer path: snapshot → hybrid retrieval → answerer. Used by CLI, API, UI and eval."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Hashable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.answer_cache import AnswerCache, Lookups
from assistant.answer_store import AnswerStore
from assistant.conversation import Resolved, resolve_turn
from assistant.filters import Filters
from assistant.gate import Gate
from assistant.indexing.store import IndexStore
from assistant.models import Answer, Hit
from assistant.protocols import Answerer, Embedder
from assistant.settings import Settings
from assistant.snapshot import Snapshot, load_snapshot
from assistant.validation import check_question
from assistant.view import CorpusView

Mode = Literal["default", "llm"]
log = logging.getLogger(__name__)
#: A new build's process prepares the questions asked in this many last seconds (``prefill``).
PREFILL_RECENT_SECONDS = 900.0


class Pipeline:
    """Light to construct; ``warm_up()`` (or the first call) loads the index and the model.

    Safe to share between threads: every request reads the snapshot it started with, and
    ``reload()`` swaps a fully loaded new one in with one assignment.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        query_store: Path | None = None,
        answer_store: Path | None = None,
    ) -> None:
        self.settings = settings
        #: Answers shared with the other processes of a server (a SQLite file; None: this process's own).
        self.answer_store = (
            AnswerStore(answer_store, limit=4 * settings.answer_cache_size)
            if answer_store is not None and settings.answer_cache_size
            else None
        )
        self._embedder = embedder
        #: The embedder is the one the settings name (another process can make the same one).
        self.embedder_from_settings = embedder is None
        self._query_store = query_store  # a SQLite file of query vectors shared across processes
        self._snapshot: Snapshot | None = None
        #: Answer cache lookups of every build this pipeline loads.
        self.cache_lookups = Lookups()
        self._answerers: dict[str, Answerer] = {}
        self._lock = threading.RLock()
        self._reloading = threading.Lock()
        #: Searches and answers computing at once (``settings.request_threads``); the rest wait in order.
        self.gate = Gate(settings.request_threads)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from assistant.retrieval.embeddings import make_embedder

                    embedder = make_embedder(self.settings)
                    if self._query_store is not None:
                        from assistant.retrieval.query_vectors import SharedQueryVectors

                        embedder = SharedQueryVectors(embedder, self._query_store)
                    self._embedder = embedder
        return self._embedder

    def snapshot(self) -> Snapshot:
        """The loaded build requests are answered from (loaded on first use)."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._snapshot = self._load()
                snapshot = self._snapshot
        return snapshot

    def reload(self, warm: bool = False, unless: str | None = None) -> Snapshot:
        """Load the current build and swap it in; requests in flight finish on the old one. With
        ``warm``, the questions last answered on the old build are answered on the new one before
        it is swapped in (see :meth:`warm`). ``unless``: a build name; when that build is the one
        already loaded (another thread swapped it in meanwhile), nothing is done."""
        with self._reloading:  # one reload at a time; requests go on meanwhile
            if unless is not None and self._snapshot is not None and self._snapshot.build == unless:
                return self._snapshot
            fresh = self._load()
            old = self._snapshot
            if warm and old is not None:
                self.warm(fresh, old)
            with self._lock:
                self._snapshot = fresh
            if self.answer_store is not None:
                self.answer_store.keep_only({fresh.build} | ({old.build} if old is not None else set()))
        return fresh

    def _load(self) -> Snapshot:
        return load_snapshot(self.settings, self.embedder, self.cache_lookups, self.answer_store)

    def warm(self, fresh: Snapshot, old: Snapshot) -> int:
        """Answer on ``fresh`` the questions last answered on ``old`` (the most recent first, for at
        most ``settings.warm_seconds``) and keep the answers in its cache: a question asked again
        right after the swap is a lookup, not an answer computed while many wait. Only questions
        of callers who see every document are answered again (another caller's visible documents
        may differ in the new build). Returns how many were answered."""
        deadline = time.monotonic() + self.settings.warm_seconds
        answered = []
        for key in old.answers.recent():
            if time.monotonic() >= deadline:
                break
            mode, resolved, visible, filters, k = key
            if visible is not None or mode != "default" or k != self.settings.top_k:
                continue
            if fresh.answers.holds(key):  # another process answered it on the new build already
                continue
            try:
                view = fresh.view().narrowed(filters)
                hits = view.search(resolved.search, k)
                answer = self.answerer(mode).answer(resolved.question, hits, view, resolved.context)
            except Exception:  # noqa: BLE001 - warming only saves time: it never holds up a swap
                log.warning("Không trả lời trước được một câu hỏi trên bản chỉ mục mới.", exc_info=True)
                continue
            answered.append((key, hits, answer))
        for key, hits, answer in reversed(answered):  # the most recent is kept longest
            fresh.answers.put(key, hits, answer, share=False)  # not asked again: not marked as asked
        return len(answered)

    def prefill(self, replaced: str, build: str) -> int:
        """In the process that made ``build``, before the server's workers swap it in: answer on it
        the questions asked on ``replaced`` (the build it replaces) in the last
        ``PREFILL_RECENT_SECONDS``, the most recent first, for at most ``settings.prefill_seconds``,
        into the shared answer store, then mark it warm (workers wait for that mark, for a bounded
        time: ``Service.follow_published_build``). Nothing is answered when ``build`` is no longer
        the published one (another build followed it), and answering stops when it stops being so.
        Returns how many were answered."""
        store = self.answer_store
        if store is None or not replaced or replaced == build or self.settings.prefill_seconds <= 0:
            return 0
        store.start_warming(build)
        deadline = time.monotonic() + self.settings.prefill_seconds
        answered = 0
        try:
            snapshot = self.snapshot()
            if snapshot.build != build:
                return 0
            current = IndexStore(self.settings.index_dir).current_build
            since = time.time() - PREFILL_RECENT_SECONDS
            for i, (question, used) in enumerate(store.recent(replaced, self.settings.answer_cache_size, since)):
                if time.monotonic() >= deadline or (i % 20 == 19 and current() != build):
                    break
                if question.k != self.settings.top_k:
                    continue
                resolved = question.resolved
                try:
                    view = snapshot.view().narrowed(question.filters)
                    hits = view.search(resolved.search, question.k)
                    answer = self.answerer("default").answer(resolved.question, hits, view, resolved.context)
                except Exception:  # noqa: BLE001 - preparing answers only saves time
                    log.warning("Không trả lời trước được một câu hỏi trên bản chỉ mục mới.", exc_info=True)
                    continue
                store.put(build, question, hits, answer, used=used)  # keeps its place in the order
                answered += 1
        finally:
            store.finish_warming(build)
        return answered

    def warm_up(self) -> "Pipeline":
        self.search("khởi động", k=1)
        return self

    def answerer(self, mode: Mode | None = None) -> Answerer:
        mode = mode or self.settings.answer_mode
        answerer = self._answerers.get(mode)
        if answerer is None:
            with self._lock:
                answerer = self._answerers.get(mode)
                if answerer is None:
                    answerer = self._answerers[mode] = self._make_answerer(mode)
        return answerer

    def _make_answerer(self, mode: str) -> Answerer:
        from assistant.answering import DefaultAnswerer

        if mode == "default":
            return DefaultAnswerer(self.settings)
        if mode == "llm":
            from assistant.answering.llm import LLMAnswerer

            if not self.settings.llm_base_url:
                from assistant.errors import ModeUnavailableError

                raise ModeUnavailableError(
                    "Máy chủ này chưa được cấu hình chế độ LLM.",
                    hint="Hãy dùng chế độ default, hoặc quản trị đặt ASSISTANT_LLM_BASE_URL.",
                )

            return LLMAnswerer(self.settings, fallback=self.answerer("default"))
        from assistant.errors import ConfigurationError

        raise ConfigurationError(f"Không có chế độ trả lời '{mode}'.", hint="Chọn: default hoặc llm.")

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        filters: Filters | None = None,
        visible_documents: Iterable[str] | None = None,
        snapshot: Snapshot | None = None,
    ) -> list[Hit]:
        """``snapshot``: the build to search (the current one by default), e.g. the one the caller's
        visible documents were computed from."""
        view = (snapshot or self.snapshot()).view(_frozen(visible_documents)).narrowed(filters)
        with self.gate:
            return view.search(query, k)

    def ask(
        self,
        question: str,
        *,
        history: list[str] | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        visible_documents: Iterable[str] | None = None,
    ) -> Answer:
        turn = self.turn(question, history=history, mode=mode, filters=filters, visible_documents=visible_documents)
        return turn.run()

    def turn(
        self,
        question: str,
        *,
        history: list[str] | None = None,
        mode: Mode | None = None,
        filters: Filters | None = None,
        visible_documents: Iterable[str] | None = None,
        snapshot: Snapshot | None = None,
    ) -> "Turn":
        """One question, checked and bound to ``snapshot`` (the current one by default), answered in
        steps (for streaming)."""
        started = time.perf_counter()
        asked = check_question(question, self.settings.max_question_chars)
        resolved = resolve_turn(asked, list(history or []))
        if (
            max(len(resolved.search), len(resolved.question)) > self.settings.max_question_chars
        ):  # past the limit: as asked
            resolved = Resolved(asked, asked)
        snapshot = snapshot or self.snapshot()
        view = snapshot.view(_frozen(visible_documents)).narrowed(filters)
        mode = mode or self.settings.answer_mode
        k = self.settings.top_k
        # Only the default answerer is deterministic; an LLM's answers are not kept.
        key = (mode, resolved, view.corpus.visible, view.filters, k) if mode == "default" else None
        return Turn(
            asked,
            resolved.question,
            snapshot,
            view,
            self.answerer(mode),
            k,
            started,
            snapshot.answers,
            key,
            resolved.search,
            gate=self.gate,
        )


@dataclass
class Turn:
    """A question on its way: ``retrieve()`` then ``answer(hits)``, both on the snapshot it started with."""

    question: str
    standalone: str  # completed from the conversation
    snapshot: Snapshot
    view: CorpusView
    answerer: Answerer
    k: int
    started: float
    cache: AnswerCache | None = None  # answers given on this snapshot
    key: Hashable | None = None  # this question's place in it (None: not kept)
    search_text: str = ""  # what is searched (the completed question, or it with the previous one's subject)
    retrieved_at: float = 0.0
    gate: Gate | None = None  # entered by retrieve() and answer() (see assistant.gate)
    _kept: Answer | None = field(default=None, init=False, repr=False)

    def run(self) -> Answer:
        """Retrieve and answer in one pass through the gate (not queued again between the two)."""
        with self.gate or nullcontext():
            return self.answer(self.retrieve())

    def retrieve(self) -> list[Hit]:
        with self.gate or nullcontext():
            return self._retrieve()

    def _retrieve(self) -> list[Hit]:
        kept = self.cache.get(self.key) if self.cache is not None and self.key is not None else None
        if kept is not None:
            hits, self._kept = kept
        else:
            hits = self.view.search(self.search_text or self.standalone, self.k)
        self.retrieved_at = time.perf_counter()
        return hits

    def answer(self, hits: list[Hit]) -> Answer:
        with self.gate if self.gate is not None and self._kept is None else nullcontext():  # kept: no work
            return self._answer(hits)

    def _answer(self, hits: list[Hit]) -> Answer:
        if self._kept is not None:  # asked before on this build, by a caller who sees the same
            answer = self._kept
        else:
            context = Resolved(self.standalone, self.search_text).context
            answer = self.answerer.answer(self.standalone, hits, self.view, context)
            if self.cache is not None and self.key is not None:
                self.cache.put(self.key, hits, answer)
        answer.question = self.question
        answer.build = self.snapshot.build
        done = time.perf_counter()
        retrieved = self.retrieved_at or self.started
        answer.timings = {
            "retrieval_ms": (retrieved - self.started) * 1000,
            "answer_ms": (done - retrieved) * 1000,
            "total_ms": (done - self.started) * 1000,
        }
        return answer


def _frozen(documents: Iterable[str] | None) -> frozenset[str] | None:
    return None if documents is None else frozenset(documents)
