"""A build in a child process at a lower CPU priority: what the server runs for an upload or a
delete, so that the build never holds the GIL its requests wait for and the scheduler serves
questions first.

    report = build_in_child(settings, niceness=10, on_progress=print)

The parent writes the settings (one JSON line) to the child's stdin and keeps it open: the child
ends when it closes (the server died or stopped), so a build never outlives its server. The child
answers on a descriptor of its own (``--report-fd``; its stdout goes to its stderr, so nothing a
library prints can garble the protocol) with JSON lines: ``{"progress": f}`` while it embeds, then
``{"report": {...}}`` or ``{"error": {...}}``; after a build, when ``prefill_seconds`` allows it, it
answers on it the questions last answered on the build it replaced (``Pipeline.prefill``) and says
how many (``{"prefilled": n}``, 0 when off) before it ends: the server swaps the build in once the child has ended, and a child that dies
while preparing has still made its build. An :class:`~assistant.errors.AssistantError` raised
in the child is raised again in the parent with its class, message and hint; a child that ends
without a report is a :class:`~assistant.errors.BuildFailedError` naming its exit code or signal
and its last line, logged with the last lines of its stderr. The build itself is
:func:`~assistant.indexing.builder.build_index` with ``wait=True``: crash-safe and one at a time,
whichever process runs it.

This module imports nothing heavy at the top: the child lowers its priority before numpy and the
embedder start their threads (on Linux a thread's niceness is its own, inherited by the threads it
starts).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant import errors
from assistant.errors import AssistantError, BuildFailedError
from assistant.settings import Settings

#: The module a build runs in (``python -m``): how a build's process is told from a server's.
MODULE = "assistant.indexing.child"

if TYPE_CHECKING:
    from assistant.indexing.builder import BuildReport

log = logging.getLogger("assistant.service")

#: Lines of the child's stderr kept for the log of a build that crashed.
STDERR_TAIL = 40
#: Settings the build does not need are not handed to it.
NOT_PASSED = {"api_keys", "llm_api_key"}
_HINT = (
    "Chỉ mục đang phục vụ không bị hỏng. Hãy xem nhật ký máy chủ, rồi chạy lại: assistant index "
    "(tài liệu đã tải lên vẫn nằm trong thư mục tài liệu)."
)


def build_in_child(
    settings: Settings,
    *,
    niceness: int = 10,
    on_progress: Callable[[float], None] | None = None,
    on_built: Callable[[], None] | None = None,
) -> "BuildReport":
    """Run one build of ``settings``' index in ``python -m assistant.indexing.child``, ``niceness``
    steps below this process's priority, and return its report once the child has ended (after
    preparing answers on the new build). ``on_built`` hears that the build itself is made."""
    from assistant.indexing.builder import BuildReport

    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(
            # -P: the package as installed, never a same-named file in the server's directory
            [
                sys.executable,
                "-P",
                "-m",
                MODULE,
                "--report-fd",
                str(write_fd),
                str(max(0, niceness)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(write_fd,),
        )
    except OSError as exc:
        os.close(read_fd)
        raise BuildFailedError(
            f"Không khởi động được tiến trình lập chỉ mục ({exc.strerror or type(exc).__name__}).",
            hint="Hãy kiểm tra bộ nhớ và môi trường Python của máy chủ, rồi chạy lại: assistant index",
        ) from exc
    finally:
        os.close(write_fd)
    tail: deque[str] = deque(maxlen=STDERR_TAIL)
    reader = threading.Thread(target=_drain, args=(process.stderr, tail), daemon=True)
    reader.start()
    result: dict | None = None
    prepared = False
    try:
        process.stdin.write(settings.model_dump_json(exclude=NOT_PASSED).encode() + b"\n")
        process.stdin.flush()  # stdin stays open: its end tells the child this server is gone
        with os.fdopen(read_fd, "rb") as channel:
            for line in channel:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(message, dict):
                    continue
                if "progress" in message and on_progress is not None:
                    on_progress(float(message["progress"]))
                elif "report" in message or "error" in message:
                    result = message
                    if "report" in message and on_built is not None:
                        on_built()
                elif "prefilled" in message and result is not None and isinstance(result.get("report"), dict):
                    result["report"]["prefilled"] = message["prefilled"]
                    prepared = True
        process.stdin.close()
        process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    reader.join(timeout=5)
    if result is not None and isinstance(result.get("report"), dict):
        if result["report"].get("status") == "built" and not prepared:
            log.warning(
                "index build process %s ended (exit %s) after its build, while preparing answers on it",
                process.pid,
                process.returncode,
            )
        return BuildReport(**result["report"])
    if result is not None and isinstance(result.get("error"), dict):
        raise _error(result["error"])
    code = process.returncode
    how = f"tín hiệu {signal.Signals(-code).name}" if code < 0 else f"mã thoát {code}"
    last = next((x for x in reversed(tail) if x.strip()), "").strip()
    log.error(
        "index build process %s ended without a report (%s); its last lines:\n%s", process.pid, how, "".join(tail)
    )
    raise BuildFailedError(
        f"Tiến trình lập chỉ mục dừng giữa chừng ({how}{': ' + last[:300] if last else ''}).", hint=_HINT
    )


def _drain(stream, tail: deque[str]) -> None:
    """Read the child's stderr to its end (whatever its bytes), keeping the last lines."""
    for raw in stream:
        tail.append(raw.decode("utf-8", errors="backslashreplace"))


