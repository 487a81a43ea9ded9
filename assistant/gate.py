"""A turnstile for the work that needs the interpreter: at most N threads of a process compute at
once, the others wait in order of arrival without holding it.

Python runs one thread at a time: with 40 requests computing together each takes as long as all
of them. The pipeline passes every search and every answer through one :class:`Gate`
(``settings.request_threads`` places); a thread that waits on the network in the middle of its
work (an LLM's reply) steps out with :func:`released` and queues again after, at the front (it arrived
before those queued meanwhile), so the place goes to a request that computes. Reading an upload, serving health checks and the like never enter it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

_held = threading.local()  # .gates: the gates this thread entered, innermost last (repeats: re-entered)


def _entered() -> list["Gate"]:
    gates = getattr(_held, "gates", None)
    if gates is None:
        gates = _held.gates = []
    return gates


class Gate:
    """At most ``places`` threads inside, first come first served; re-entrant per thread."""

    def __init__(self, places: int) -> None:
        if places < 1:
            raise ValueError("a gate needs at least one place")
        self.places = places
        self._lock = threading.Lock()
        self._free = places
        self._waiting: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """Threads queued at the gate now."""
        return len(self._waiting)

    def __enter__(self) -> "Gate":
        gates = _entered()
        if self not in gates:
            self._enter()
        gates.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gates = _entered()
        gates.reverse()
        gates.remove(self)  # the innermost entry of this gate
        gates.reverse()
        if self not in gates:
            self._leave()

    def _enter(self, front: bool = False) -> None:
        """Take a place, or queue for one (at the front: a thread coming back from ``released``)."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            if front:
                self._waiting.appendleft(turn)
            else:
                self._waiting.append(turn)
        try:
            turn.acquire()  # the thread that leaves hands its place to the first in the queue
        except BaseException:  # interrupted while queued (KeyboardInterrupt): no place may be lost
            with self._lock:
                if turn in self._waiting:
                    self._waiting.remove(turn)
                    raise
            self._leave()  # the place was handed over meanwhile: pass it on
            raise

    def _leave(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1


@contextmanager
def released() -> Iterator[None]:
    """Step out of every gate this thread is in for a wait that needs no interpreter (a reply over
    the network), and queue again after it."""
    gates = _entered()
    held = list(dict.fromkeys(gates))
    saved = gates[:]
    gates.clear()
    for gate in reversed(held):
        gate._leave()
    try:
        yield
    finally:
        entered = []
        try:
            for gate in held:
                gate._enter(front=True)  # it arrived before those queued meanwhile
                entered.append(gate)
        except BaseException:
            for gate in entered:
                gate._leave()
            raise
        gates[:] = saved
