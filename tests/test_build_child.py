"""Builds in a child process at a lower CPU priority (assistant/indexing/child.py), as the server
runs them for uploads and deletions: the report, the progress, the errors, and a real job."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import time

import pytest

from assistant.errors import BuildFailedError, DocumentError
from assistant.indexing.child import build_in_child
from assistant.indexing.lock import LOCK_NAME
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.access import Caller
from assistant.service.service import Service
from assistant.settings import Settings

REPORT = (
    "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Hậu Giang năm 2026\n\nI. KẾT QUẢ\n\n"
    "- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n"
    "- Có 152 xã, phường đã triển khai dịch vụ công trực tuyến toàn trình.\n"
)
UPLOAD = (
    "BÁO CÁO\n\nKết quả chuyển đổi số tỉnh Hậu Giang năm 2026\n\n- Toàn tỉnh có 1.234 điểm Wi-Fi công cộng miễn phí.\n"
)


def _settings(tmp_path, **extra) -> Settings:
    (tmp_path / "documents").mkdir(exist_ok=True)
    return Settings(**{"data_dir": tmp_path, "embedder": "hashing", "_env_file": None, **extra})


def test_a_build_in_a_child_process_reports_from_another_process_at_a_lower_priority(tmp_path):
    settings = _settings(tmp_path)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    heard: list[float] = []
    report = build_in_child(settings, niceness=5, on_progress=heard.append)
    assert report.status == "built" and report.documents == 1 and report.chunks >= 1
    assert report.pid not in (0, os.getpid())
    assert report.niceness >= min(19, os.nice(0) + 5)
    assert heard and heard[-1] == 1.0
    # The build is the index this process then loads and answers from.
    answer = Pipeline(settings, HashingEmbeddings()).ask("Năm 2026 Hậu Giang có bao nhiêu trạm phát sóng 5G?")
    assert answer.value == 4321 and answer.citations[0].document == "bao-cao-5g.txt"
    # Nothing changed: the next build says so, without embedding anything.
    again = build_in_child(settings, niceness=0)
    assert again.status == "up-to-date" and again.embedded == 0


def test_a_user_error_in_the_child_is_raised_again_with_its_class_and_hint(tmp_path):
    settings = _settings(tmp_path)  # no document at all
    with pytest.raises(DocumentError) as caught:
        build_in_child(settings)
    assert "Không có tài liệu nào" in caught.value.message
    assert "assistant index" in (caught.value.hint or "")


def test_an_embedder_that_cannot_be_made_is_its_own_clear_error(tmp_path):
    from assistant.errors import ConfigurationError

    settings = _settings(tmp_path, embedder="sentence-transformers", embedding_model=str(tmp_path / "no-model"))
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        build_in_child(settings)
    assert caught.value.hint


def test_a_child_that_crashes_is_a_clear_error_naming_what_it_said(tmp_path):
    settings = _settings(tmp_path)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    settings.index_dir.write_text("không phải thư mục", encoding="utf-8")  # the build cannot write
    with pytest.raises(BuildFailedError) as caught:
        build_in_child(settings)
    assert "Tiến trình lập chỉ mục dừng giữa chừng" in caught.value.message
    assert "Error" in caught.value.message  # the child's last line names the exception
    assert settings.index_dir.read_text(encoding="utf-8") == "không phải thư mục"


def _lock_holder(settings) -> int:
    return int((settings.index_dir / LOCK_NAME).read_text(encoding="utf-8").split()[0])


def test_a_child_killed_mid_build_is_a_clear_error_and_the_served_index_is_unchanged(tmp_path):
    settings = _settings(tmp_path)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    build_in_child(settings)
    served = (settings.index_dir / "current").resolve()
    (settings.documents_dir / "wifi-2026.txt").write_text(UPLOAD, encoding="utf-8")
    killed: list[int] = []

    def kill_the_builder(_: float) -> None:  # the build lock names the process that holds it
        if not killed:
            killed.append(_lock_holder(settings))
            os.kill(killed[0], signal.SIGKILL)

    with pytest.raises(BuildFailedError) as caught:
        build_in_child(settings, on_progress=kill_the_builder)
    assert killed and killed[0] != os.getpid()
    assert "SIGKILL" in caught.value.message and "assistant index" in (caught.value.hint or "")
    assert (settings.index_dir / "current").resolve() == served
    again = build_in_child(settings)  # the next build finishes the work
    assert again.status == "built" and again.documents == 2


def test_a_child_ends_when_its_server_does(tmp_path):
    settings = _settings(tmp_path)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    read_fd, write_fd = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-P", "-m", "assistant.indexing.child", "--report-fd", str(write_fd), "0"],
        stdin=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_fd,),
    )
    os.close(write_fd)
    child.stdin.write(settings.model_dump_json().encode() + b"\n")
    child.stdin.close()  # what the kernel does when the server dies
    started = time.monotonic()
    assert child.wait(timeout=30) == 1 and time.monotonic() - started < 30
    os.close(read_fd)
    assert not (settings.index_dir / "current").exists()  # it stopped before publishing anything


def test_a_server_made_from_its_settings_indexes_an_upload_in_a_child_process(tmp_path):
    settings = _settings(tmp_path, build_niceness=3)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    build_in_child(settings)
    service = Service(settings)  # the embedder comes from the settings: builds go to a child
    assert service.pipeline.embedder_from_settings
    service.start()
    try:
        admin = Caller(key_id=None, role="admin", groups=frozenset())
        job_id = service.jobs.upload(admin, "wifi-2026.txt", io.BytesIO(UPLOAD.encode()), [])
        assert service.jobs.wait_idle(120)
        job = service.state.job(job_id)
        assert job["status"] == "done", job
        assert _lock_holder(settings) != os.getpid()  # the last build was another process's
        _, answer = service.ask(admin, "Hậu Giang có bao nhiêu điểm Wi-Fi công cộng miễn phí năm 2026?")
        assert answer.value == 1234 and answer.citations[0].document == "wifi-2026.txt"
    finally:
        service.stop()


def test_the_build_process_prepares_the_last_questions_before_the_workers_swap_it_in(tmp_path, caplog):
    """The child answers on its new build the questions last answered on the one it replaces (into
    the answer store the workers share) and marks it warm before it reports."""
    settings = _settings(tmp_path, answer_cache_size=8, prefill_seconds=60)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    build_in_child(settings, niceness=0)
    worker = Pipeline(settings, HashingEmbeddings(), answer_store=settings.answer_store)
    question = "Toàn tỉnh có bao nhiêu điểm Wi-Fi công cộng miễn phí?"
    assert worker.ask(question).abstained
    (settings.documents_dir / "wifi.txt").write_text(UPLOAD, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.service"):
        report = build_in_child(settings, niceness=0)
    assert report.status == "built" and report.prefilled == 1
    assert not caplog.records  # a child that ends normally is no failure
    store = worker.answer_store
    new = os.path.basename(os.readlink(settings.index_dir / "current"))
    assert store.warming(new)[1] is not None
    answered = Pipeline(settings, HashingEmbeddings()).ask(question)
    assert answered.value == 1234
    worker.reload()
    worker._answerers["default"] = _Refusing()  # the worker computes nothing: the answer is ready
    assert worker.ask(question).value == 1234


class _Refusing:
    def answer(self, *args, **kwargs):
        raise AssertionError("computed again")


def _build_processes() -> list[int]:
    """This process's children that are index builds (from /proc)."""
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    command = f.read()
            except OSError:
                continue
            if int(fields[1]) == os.getpid() and b"assistant.indexing.child" in command:
                found.append(int(pid))
    return found