def _error(payload: dict) -> AssistantError:
    cls = getattr(errors, str(payload.get("class", "")), None)
    message, hint = str(payload.get("message") or "Lập chỉ mục thất bại."), payload.get("hint")
    if isinstance(cls, type) and issubclass(cls, AssistantError):
        try:
            return cls(message, hint=hint)
        except TypeError:  # a class that needs more than a message and a hint
            pass
    return BuildFailedError(message, hint=hint or _HINT)


def _read_line(fd: int) -> bytes:
    """One line from ``fd``, read unbuffered (nothing past it is taken from the descriptor)."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data


def _end_with_parent(fd: int) -> None:
    """Exit as soon as the parent closes our stdin or dies (a build never outlives its server)."""
    while os.read(fd, 4096):
        pass
    os._exit(1)


def _prefill(settings: Settings, embedder, build: str, replaced: str) -> int:
    """Answer on ``build`` (just made) the questions last answered on ``replaced`` before the server
    swaps it in (``Pipeline.prefill``); a failure only costs time, never the build."""
    from assistant.pipeline import Pipeline
    from assistant.retrieval.query_vectors import SharedQueryVectors

    if settings.prefill_seconds <= 0 or not settings.answer_cache_size or not replaced:
        return 0
    try:
        # The pipeline is light to make; prefill marks the build before it loads it.
        shared = SharedQueryVectors(embedder, settings.query_store)
        return Pipeline(settings, shared, answer_store=settings.answer_store).prefill(replaced, build)
    except Exception:  # noqa: BLE001
        log.warning("answering the last questions on the new build failed", exc_info=True)
        return 0


def main(argv: list[str] | None = None) -> int:
    """The child: lower its priority, read the settings, build, report."""
    argv = sys.argv[1:] if argv is None else argv
    report_fd = int(argv[argv.index("--report-fd") + 1])
    niceness = int(argv[-1])
    if niceness:
        os.nice(niceness)  # before numpy and the embedder start their threads
    channel = os.fdopen(report_fd, "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # what libraries print goes to stderr, never into the protocol
    settings = Settings.model_validate_json(_read_line(0))
    threading.Thread(target=_end_with_parent, args=(0,), daemon=True).start()

    def emit(message: dict) -> None:
        channel.write(json.dumps(message, ensure_ascii=False) + "\n")

    from dataclasses import asdict

    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    try:
        embedder = make_embedder(settings)
        report = build_index(
            settings,
            embedder,
            progress=False,
            log=lambda m: None,
            on_progress=lambda f: emit({"progress": f}),
            wait=True,
        )
    except AssistantError as exc:
        emit({"error": {"class": type(exc).__name__, "message": exc.message, "hint": exc.hint}})
        return 1
    report.pid, report.niceness = os.getpid(), os.nice(0)
    emit({"report": asdict(report)})  # the build is done whatever happens to what follows
    if report.status == "built":
        emit({"prefilled": _prefill(settings, embedder, report.build, report.previous)})
    channel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
