"""Answers already given on a build, kept to be given again.

The default answerer is deterministic: the same question, asked of the same build by a caller
who sees the same documents through the same filters, gets the same passages and the same
answer. A snapshot keeps the last ones it gave (a bounded LRU), so a question asked again —
by another official, by a portal polling it, by the chat after a reload — costs a lookup
instead of a retrieval and an answer. The cache belongs to one snapshot: a new build starts
with its own, filled only with answers computed on it (``Pipeline.warm``), and a caller's visible
documents are part of the key, so no answer read from a restricted document reaches a caller
outside its groups.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from assistant.models import Answer, Hit


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

    def __init__(self, size: int, lookups: Lookups | None = None) -> None:
        self.size = max(0, size)
        self.lookups = lookups if lookups is not None else Lookups()
        self.hits = 0  # this build's own
        self.misses = 0
        self._items: OrderedDict[Hashable, tuple[list[Hit], Answer]] = OrderedDict()
        self._lock = threading.Lock()

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
                self.hits += 1
            else:
                self.misses += 1
        self.lookups.count(kept is not None)
        if kept is None:
            return None
        hits, answer = kept
        return list(hits), answer.model_copy(deep=True)

    def recent(self) -> list[Hashable]:
        """The keys kept, the most recently used first."""
        with self._lock:
            return list(reversed(self._items))

    def put(self, key: Hashable, hits: list[Hit], answer: Answer) -> None:
        """Keep a copy of ``answer`` (the caller may change its own) with its passages."""
        if not self.size:
            return
        kept = (list(hits), answer.model_copy(deep=True))
        with self._lock:
            self._items[key] = kept
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
