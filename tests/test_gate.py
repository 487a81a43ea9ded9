"""The pipeline's gate (assistant.gate) with real threads: how many are inside, in what order they
enter, re-entry, and stepping out for a wait."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.gate import Gate, released


class Watch:
    """Records how many threads are inside at once and the order they entered."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.inside = self.most = 0
        self.order: list[int] = []

    def work(self, gate: Gate, i: int, seconds: float = 0.15) -> None:
        with gate:
            with self.lock:
                self.inside += 1
                self.most = max(self.most, self.inside)
                self.order.append(i)
            time.sleep(seconds)
            with self.lock:
                self.inside -= 1


def _arrive_in_order(gate: Gate, watch: Watch, n: int) -> None:
    threads = []
    for i in range(n):
        t = threading.Thread(target=watch.work, args=(gate, i))
        t.start()
        threads.append(t)
        time.sleep(0.02)  # arrive one after another
    for t in threads:
        t.join(10)


@pytest.mark.parametrize("places", [1, 2, 3])
def test_at_most_its_places_inside_first_come_first_served(places):
    gate, watch = Gate(places), Watch()
    _arrive_in_order(gate, watch, 7)
    assert watch.most == places and watch.order == list(range(7))
    assert gate.waiting == 0 and gate._free == places


def test_a_place_goes_to_the_first_in_the_queue_not_to_whoever_asks_next():
    """A plain semaphore lets the thread that leaves take its place straight back; the gate hands
    it to the thread that was waiting."""
    gate, order = Gate(1), []

    def waiter():
        with gate:
            order.append("B")

    gate.__enter__()
    b = threading.Thread(target=waiter)
    b.start()
    time.sleep(0.1)  # B is queued
    gate.__exit__(None, None, None)
    with gate:
        order.append("A again")
    b.join(5)
    assert order == ["B", "A again"]


def _within(seconds: float, work) -> None:
    """Runs ``work`` on a thread and fails (instead of hanging) if it has not ended in time."""
    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), "the gate blocked"


def test_a_thread_inside_enters_again_without_waiting_and_leaves_once():
    gate = Gate(1)

    def work():
        with gate:
            with gate:  # would wait for itself forever if it were not re-entrant
                assert gate._free == 0
            assert gate._free == 0  # still inside
        assert gate._free == 1

    _within(2, work)


def test_two_gates_nest():
    outer, inner = Gate(1), Gate(1)
    with outer, inner:
        assert (outer._free, inner._free) == (0, 0)
    assert (outer._free, inner._free) == (1, 1)


def test_a_thread_waiting_on_the_network_steps_out_and_queues_again():
    """While the first thread waits "for an LLM" (released), the second computes; the first then
    waits its turn behind the second and leaves the gate as it found it."""
    gate, events = Gate(1), []

    def slow_reply():
        with gate:
            events.append("first computes")
            with released():
                assert gate._free == 1  # its place is free while it waits
                time.sleep(0.3)
            events.append("first back")
            with gate:  # still counted as inside: re-entry does not wait
                pass

    first = threading.Thread(target=slow_reply)
    first.start()
    time.sleep(0.05)
    started = time.perf_counter()
    with gate:
        events.append("second computes")
        waited = time.perf_counter() - started
        time.sleep(0.1)
    first.join(5)
    assert waited < 0.2  # not behind the 0.3 s wait
    assert events == ["first computes", "second computes", "first back"]
    assert gate._free == 1 and gate.waiting == 0


def test_back_from_a_wait_a_thread_goes_before_those_that_came_meanwhile():
    """A thread back from the network had arrived first: it queues at the front."""
    gate, order = Gate(1), []
    back = threading.Event()

    def llm_question():
        with gate:
            with released():
                back.wait(5)
            order.append("LLM question")

    def later(name):
        with gate:
            order.append(name)
            time.sleep(0.1)

    first = threading.Thread(target=llm_question)
    first.start()
    time.sleep(0.05)
    holder = threading.Thread(target=later, args=("holder",))
    holder.start()
    time.sleep(0.02)  # the holder is inside; now one more queues, then the LLM's reply arrives
    queued = threading.Thread(target=later, args=("queued",))
    queued.start()
    time.sleep(0.03)  # queued
    back.set()
    for t in (first, holder, queued):
        t.join(5)
    assert order == ["holder", "LLM question", "queued"]


def test_released_outside_a_gate_does_nothing():
    with released():
        pass


def test_a_gate_needs_a_place():
    with pytest.raises(ValueError):
        Gate(0)
