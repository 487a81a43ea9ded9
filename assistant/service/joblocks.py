"""Which indexing job is alive: a job holds an advisory lock (``fcntl.flock``) on
``state/jobs/<id>.lock`` while its upload is staged and while it runs.

The kernel drops the lock when its holder dies, SIGKILL included. So a server starting after a
crash tells a job left ``running`` by a killed process (its lock is free: run it again) from one
another worker process is running (its lock is held: leave it), and the staging folder of an
upload killed while it was received (free: remove it) from one being received now (held).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class JobLock:
    def __init__(self, directory: Path, job_id: str) -> None:
        self.path = Path(directory) / f"{job_id}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when a live process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            try:
                if os.stat(self.path).st_ino == os.fstat(fd).st_ino:
                    self._fd = fd
                    return True
            except FileNotFoundError:
                pass
            os.close(fd)  # the holder removed the file meanwhile: lock the one there now

    def release(self) -> None:
        """Remove the lock file (the job is over, or was never more than a dead upload) and unlock."""
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None
