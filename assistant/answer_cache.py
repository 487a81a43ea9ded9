"""Answers already given on a build, kept to be given again.

The default answerer is deterministic: the same question, asked of the same build by a caller
who sees the same documents through the same filters, gets the same passages and the same
answer. A snapshot keeps the last ones it gave (a bounded LRU), so a question asked again —
by another official, by a portal polling it, by the chat after a reload — costs a lookup
instead of a retrieval and an answer. The cache belongs to one snapshot: a new build starts
with its own, filled only with answers computed on it (``Pipeline.warm``), and a caller's visible
documents are part of the key, so no answer read from a restricted document reaches a caller
outside its groups. With a shared store (``answer_store.py``) a miss looks there before the
answer is computed, and what is computed is stored for the other workers.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable

from assistant.answer_store import TOUCH_SECONDS, AnswerStore, stored_question
from assistant.models import Answer, Chunk, Hit


class Lookups:
    """Hits and misses of the answer caches of one process, every build's (thread-safe)."""

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def count(self, hit: bool) -> None:
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def read(self) -> tuple[int, int]:
        with self._lock:
            return self.hits, self.misses


class AnswerCache:
    """``key → (passages, answer)``, the ``size`` most recently used; thread-safe. Size 0: off.
    Lookups are counted in ``lookups`` (shared by the builds a process loads)."""

    def __init__(
        self,
        size: int,
        lookups: Lookups | None = None,
        store: AnswerStore | None = None,
        build: str = "",
        chunks: dict[str, Chunk] | None = None,
    ) -> None:
        self.size = max(0, size)
        self.lookups = lookups if lookups is not None else Lookups()
        self.hits = 0  # this build's own
        self.misses = 0
        self._items: OrderedDict[Hashable, tuple[list[Hit], Answer]] = OrderedDict()
        self._lock = threading.Lock()
        #: The shared store, this cache's build and its chunks by id (to rebuild stored passages).
        self.store = store if self.size else None
        self.build = build
        self._chunks = chunks or {}
        self._touched: dict[Hashable, float] = {}  # when a hit was last marked in the store

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> tuple[list[Hit], Answer] | None:
        """The passages and a fresh copy of the answer kept for ``key`` (None: not kept)."""
        if not self.size:
            return None
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                self._items.move_to_end(key)
        if kept is None:
            kept = self._shared(key, touch=True)
        elif self.store is not None:
            self._touch(key)
        with self._lock:
            if kept is not None:
                self.hits += 1
            else:
                self.misses += 1
        self.lookups.count(kept is not None)
        if kept is None:
            return None
        hits, answer = kept
        return list(hits), answer.model_copy(deep=True)

    def holds(self, key: Hashable) -> bool:
        """Whether an answer for ``key`` is kept here or in the shared store (then kept here too);
        not counted as a lookup."""
        if not self.size:
            return False
        with self._lock:
            if key in self._items:
                return True
        return self._shared(key, touch=False) is not None

    def _shared(self, key: Hashable, touch: bool) -> tuple[list[Hit], Answer] | None:
        """What the shared store holds for ``key`` on this build, kept here from now on; ``touch``:
        the question is being asked (what a new build's process prepares is what is asked now)."""
        question = stored_question(key) if self.store is not None else None
        found = self.store.get(self.build, question, self._chunks) if question is not None else None
        if found is not None:
            self._keep(key, *found)
            if touch:
                self._touch(key)
        return found

    def _touch(self, key: Hashable) -> None:
        """Tell the store ``key`` was asked again (at most every ``TOUCH_SECONDS``): what a new
        build's process prepares is what is being asked now."""
        now = time.monotonic()
        with self._lock:
            if now - self._touched.get(key, -TOUCH_SECONDS) < TOUCH_SECONDS:
                return
            if len(self._touched) > 4 * self.size:
                self._touched.clear()
            self._touched[key] = now
        question = stored_question(key)
        if question is not None:
            self.store.touch(self.build, question)

    def recent(self) -> list[Hashable]:
        """The keys kept, the most recently used first."""
        with self._lock:
            return list(reversed(self._items))

    def put(self, key: Hashable, hits: list[Hit], answer: Answer, share: bool = True) -> None:
        """Keep a copy of ``answer`` (the caller may change its own) with its passages; ``share``:
        and store it for the other processes, as just asked."""
        if not self.size:
            return
        self._keep(key, list(hits), answer.model_copy(deep=True))
        question = stored_question(key) if self.store is not None and share else None
        if question is not None:
            self.store.put(self.build, question, hits, answer)

    def _keep(self, key: Hashable, hits: list[Hit], answer: Answer) -> None:
        kept = (hits, answer)
        with self._lock:
            self._items[key] = kept
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
