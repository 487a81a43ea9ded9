"""Background indexing jobs: an uploaded document is parsed before it joins the corpus, then the
index is rebuilt (embeddings of unchanged passages come from the cache) and the new build is
published; a deleted document moves to the trash and the index is rebuilt without it.

Jobs run one at a time on one thread per server process; their status lives in the state store so
that every worker can report it. An upload that fails to parse leaves the corpus and the index as
they were.
"""

from __future__ import annotations

import queue
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import yaml

from assistant.errors import AssistantError, ConflictError, DocumentError, NotFoundError, TooLargeError
from assistant.indexing.builder import build_index
from assistant.ingest.corpus import load_document
from assistant.ingest.loaders import SIDECAR_SUFFIX
from assistant.service.access import Caller
from assistant.service.uploads import document_id

if TYPE_CHECKING:
    from assistant.service.service import Service

_CHUNK = 1 << 20
#: A job still "running" this long after its last progress belonged to a process that died.
STALE_SECONDS = 600


class JobRunner:
    def __init__(self, service: "Service") -> None:
        self.service = service
        self.settings = service.settings
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._build_lock = threading.Lock()

    def start(self) -> None:
        state = self.service.state
        state.requeue_stale_jobs(older_than=STALE_SECONDS)
        for row in state.unfinished_jobs():  # staged uploads survive a restart
            if row["status"] == "queued":
                self._queue.put(row["id"])
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="assistant-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=60)
            self._thread = None

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
        staging = self.settings.state_dir / "uploads" / job_id
        staging.mkdir(parents=True)
        limit = self.settings.max_upload_mb * 1024 * 1024
        size = 0
        try:
            with (staging / doc_id).open("wb") as out:
                while block := stream.read(_CHUNK):
                    size += len(block)
                    if size > limit:
                        raise TooLargeError(
                            f"Tệp '{doc_id}' vượt giới hạn {self.settings.max_upload_mb} MB.",
                            hint="Hãy chia nhỏ tài liệu hoặc nén lại hình ảnh trong tệp.",
                        )
                    out.write(block)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if groups:
            sidecar = {"groups": sorted(set(groups))}
            (staging / f"{doc_id}{SIDECAR_SUFFIX}").write_text(yaml.safe_dump(sidecar, allow_unicode=True), "utf-8")
        self.service.state.add_job(job_id, "upload", doc_id, caller.key_id, "Đang chờ lập chỉ mục.")
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
        state = self.service.state
        if not state.claim_job(job_id):
            return  # another worker runs it
        row = state.job(job_id)
        state.update_job(job_id, progress=0.05, message="Đang đọc tài liệu.")
        try:
            with self._build_lock:
                if row["kind"] == "upload":
                    self._add(job_id, row["document"])
                else:
                    self._remove(row["document"])
                state.update_job(job_id, progress=0.2, message="Đang lập chỉ mục.")
                build_index(
                    self.settings,
                    self.service.pipeline.embedder,
                    progress=False,
                    log=lambda m: None,
                    on_progress=lambda f: state.update_job(job_id, progress=0.2 + 0.7 * f),
                    wait=True,  # another build (a command-line one) finishes first
                )
                self.service.pipeline.reload()
                self.service._update_gauges()
        except AssistantError as exc:
            state.update_job(job_id, status="failed", message=str(exc))
        except Exception as exc:  # noqa: BLE001 - a job never takes the server down
            state.update_job(job_id, status="failed", message=f"Lỗi khi lập chỉ mục: {type(exc).__name__}.")
        else:
            done = "Đã thêm vào chỉ mục." if row["kind"] == "upload" else "Đã xóa khỏi chỉ mục."
            state.update_job(job_id, status="done", progress=1.0, message=done)
        finally:
            shutil.rmtree(self.settings.state_dir / "uploads" / job_id, ignore_errors=True)

    def _add(self, job_id: str, doc_id: str) -> None:
        staging = self.settings.state_dir / "uploads" / job_id
        staged = staging / doc_id
        target = self.settings.documents_dir / doc_id
        if not staged.exists() and target.exists():
            return  # moved in before a restart: only the build is left to do
        load_document(staged)  # parse first: a file that cannot be read never joins the corpus
        if target.exists():
            raise ConflictError(f"Đã có tài liệu '{doc_id}'.", hint="Hãy xóa tài liệu cũ trước hoặc đổi tên tệp.")
        sidecar = staging / f"{doc_id}{SIDECAR_SUFFIX}"
        if sidecar.is_file():
            shutil.move(sidecar, Path(f"{target}{SIDECAR_SUFFIX}"))
        shutil.move(staged, target)

    def _remove(self, doc_id: str) -> None:
        source = self.settings.documents_dir / doc_id
        if not source.is_file():
            raise DocumentError(f"Không còn tệp '{doc_id}'.", hint="Có thể nó đã bị xóa trước đó.")
        trash = self.settings.state_dir / "trash" / time.strftime("%Y%m%dT%H%M%S")
        trash.mkdir(parents=True, exist_ok=True)
        sidecar = Path(f"{source}{SIDECAR_SUFFIX}")
        if sidecar.is_file():
            shutil.move(sidecar, trash / sidecar.name)
        shutil.move(source, trash / doc_id)
