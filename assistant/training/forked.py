"""Work run in a forked child process while the parent goes on (POSIX only).

Training reads every question once (minutes, gigabytes) and then fits models fold after fold, mostly
in Python on one core. A forked child shares that reading copy-on-write and fits some of the folds
on the other core; what it sends back (outcomes: gold questions, answers, scores) is small. The
result crosses the pipe pickled: our own objects between our own two processes, never stored.
"""

from __future__ import annotations

import os
import pickle
import signal
import traceback
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return hasattr(os, "fork")


def _kib(path: str, field: str) -> int | None:
    try:
        for line in open(path, encoding="ascii"):
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def room_for_a_child(factor: float = 2.0) -> bool:
    """Whether the memory available holds ``factor`` times this process's resident memory: a child
    that rewrites what it shares copies it (training: the parent's 7.3 GB after reading grew to
    10.8 GB in each process while fitting). True where it cannot be told (no /proc)."""
    available, resident = _kib("/proc/meminfo", "MemAvailable"), _kib("/proc/self/status", "VmRSS")
    return available is None or resident is None or available >= factor * resident


def _one_native_thread() -> None:
    """OpenMP runtimes are not fork-safe: a child that starts a parallel region on the thread team its
    parent had started waits forever (scikit-learn's trees did, in a test). With one thread a region
    runs on the calling thread and never touches that team. (BLAS pools are left as they are: the
    classifier's sums then round as in the parent.)"""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # no native thread pools loaded through it: nothing to limit
        return
    threadpool_limits(limits=1, user_api="openmp")


def _end_with(parent: int) -> None:
    """Have the kernel kill this child when its parent dies (Linux), so a parent killed outright
    (SIGKILL, the OOM killer) leaves no child fitting folds for an hour with gigabytes of memory."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's context manager still kills it
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


class Child(Generic[T]):
    """A forked child doing ``work``. ``result()`` waits for it and gives what it returned (or
    raises, with the child's traceback, when it failed or died). Used as a context manager, a child
    whose result was never collected (the parent failed meanwhile) is killed on the way out, so no
    orphan goes on holding its copy of the parent's memory."""

    def __init__(self, work: Callable[[], T]) -> None:
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: do the work, send the result, leave without the parent's exit code
            os.close(read_end)
            code = 0
            try:
                _end_with(parent)
                _one_native_thread()
                data = pickle.dumps(("ok", work()), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:  # noqa: BLE001 — everything goes back to the parent
                data, code = pickle.dumps(("error", traceback.format_exc())), 1
            try:
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid, self._read_end, self._done = pid, read_end, False

    def result(self) -> T:
        read_end, self._read_end = self._read_end, None
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()  # before waiting: a child blocks on a full pipe until it is read
            _, status = os.waitpid(self.pid, 0)
        finally:
            self._done = True
        code = os.waitstatus_to_exitcode(status)
        if code < 0 or not data:  # killed (the kernel's OOM killer sends SIGKILL), or silent
            how = f"tín hiệu {signal.Signals(-code).name}" if code < 0 else f"mã {code}"
            raise RuntimeError(
                f"Tiến trình con {self.pid} dừng ({how}) mà không gửi đủ kết quả; có thể hết bộ nhớ: "
                "chạy lại với --workers 1."
            )
        kind, value = pickle.loads(data)  # noqa: S301 — written by our own child just above
        if kind != "ok":
            raise RuntimeError(f"Tiến trình con {self.pid} gặp lỗi:\n{value}")
        return value

    def stop(self) -> None:
        """Kill the child if its result was not collected (a no-op after ``result()``)."""
        if not self._done:
            self._done = True
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None

    def __enter__(self) -> Child[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def in_child(work: Callable[[], T]) -> Child[T]:
    """Start ``work`` in a forked child (see :class:`Child`)."""
    return Child(work)
