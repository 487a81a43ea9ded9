"""Background indexing jobs: an uploaded document is parsed before it joins the corpus, then the
index is rebuilt (embeddings of unchanged passages come from the cache) and the new build is
published; a deleted document moves to the trash and the index is rebuilt without it.

Jobs run one at a time on one thread per server process; their status lives in the state store so
that every worker can report it. The build itself runs in a child process ``build_niceness`` steps
below the server's CPU priority (``assistant/indexing/child.py``): it never holds the GIL the
server's requests wait for, and the scheduler serves questions first. An upload that fails to
parse leaves the corpus and the index as they were.

A server killed at any moment (SIGKILL, out of memory) loses nothing: each step is a rename, and
a job holds a lock (``joblocks.py``) the kernel drops when the process dies, so the next start runs
again every job its dead owner left ``running`` (each step of a job can be done twice) and removes
the staging folders of uploads that were still being received. Tested by killing a real server
(tests/test_api_crash.py).
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import yaml

from assistant.errors import AssistantError, ConflictError, NotFoundError, TooLargeError
from assistant.indexing.builder import build_index
from assistant.indexing.child import build_in_child
from assistant.ingest.corpus import load_document
from assistant.ingest.loaders import SIDECAR_SUFFIX
from assistant.service.access import Caller
from assistant.service.joblocks import JobLock
from assistant.service.memory import release_memory
from assistant.service.uploads import document_id

if TYPE_CHECKING:
    from assistant.service.service import Service

_CHUNK = 1 << 20
RESTARTED = "Chạy lại sau khi máy chủ khởi động lại."
PREPARING = "Đã lập chỉ mục; đang chuẩn bị câu trả lời cho các câu hỏi gần đây trên bản mới."


class JobRunner:
    def __init__(self, service: "Service") -> None:
        self.service = service
        self.settings = service.settings
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._build_lock = threading.Lock()

    @property
    def _staging(self) -> Path:
        return self.settings.state_dir / "uploads"

    def _lock(self, job_id: str) -> JobLock:
        return JobLock(self.settings.state_dir / "jobs", job_id)

    def start(self) -> None:
        for job_id in self.recover():
            self._queue.put(job_id)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="assistant-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=60)
            self._thread = None

    def recover(self) -> list[str]:
        """What a killed server left: the jobs to run (queued ones, and running ones whose process
        died, put back in the queue), after removing the staging folders of uploads never queued."""
        state = self.service.state
        for staging in sorted(self._staging.iterdir()) if self._staging.is_dir() else []:
            row = state.job(staging.name)
            if row is not None and row["status"] in ("queued", "running"):
                continue  # staged uploads survive a restart
            lock = self._lock(staging.name)
            if lock.acquire():  # not being received by a live process
                try:
                    shutil.rmtree(staging, ignore_errors=True)
                finally:
                    lock.release()
        locks = self.settings.state_dir / "jobs"
        for path in sorted(locks.glob("*.lock")) if locks.is_dir() else []:
            row = state.job(path.stem)
            lock = self._lock(path.stem)
            if (row is None or row["status"] not in ("queued", "running")) and lock.acquire():
                lock.release()  # a dead upload's lock
        todo = []
        for row in state.unfinished_jobs():
            if row["status"] == "running":
                lock = self._lock(row["id"])
                if not lock.acquire():
                    continue  # another worker process is running it
                try:
                    state.requeue_job(row["id"], RESTARTED)
                finally:
                    lock.release()
            todo.append(row["id"])
        return todo

    def wait_idle(self, timeout: float = 120.0) -> bool:
        """For tests and scripts: True once every queued job has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.05)
        return False

    # --- submitting ------------------------------------------------------------------------
    def upload(self, caller: Caller, filename: str | None, stream: BinaryIO, groups: list[str]) -> str:
        """Store the upload in a staging folder (size-checked), queue its indexing; returns the job id."""
        caller.require_admin()
        doc_id = document_id(filename)
        if (self.settings.documents_dir / doc_id).exists():
            raise ConflictError(
                f"Đã có tài liệu '{doc_id}'.", hint="Hãy xóa tài liệu cũ trước (DELETE) hoặc đổi tên tệp."
            )
        job_id = uuid.uuid4().hex
        lock = self._lock(job_id)
        lock.acquire()  # a new id: only a restarting server's clean-up looks at it, and skips it
        staging = self._staging / job_id
        try:
            staging.mkdir(parents=True)
            limit = self.settings.max_upload_mb * 1024 * 1024
            size = 0
            with (staging / doc_id).open("wb") as out:
                while block := stream.read(_CHUNK):
                    size += len(block)
                    if size > limit:
                        raise TooLargeError(
                            f"Tệp '{doc_id}' vượt giới hạn {self.settings.max_upload_mb} MB.",
                            hint="Hãy chia nhỏ tài liệu hoặc nén lại hình ảnh trong tệp.",
                        )
                    out.write(block)
            if groups:
                sidecar = {"groups": sorted(set(groups))}
                text = yaml.safe_dump(sidecar, allow_unicode=True)
                (staging / f"{doc_id}{SIDECAR_SUFFIX}").write_text(text, "utf-8")
            self.service.state.add_job(job_id, "upload", doc_id, caller.key_id, "Đang chờ lập chỉ mục.")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            lock.release()
        self._queue.put(job_id)
        return job_id

    def delete(self, caller: Caller, doc_id: str) -> str:
        caller.require_admin()
        self.service.document(caller, doc_id)  # 404 unless it is loaded
        if not (self.settings.documents_dir / doc_id).is_file():
            raise NotFoundError(f"Không có tệp '{doc_id}' trong thư mục tài liệu.", hint="Có thể nó vừa bị xóa.")
        job_id = uuid.uuid4().hex
        self.service.state.add_job(job_id, "delete", doc_id, caller.key_id, "Đang chờ xóa.")
        self._queue.put(job_id)
        return job_id

    # --- running ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            job_id = self._queue.get()
            try:
                if job_id is None:
                    return
                self._execute(job_id)
            finally:
                self._queue.task_done()

    def _execute(self, job_id: str) -> None:
        lock = self._lock(job_id)
        if not lock.acquire():
            return  # another worker runs it
        try:
            if self.service.state.claim_job(job_id):
                self._run_claimed(job_id)
        finally:
            shutil.rmtree(self._staging / job_id, ignore_errors=True)
            lock.release()
            release_memory()  # the old snapshot and the build's arrays (see assistant/service/memory.py)

    def _run_claimed(self, job_id: str) -> None:
        state = self.service.state
        row = state.job(job_id)
        state.update_job(job_id, progress=0.05, message="Đang đọc tài liệu.")
        try:
            with self._build_lock:
                if row["kind"] == "upload":
                    self._add(job_id, row["document"])
                else:
                    self._remove(row["document"])
                state.update_job(job_id, progress=0.2, message="Đang lập chỉ mục.")
                self._build(
                    lambda f: state.update_job(job_id, progress=0.2 + 0.7 * f),
                    lambda: state.update_job(job_id, progress=0.95, message=PREPARING),
                )
                self.service.reload()
        except AssistantError as exc:
            state.update_job(job_id, status="failed", message=str(exc))
        except Exception as exc:  # noqa: BLE001 - a job never takes the server down
            state.update_job(job_id, status="failed", message=f"Lỗi khi lập chỉ mục: {type(exc).__name__}.")
        else:
            done = "Đã thêm vào chỉ mục." if row["kind"] == "upload" else "Đã xóa khỏi chỉ mục."
            state.update_job(job_id, status="done", progress=1.0, message=done)

    def _build(self, on_progress, on_built) -> None:
        """Bring the index up to date: in a child process at a lower CPU priority when it can make
        the same embedder (a real server), else here (an embedder handed in, as tests do)."""
        pipeline = self.service.pipeline
        if pipeline.embedder_from_settings:
            build_in_child(
                self.settings, niceness=self.settings.build_niceness, on_progress=on_progress, on_built=on_built
            )
        else:
            build_index(
                self.settings,
                pipeline.embedder,
                progress=False,
                log=lambda m: None,
                on_progress=on_progress,
                wait=True,  # another build (a command-line one) finishes first
            )

    def _add(self, job_id: str, doc_id: str) -> None:
        """Move the staged file (and its groups) into the corpus; done again after a crash, it
        finishes what is left."""
        staging = self._staging / job_id
        staged = staging / doc_id
        target = self.settings.documents_dir / doc_id
        sidecar = Path(f"{target}{SIDECAR_SUFFIX}")
        if not staged.exists() and target.exists():
            return  # moved in before a restart: only the build is left to do
        load_document(staged)  # parse first: a file that cannot be read never joins the corpus
        if target.exists():
            raise ConflictError(f"Đã có tài liệu '{doc_id}'.", hint="Hãy xóa tài liệu cũ trước hoặc đổi tên tệp.")
        # The groups go in before the document (a document never shows up without its groups; they
        # are copied, so that a job done again still has them), and an old sidecar left by a
        # document deleted half-way never restricts a new upload.
        staged_sidecar = staging / f"{doc_id}{SIDECAR_SUFFIX}"
        if staged_sidecar.is_file():
            _put(staged_sidecar, sidecar, job_id, keep=True)
        elif sidecar.is_file():
            self._to_trash(sidecar)
        _put(staged, target, job_id)

    def _remove(self, doc_id: str) -> None:
        """Move the document, then its groups, to the trash (a document never stays without its
        groups); done again after a crash, the file is already gone and only the build is left."""
        source = self.settings.documents_dir / doc_id
        sidecar = Path(f"{source}{SIDECAR_SUFFIX}")
        if source.is_file():
            self._to_trash(source)
        if sidecar.is_file():
            self._to_trash(sidecar)

    def _to_trash(self, path: Path) -> None:
        trash = self.settings.state_dir / "trash" / time.strftime("%Y%m%dT%H%M%S")
        trash.mkdir(parents=True, exist_ok=True)
        shutil.move(path, trash / path.name)


def _put(source: Path, target: Path, job_id: str, *, keep: bool = False) -> None:
    """Put ``source`` (moved, or copied with ``keep``) at ``target`` whole or not at all: a rename,
    or a copy under a hidden name (never read as a document) renamed at the end."""
    if not keep:
        try:
            os.replace(source, target)
            return
        except OSError:
            pass  # another file system
    part = target.parent / f".{job_id}.{target.name}.part"
    shutil.copyfile(source, part)
    os.replace(part, target)
    if not keep:
        source.unlink()
