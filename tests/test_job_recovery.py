"""What a killed server leaves, planted directly — the states random kills seldom hit (between two
renames) — and what the next start does with them (``JobRunner.recover`` in assistant/service/jobs.py).
The random kills of a real server are in tests/test_api_crash.py."""

from __future__ import annotations

import shutil
import uuid

import pytest

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.joblocks import JobLock
from assistant.service.service import Service
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

KEPT = "tra-vinh-ke-hoach-ktxh-tttt-2024.txt"
NEW = "bao-cao-5g-2026.txt"
TEXT = "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Trà Vinh năm 2026\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G.\n"
SIDECAR = "groups: [so-tttt-mat]\n"


@pytest.fixture
def service(tmp_path):
    (tmp_path / "documents").mkdir()
    shutil.copy(DOCUMENTS / KEPT, tmp_path / "documents" / KEPT)
    settings = Settings(data_dir=tmp_path, embedder="hashing", _env_file=None)
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    service = Service(settings, Pipeline(settings, embedder))
    service.pipeline.warm_up()
    yield service
    service.stop()


def _job(service: Service, kind: str, document: str, status: str) -> str:
    job_id = uuid.uuid4().hex
    service.state.add_job(job_id, kind, document, None, "…")
    if status == "running":
        assert service.state.claim_job(job_id)
    return job_id


def _start_and_wait(service: Service) -> None:
    service.jobs.start()
    assert service.jobs.wait_idle(60)


def _groups(service: Service, doc_id: str):
    return service.pipeline.snapshot().documents[doc_id].metadata.groups


def test_an_upload_killed_between_its_groups_and_its_file_is_finished_with_its_groups(service):
    settings = service.settings
    job_id = _job(service, "upload", NEW, "running")
    staging = settings.state_dir / "uploads" / job_id
    staging.mkdir(parents=True)
    (staging / NEW).write_text(TEXT, encoding="utf-8")
    (staging / f"{NEW}.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    shutil.copy(staging / f"{NEW}.meta.yaml", settings.documents_dir / f"{NEW}.meta.yaml")  # the groups went in
    _start_and_wait(service)
    assert service.state.job(job_id)["status"] == "done"
    assert list(_groups(service, NEW)) == ["so-tttt-mat"]  # never visible to everyone
    assert not staging.exists() and not list((settings.state_dir / "jobs").iterdir())


def test_a_deletion_killed_between_the_file_and_its_groups_is_finished(service):
    settings = service.settings
    (settings.documents_dir / NEW).write_text(TEXT, encoding="utf-8")
    (settings.documents_dir / f"{NEW}.meta.yaml").write_text(SIDECAR, encoding="utf-8")
    build_index(settings, service.pipeline.embedder, progress=False, log=lambda m: None)
    service.pipeline.reload()
    assert list(_groups(service, NEW)) == ["so-tttt-mat"]
    job_id = _job(service, "delete", NEW, "running")
    (settings.state_dir / "trash").mkdir(parents=True)
    shutil.move(settings.documents_dir / NEW, settings.state_dir / "trash" / NEW)  # killed here
    _start_and_wait(service)
    assert service.state.job(job_id)["status"] == "done"
    assert NEW not in service.pipeline.snapshot().documents
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == [KEPT]  # the groups went too


def test_an_old_sidecar_never_restricts_a_new_upload(service):
    settings = service.settings
    (settings.documents_dir / f"{NEW}.meta.yaml").write_text(SIDECAR, encoding="utf-8")  # left by a deletion
    job_id = _job(service, "upload", NEW, "queued")
    staging = settings.state_dir / "uploads" / job_id
    staging.mkdir(parents=True)
    (staging / NEW).write_text(TEXT, encoding="utf-8")
    _start_and_wait(service)
    assert service.state.job(job_id)["status"] == "done"
    assert not _groups(service, NEW) and not (settings.documents_dir / f"{NEW}.meta.yaml").exists()


def test_staging_of_dead_uploads_is_removed_and_live_ones_are_left(service):
    settings = service.settings
    uploads, locks = settings.state_dir / "uploads", settings.state_dir / "jobs"
    dead, live, finished = (uuid.uuid4().hex for _ in range(3))
    for job_id in (dead, live, finished):
        (uploads / job_id).mkdir(parents=True)
        (uploads / job_id / NEW).write_text(TEXT[:20], encoding="utf-8")  # cut short
    service.state.add_job(finished, "upload", NEW, None, "…")
    service.state.update_job(finished, status="failed")
    locks.mkdir(parents=True)
    (locks / f"{dead}.lock").touch()  # its process died holding it: the kernel dropped the lock
    (locks / f"{uuid.uuid4().hex}.lock").touch()  # a lock file without a staging folder
    receiving = JobLock(locks, live)
    assert receiving.acquire()  # being received by a live process (another worker)
    try:
        assert service.jobs.recover() == []
        assert sorted(p.name for p in uploads.iterdir()) == [live]
        assert [p.name for p in locks.iterdir()] == [f"{live}.lock"]
    finally:
        receiving.release()
    assert service.jobs.recover() == [] and not list(uploads.iterdir()) and not list(locks.iterdir())


def test_a_running_job_is_run_again_only_when_its_process_died(service):
    settings = service.settings
    orphan, alive = _job(service, "delete", KEPT, "running"), _job(service, "delete", KEPT, "running")
    queued = _job(service, "delete", KEPT, "queued")
    held = JobLock(settings.state_dir / "jobs", alive)
    assert held.acquire()
    try:
        todo = service.jobs.recover()
        assert sorted(todo) == sorted([orphan, queued])
        assert service.state.job(orphan)["status"] == "queued"
        assert service.state.job(alive)["status"] == "running"  # another worker is on it
    finally:
        held.release()


def test_a_job_is_run_by_one_process_only(service):
    settings = service.settings
    job_id = _job(service, "upload", NEW, "queued")
    (settings.state_dir / "uploads" / job_id).mkdir(parents=True)
    (settings.state_dir / "uploads" / job_id / NEW).write_text(TEXT, encoding="utf-8")
    held = JobLock(settings.state_dir / "jobs", job_id)
    assert held.acquire()
    try:
        service.jobs._execute(job_id)  # another worker holds it: this one leaves it
        assert service.state.job(job_id)["status"] == "queued"
        assert not (settings.documents_dir / NEW).exists()
    finally:
        held.release()
    service.jobs._execute(job_id)
    assert service.state.job(job_id)["status"] == "done" and NEW in service.pipeline.snapshot().documents
