"""One writer per index directory: an advisory lock (``fcntl.flock``) on ``<index>/.build.lock``.

The kernel drops the lock when its holder exits, however it exits (SIGKILL included), so a killed
build never leaves the index locked. The holder writes its process id and start time into the file,
only to tell a second build who it is waiting for.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import IndexBusyError

LOCK_NAME = ".build.lock"


@contextmanager
def build_lock(index_dir: Path, *, wait: bool = False, poll_s: float = 0.2) -> Iterator[None]:
    """Hold the index's build lock for the ``with`` block.

    With ``wait=False`` a lock held by another build raises :class:`IndexBusyError` at once;
    with ``wait=True`` this waits until the other build ends.
    """
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    raise _busy(path) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _busy(path: Path) -> IndexBusyError:
    try:
        pid, _, since = path.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        pid, since = "", ""
    who = f" (tiến trình {pid}, bắt đầu lúc {since})" if pid.isdigit() and since else ""
    return IndexBusyError(
        f"Một lần xây chỉ mục khác đang chạy trên {path.parent}{who}; không thể có hai lần xây cùng lúc.",
        hint="Hãy chờ lần xây đó xong rồi chạy lại: assistant index (hoặc dùng assistant index --wait để tự chờ).",
    )