def test_a_build_process_killed_while_preparing_answers_still_reports_its_build(tmp_path):
    """The build is published and reported before the answers are prepared: a child that dies
    while preparing them (out of memory, say) has still indexed the document, the job succeeds,
    and the workers swap the build in once its preparation time is up."""
    import threading

    from assistant.answer_store import AnswerStore, StoredQuestion
    from assistant.conversation import Resolved
    from assistant.filters import Filters
    from assistant.models import Answer

    settings = _settings(tmp_path, answer_cache_size=2000, prefill_seconds=120)
    (settings.documents_dir / "bao-cao-5g.txt").write_text(REPORT, encoding="utf-8")
    build_in_child(settings, niceness=0)
    old = os.path.basename(os.readlink(settings.index_dir / "current"))
    store = AnswerStore(settings.answer_store)
    for i in range(2000):  # many questions to prepare: long enough to be killed in the middle
        question = f"Năm 2026 có bao nhiêu trạm 5G ở huyện số {i}?"
        store.put(
            old,
            StoredQuestion(Resolved(question, question), Filters(), settings.top_k),
            [],
            Answer(question=question, answer="-"),
        )
    (settings.documents_dir / "wifi.txt").write_text(UPLOAD, encoding="utf-8")
    killed: list[int] = []

    def kill_while_preparing() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            current = os.path.basename(os.readlink(settings.index_dir / "current"))
            if current != old and (store.warming(current) or (0, 0))[1] is None and store.count(current) >= 5:
                for pid in _build_processes():
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
            time.sleep(0.01)

    killer = threading.Thread(target=kill_while_preparing)
    killer.start()
    report = build_in_child(settings, niceness=0)
    killer.join()
    assert killed, "the child finished preparing before it could be killed"
    assert report.status == "built" and report.documents == 2 and report.prefilled == 0
    new = os.path.basename(os.readlink(settings.index_dir / "current"))
    started, finished = store.warming(new)
    assert finished is None  # never finished: workers wait for prefill_seconds at most
    answer = Pipeline(settings, HashingEmbeddings()).ask("Toàn tỉnh có bao nhiêu điểm Wi-Fi công cộng miễn phí?")
    assert answer.value == 1234
