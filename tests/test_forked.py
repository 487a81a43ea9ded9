"""A forked child's work: its result comes back; its failure or death is reported, never lost."""

from __future__ import annotations

import os
import signal
import time

import pytest

from assistant.training.forked import can_fork, in_child

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs os.fork")


def test_the_child_s_result_comes_back_larger_than_a_pipe_holds():
    rows = {i: "dòng " * 50 for i in range(5000)}  # ~1 MB pickled: more than a pipe's buffer
    wait = in_child(lambda: {k: v.upper() for k, v in rows.items()})
    assert wait.result() == {k: v.upper() for k, v in rows.items()}


def test_the_child_works_on_its_own_copy():
    data = [1, 2, 3]

    def work():
        data.append(4)
        return len(data)

    assert in_child(work).result() == 4 and data == [1, 2, 3]


def test_a_failure_in_the_child_is_raised_with_its_traceback():
    def work():
        raise ValueError("phần 3 hỏng")

    with pytest.raises(RuntimeError, match="phần 3 hỏng") as raised:
        in_child(work).result()
    assert "ValueError" in str(raised.value)


def test_a_child_killed_before_it_answers_is_reported():
    wait = in_child(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(RuntimeError, match="SIGKILL"):
        wait.result()


def test_a_child_left_behind_by_a_failing_parent_is_killed():
    with pytest.raises(KeyError):
        with in_child(lambda: time.sleep(60)) as child:
            raise KeyError("the parent's own folds failed")
    with pytest.raises(ChildProcessError):  # reaped: no such child any more
        os.waitpid(child.pid, os.WNOHANG)


def test_a_result_that_cannot_be_sent_is_an_error_not_a_half_message():
    with pytest.raises(RuntimeError, match="gặp lỗi") as raised:
        in_child(lambda: lambda: None).result()  # a lambda cannot be pickled
    assert "pickle" in str(raised.value).lower() or "PicklingError" in str(raised.value)


def test_the_child_dies_with_its_parent():
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import os, sys, time
        from assistant.training.forked import in_child
        child = in_child(lambda: time.sleep(60))
        print(child.pid, flush=True)
        os.kill(os.getpid(), 9)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        if state == "Z":  # killed, waiting for its new parent to reap it
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("the child outlived its parent")


def test_room_for_a_child_is_read_from_the_memory_available():
    from assistant.training.forked import room_for_a_child

    assert room_for_a_child(factor=1.0)  # this test process holds far less than the machine has
    assert not room_for_a_child(factor=1e9)
