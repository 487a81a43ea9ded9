"""A build in a child process at a lower CPU priority: what the server runs for an upload or a
delete, so that the build never holds the GIL its requests wait for and the scheduler serves
questions first.

    report = build_in_child(settings, niceness=10, on_progress=print)

The parent writes the settings (JSON) to the child's stdin; the child answers with JSON lines on
stdout: ``{"progress": f}`` while it embeds, then ``{"report": {...}}`` or ``{"error": {...}}``.
An :class:`~assistant.errors.AssistantError` raised in the child is raised again in the parent
with its class, message and hint; anything else becomes a ``BuildFailedError`` naming the last
lines the child wrote to stderr. The build itself is :func:`~assistant.indexing.builder.build_index`
with ``wait=True``: crash-safe and one at a time, whichever process runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import asdict

from assistant import errors
from assistant.errors import AssistantError
from assistant.indexing.builder import BuildReport
from assistant.settings import Settings

#: Lines of the child's stderr kept for the error message of a build that crashed.
STDERR_TAIL = 20


class BuildFailedError(AssistantError):
    """The build process ended without a report (killed, out of memory, a bug)."""

    status_code = 500


def build_in_child(
    settings: Settings,
    *,
    niceness: int = 10,
    on_progress: Callable[[float], None] | None = None,
    timeout: float | None = None,
) -> BuildReport:
    """Run one build of ``settings``' index in ``python -m assistant.indexing.child``, ``niceness``
    steps below this process's priority, and return its report."""
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.indexing.child", str(max(0, niceness))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    tail: deque[str] = deque(maxlen=STDERR_TAIL)
    reader = threading.Thread(target=lambda: tail.extend(process.stderr), daemon=True)
    reader.start()
    result: dict | None = None
    try:
        process.stdin.write(settings.model_dump_json())
        process.stdin.close()
        for line in process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue  # a library printed something: not ours
            if "progress" in message and on_progress is not None:
                on_progress(float(message["progress"]))
            elif "report" in message or "error" in message:
                result = message
        process.wait(timeout=timeout)
    except BaseException:
        process.kill()
        process.wait()
        raise
    reader.join(timeout=5)
    if result is not None and "report" in result:
        return BuildReport(**result["report"])
    if result is not None:
        raise _error(result["error"])
    last = "".join(tail).strip().splitlines()[-1:] or [f"mã thoát {process.returncode}"]
    raise BuildFailedError(
        f"Tiến trình lập chỉ mục dừng giữa chừng ({last[0][:300]}).",
        hint="Chỉ mục cũ vẫn được dùng; hãy xem nhật ký máy chủ rồi thử lại.",
    )


def _error(payload: dict) -> AssistantError:
    cls = getattr(errors, payload.get("class", ""), None)
    if not (isinstance(cls, type) and issubclass(cls, AssistantError)):
        cls = BuildFailedError
    return cls(payload.get("message", "Lập chỉ mục thất bại."), hint=payload.get("hint"))


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """The child: read the settings from stdin, lower its priority, build, report."""
    argv = sys.argv[1:] if argv is None else argv
    niceness = int(argv[0]) if argv else 0
    if niceness:
        os.nice(niceness)
    settings = Settings.model_validate_json(sys.stdin.read())
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    try:
        report = build_index(
            settings,
            make_embedder(settings),
            progress=False,
            log=lambda m: None,
            on_progress=lambda f: _emit({"progress": f}),
            wait=True,
        )
    except AssistantError as exc:
        _emit({"error": {"class": type(exc).__name__, "message": exc.message, "hint": exc.hint}})
        return 1
    report.pid, report.niceness = os.getpid(), os.nice(0)
    _emit({"report": asdict(report)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
