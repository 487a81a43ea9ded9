"""The service behind the HTTP API and the chat UI: one per server process, created in the app's
lifespan and handed to routes (and to the UI, in-process) as a dependency."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answering.calculator import calculate
from assistant.errors import NotFoundError
from assistant.filters import Filters
from assistant.models import Answer, Document, Hit
from assistant.pipeline import Mode, Pipeline, Turn
from assistant.service.access import Caller, KeyRing
from assistant.service.jobs import JobRunner
from assistant.service.metrics import Metrics
from assistant.service.ratelimit import RateLimiter
from assistant.service.state import StateStore
from assistant.settings import Settings
from assistant.snapshot import Snapshot
from assistant.vietnamese.text import words

log = logging.getLogger(__name__)
#: Answers remembered for feedback (id → question and answer text).
ANSWERS_KEPT = 10_000
#: How often a worker looks whether another process published a new build.
BUILD_CHECK_SECONDS = 1.0
#: A published build that failed to load is tried again after this long (or when another is published).
FOLLOW_RETRY_SECONDS = 30.0
#: A published build nobody is preparing answers on (a command-line build) is swapped in this long
#: after it was noticed; one being prepared, this long after its preparation's time is up.
PREFILL_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class FigureRow:
    figure: dict
    document: Document
    year: int | None  # the figure's own year, else its passage's, else the one year its document reports


def _period(figure: dict, chunk_years: list[int], document: Document) -> int | None:
    if figure.get("year"):
        return figure["year"]
    if len(chunk_years) == 1:
        return chunk_years[0]
    reported = document.metadata.years_reported
    return reported[0] if len(reported) == 1 else None


class Service:
    def __init__(self, settings: Settings, pipeline: Pipeline | None = None) -> None:
        self.settings = settings
        # The workers share the query vectors they computed (a question embedded once, by any of them)
        # and the answers (a question answered once per build, by any of them or by the build's process).
        self.pipeline = pipeline or Pipeline(
            settings, query_store=settings.query_store, answer_store=settings.answer_store
        )
        self.state = StateStore(settings.state_dir / "state.db")
        self.keys = KeyRing(self.state, settings)
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self.metrics = Metrics()
        self.jobs = JobRunner(self)
        self._answers: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._answers_lock = threading.Lock()
        self._checked_at = 0.0
        self._follow_lock = threading.Lock()
        self._follower: threading.Thread | None = None
        self._failed: tuple[str, float] | None = None  # a published build that failed to load, and when
        self._noticed: tuple[str, float] = ("", 0.0)  # a published build not being warmed, and when seen
        self.metrics.count_cache(self.pipeline.cache_lookups.read)

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.pipeline.warm_up()
        self._update_gauges()
        self.jobs.start()

    def stop(self) -> None:
        self.jobs.stop()

    def ready(self) -> bool:
        return self.pipeline._snapshot is not None

    def follow_published_build(self) -> None:
        """Swap in a build another process published (cheap: one readlink a second at most)."""
        now = time.monotonic()
        if now - self._checked_at < BUILD_CHECK_SECONDS:
            return
        self._checked_at = now
        name = self._published()
        snapshot = self.pipeline._snapshot
        if name is None or snapshot is None or name == snapshot.build:
            return
        failed = self._failed
        if failed is not None and failed[0] == name and now - failed[1] < FOLLOW_RETRY_SECONDS:
            return  # a build that failed to load is tried again later, not at every request
        if self._warm_enough(name, now):
            self._follow_in_background(name)

    def _warm_enough(self, name: str, now: float) -> bool:
        """Whether to swap in ``name`` now: its build process has answered on it the questions last
        answered here (``Pipeline.prefill``) or run out of time, or nobody prepares it (a build from
        the command line, or preparation turned off) and it was noticed a moment ago."""
        store = self.pipeline.answer_store
        if store is None or self.settings.prefill_seconds <= 0:
            return True
        warming = store.warming(name)
        if warming is None:
            if self._noticed[0] != name:
                self._noticed = (name, now)
            return now - self._noticed[1] >= PREFILL_GRACE_SECONDS
        started, finished = warming
        return finished is not None or time.time() - started >= self.settings.prefill_seconds + PREFILL_GRACE_SECONDS

    def _published(self) -> str | None:
        try:
            return os.path.basename(os.readlink(self.settings.index_dir / "current"))
        except OSError:
            return None

    def _follow_in_background(self, name: str) -> None:
        """Load (and warm) a build another process published without holding up the request that
        noticed it: requests go on with the build they have until the new one is swapped in."""
        with self._follow_lock:
            if self._follower is not None and self._follower.is_alive():
                return
            self._follower = threading.Thread(target=self._follow, args=(name,), name="assistant-follow", daemon=True)
            self._follower.start()

    def _follow(self, name: str) -> None:
        try:
            # A build this worker's own job swapped in meanwhile is not loaded (and warmed) twice.
            self.pipeline.reload(warm=self.settings.warm_seconds > 0, unless=name)
            self._update_gauges()
        except Exception:  # noqa: BLE001 - the build in use goes on answering; tried again later
            log.exception("Không nạp được bản chỉ mục mới; vẫn dùng bản cũ.")
            self._failed = (name, time.monotonic())

    def reload(self) -> None:
        """Swap in the published build, warmed with the questions last answered (settings.warm_seconds);
        nothing is done when a follower already swapped in the build published now."""
        self.pipeline.reload(warm=self.settings.warm_seconds > 0, unless=self._published())
        self._update_gauges()

    def _update_gauges(self) -> None:
        snapshot = self.pipeline.snapshot()
        self.metrics.documents.set(len(snapshot.documents))
        self.metrics.chunks.set(len(snapshot.chunks))

    # --- callers ---------------------------------------------------------------------------
    def authenticate(self, key: str | None) -> Caller:
        caller = self.keys.caller(key)
        self.limiter.check(caller.limit_key)
        return caller

    def visible(self, caller: Caller, snapshot: Snapshot | None = None) -> frozenset[str] | None:
        """What ``caller`` may see of ``snapshot`` (the current one by default). A request computes it
        from the snapshot it is answered from: one loaded in between may hold documents it may not see."""
        return caller.visible((snapshot or self.pipeline.snapshot()).documents)

    # --- questions -------------------------------------------------------------------------
    def turn(
        self,
        caller: Caller,
        question: str,
        *,
        history: list[str] | None = None,
        filters: Filters | None = None,
        mode: Mode | None = None,
    ) -> Turn:
        self.follow_published_build()
        snapshot = self.pipeline.snapshot()
        return self.pipeline.turn(
            question,
            history=history,
            mode=mode,
            filters=filters,
            visible_documents=self.visible(caller, snapshot),
            snapshot=snapshot,
        )

    def remember(self, answer: Answer) -> str:
        """An id for the answer (for feedback), counted in the metrics."""
        answer_id = uuid.uuid4().hex
        with self._answers_lock:
            self._answers[answer_id] = (answer.question, answer.answer)
            while len(self._answers) > ANSWERS_KEPT:
                self._answers.popitem(last=False)
        self.metrics.answers.labels(answer.mode).inc()
        if answer.abstained:
            self.metrics.abstentions.inc()
        return answer_id

    def ask(self, caller: Caller, question: str, **options) -> tuple[str, Answer]:
        turn = self.turn(caller, question, **options)
        answer = turn.run()
        return self.remember(answer), answer

    def search(self, caller: Caller, query: str, k: int, filters: Filters | None = None) -> list[Hit]:
        self.follow_published_build()
        snapshot = self.pipeline.snapshot()
        return self.pipeline.search(
            query, k, filters=filters, visible_documents=self.visible(caller, snapshot), snapshot=snapshot
        )

    # --- documents and figures -------------------------------------------------------------
    def documents(self, caller: Caller) -> list[tuple[Document, int]]:
        """The documents the caller may see, with their number of passages."""
        self.follow_published_build()
        snapshot = self.pipeline.snapshot()
        counts: dict[str, int] = {}
        for c in snapshot.chunks:
            counts[c.document] = counts.get(c.document, 0) + 1
        return [(d, counts.get(d.id, 0)) for d in snapshot.documents.values() if caller.may_see(d)]

    def document(self, caller: Caller, document_id: str) -> Document:
        doc = self.pipeline.snapshot().documents.get(document_id)
        if doc is None or not caller.may_see(doc):
            raise NotFoundError(f"Không có tài liệu '{document_id}'.", hint="Xem danh sách: GET /api/v1/documents")
        return doc

    def figures(
        self, caller: Caller, q: str | None, year: int | None, documents: Iterable[str] | None, limit: int
    ) -> tuple[list[FigureRow], int]:
        """Figures of the visible documents whose indicator (or sentence) holds every word of ``q``."""
        self.follow_published_build()
        snapshot = self.pipeline.snapshot()
        view = snapshot.view(self.visible(caller, snapshot))
        wanted = set(words(q or ""))
        only = set(documents or [])
        rows: list[FigureRow] = []
        for chunk in view.chunks:
            if only and chunk.document not in only:
                continue
            document = view.documents[chunk.document]
            for f in view.figures.get(chunk.id, []):
                period = _period(f, chunk.years, document)
                if year is not None and period != year:
                    continue
                if wanted and not wanted <= set(words(f"{f.get('indicator', '')} {f.get('sentence', '')}")):
                    continue
                rows.append(FigureRow(f, document, period))
        rows.sort(key=lambda r: (r.year or 0, r.document.id, r.figure["start"]))
        return rows[:limit], len(rows)

    def calculate(self, expression: str):
        return calculate(expression)

    # --- feedback --------------------------------------------------------------------------
    def feedback(self, caller: Caller, answer_id: str, rating: int, comment: str) -> int:
        with self._answers_lock:
            remembered = self._answers.get(answer_id)
        question, text = remembered if remembered else (None, None)
        return self.state.add_feedback(answer_id, rating, comment, question, text, caller.key_id)
