"""SIGKILL a real `assistant serve` while a document is uploaded and indexed through the API.

The server (hashing embedder, small embedding batches so that the build has a long embedding
phase) runs in a child process on 127.0.0.1. Each trial uploads a document of ~80 kB that holds an
invented fact (sent slowly, in pieces, as a client on a slow line would), and kills the server at a
random moment of one phase: while the body is received, just after the 202 (the job reads and moves
the file), while embedding, while writing the build, right after the build is published (before
the job says "done"), at a uniform random moment of the whole upload, and while the rebuild of a
*deletion* publishes. Then, with the server dead:

- the index on disk loads: if the kill came before the new build was made current, it answers the
  three questions exactly as before (every field but the build id and timings); if after, the new
  build holds the whole uploaded document;
- the stored documents are intact: the others byte for byte, the uploaded one absent or whole.

The server is restarted; the jobs its dead self left are run again (tests the recovery in
``assistant/service/jobs.py``), and then the uploaded document is either indexed and answering
(its file byte for byte) or absent from both the folder and the index — never half. If absent, the
upload is retried and must succeed; then it is deleted, and the API answers exactly as before the
trial. After the last trial no temporary build, cache part, staging folder or job lock is left.

Reproduce: ``API_CRASH_SEED=<seed> API_CRASH_ROUNDS=<n> .venv/bin/python -m pytest tests/test_api_crash.py -s``
(7 kills a round; ``make test`` runs one round with a random seed, printed).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from assistant.indexing.store import KEEP_BUILDS
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.state import StateStore
from assistant.settings import Settings
from tests.conftest import DOCUMENTS
from tests.server import ServerProcess, wait_for_job
from tests.test_crash import DOCS, QUESTIONS, Disk, indexed_copy

NAME = "bao-cao-5g-2026.txt"
FACT_QUESTION = "Năm 2026 Trà Vinh có bao nhiêu trạm phát sóng 5G?"
PAYLOAD = (
    "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Trà Vinh năm 2026\n\n"
    "I. KẾT QUẢ\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n\n"
    + (DOCUMENTS / "tra-vinh-ke-hoach-chuyen-doi-so-2023.txt").read_text(encoding="utf-8")
).encode()
SHA = hashlib.sha256(PAYLOAD).hexdigest()
PIECE, PAUSE = 8192, 0.02  # ~0.2 s to send the body
TARGETS = ("receiving", "queued", "embedding", "writing", "published", "any", "delete-publishing")
#: once the disk shows the phase, the kill comes within this many seconds
DELAYS = {"embedding": 0.3, "writing": 0.02, "published": 0.01, "delete-publishing": 0.03}
IGNORED = {"id", "timings", "build"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _api_answers(url: str) -> list[dict]:
    with httpx.Client(base_url=url, timeout=60) as client:
        answers = [client.post("/api/v1/ask", json={"question": q}).json() for q in QUESTIONS]
    return [{k: v for k, v in a.items() if k not in IGNORED} for a in answers]


def _disk_answers(settings: Settings) -> list[dict]:
    pipeline = Pipeline(settings, HashingEmbeddings())
    return [pipeline.ask(q).model_dump(exclude={"build", "timings"}) for q in QUESTIONS]


class Upload(threading.Thread):
    """A client sending the document in pieces; ``response`` is set once the server answered."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.response: httpx.Response | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        boundary = "ranh-gioi-kiem-thu"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{NAME}"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            + PAYLOAD
            + f"\r\n--{boundary}--\r\n".encode()
        )

        def pieces():
            for i in range(0, len(body), PIECE):
                yield body[i : i + PIECE]
                time.sleep(PAUSE)

        try:
            self.response = httpx.post(
                f"{self.url}/api/v1/documents",
                content=pieces(),
                headers={"content-type": f"multipart/form-data; boundary={boundary}"},
                timeout=60,
            )
        except httpx.HTTPError as exc:
            self.error = exc


def _wait(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.001)
    return False


def _kill_during(target: str, server: ServerProcess, disk: Disk, rng: random.Random, span: float) -> tuple[str, str]:
    """Start what ``target`` names, kill the server at a random moment of it; returns (phase hit, job url)."""
    if target == "delete-publishing":
        r = httpx.delete(f"{server.url}/api/v1/documents/{NAME}", timeout=60)
        assert r.status_code == 202, r.text
        assert _wait(lambda: disk.phase() in ("writing", "publishing", "published"))
        time.sleep(rng.uniform(0, DELAYS[target]))
        server.kill()
        return f"delete: {disk.phase()}", r.json()["url"]
    upload = Upload(server.url)
    upload.start()
    if target == "receiving":
        time.sleep(rng.uniform(0.01, 0.15))
    elif target == "any":
        time.sleep(rng.uniform(0, span))
    else:
        assert _wait(lambda: upload.response is not None), upload.error
        assert upload.response.status_code == 202, upload.response.text
        if target == "queued":
            time.sleep(rng.uniform(0, 0.3))
        else:
            assert _wait(lambda: disk.phase() in (target, "publishing", "published"))
            time.sleep(rng.uniform(0, DELAYS[target]))
    server.kill()
    upload.join(timeout=60)
    if upload.response is None:
        return "receiving", ""
    phase = disk.phase()
    if phase == "loading" and not (server.data_dir / "documents" / NAME).exists():
        phase = "parsing"
    return phase, upload.response.json()["url"]


def _stored(settings: Settings, originals: dict[str, str]) -> bool:
    """Documents intact: the others byte for byte; the uploaded one whole or absent. True if present."""
    names = sorted(p.name for p in settings.documents_dir.iterdir())
    assert set(names) - {NAME} == set(originals), names
    assert {n: _sha(settings.documents_dir / n) for n in originals} == originals
    present = NAME in names
    assert not present or _sha(settings.documents_dir / NAME) == SHA, "the uploaded document is half"
    return present


def _settle(server: ServerProcess, settings: Settings) -> None:
    """Wait until the restarted server has run every job its dead self left."""
    store = StateStore(settings.state_dir / "state.db")
    assert _wait(lambda: not store.unfinished_jobs(), timeout=120), [dict(r) for r in store.unfinished_jobs()]


def _indexed(url: str) -> bool:
    with httpx.Client(base_url=url, timeout=60) as client:
        listed = NAME in {d["id"] for d in client.get("/api/v1/documents").json()["documents"]}
        answer = client.post("/api/v1/ask", json={"question": FACT_QUESTION}).json()
    found = answer["value"] == 4321 and answer["citations"][0]["document"] == NAME
    assert listed == found, (listed, answer["answer"])
    return listed


def _leftovers(settings: Settings) -> list[str]:
    index, state = settings.index_dir, settings.state_dir
    found = [p.name for p in (index / "builds").iterdir() if p.name.startswith(".tmp-")]
    found += [p.name for p in index.glob(".current-*")] + [p.name for p in index.glob("cache/*.parts")]
    found += [f"uploads/{p.name}" for p in (state / "uploads").glob("*")]
    found += [f"jobs/{p.name}" for p in (state / "jobs").glob("*")]
    found += [p.name for p in settings.documents_dir.glob(".*")]
    assert len(list((index / "builds").iterdir())) <= KEEP_BUILDS
    return found


@pytest.mark.slow
def test_server_killed_during_uploads_loses_nothing(tmp_path):
    seed = int(os.environ.get("API_CRASH_SEED", random.randrange(10**6)))
    rounds = int(os.environ.get("API_CRASH_ROUNDS", "1"))
    print(f"API_CRASH_SEED={seed} API_CRASH_ROUNDS={rounds}")
    rng = random.Random(seed)
    settings = indexed_copy(tmp_path)
    originals = {n: _sha(settings.documents_dir / n) for n in DOCS}
    before_disk = _disk_answers(settings)
    server = ServerProcess(tmp_path, env={"ASSISTANT_EMBEDDING_BATCH_SIZE": "2"}).start()
    try:
        before_api = _api_answers(server.url)
        # one uninterrupted upload and deletion: their durations, and the answers with the document in
        shutil.rmtree(settings.index_dir / "cache")
        started = time.monotonic()
        job = httpx.post(f"{server.url}/api/v1/documents", files={"file": (NAME, PAYLOAD)}, timeout=60).json()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            assert wait_for_job(client, job["url"])["status"] == "done"
            span = time.monotonic() - started
            with_doc = _disk_answers(settings)
            assert _indexed(server.url)
            assert wait_for_job(client, client.delete(f"/api/v1/documents/{NAME}").json()["url"])["status"] == "done"

        hit: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        for target in [t for _ in range(rounds) for t in TARGETS]:
            shutil.rmtree(settings.index_dir / "cache", ignore_errors=True)  # every upload embeds
            if target == "delete-publishing":  # the document in, to be deleted
                r = httpx.post(f"{server.url}/api/v1/documents", files={"file": (NAME, PAYLOAD)}, timeout=60)
                with httpx.Client(base_url=server.url, timeout=60) as client:
                    assert wait_for_job(client, r.json()["url"])["status"] == "done"
            disk = Disk(settings)
            phase, job_url = _kill_during(target, server, disk, rng, span)
            hit[phase] += 1
            context = (seed, target, phase)

            # the server is dead: what is on disk
            present = _stored(settings, originals)
            published = disk.phase() == "published"
            expected = with_doc if (target == "delete-publishing") != published else before_disk
            assert _disk_answers(settings) == expected, context

            # restarted: the jobs left are run again; the document is then wholly in or wholly out
            server.start()
            _settle(server, settings)
            if job_url:
                status = httpx.get(server.url + job_url, timeout=60).json()["status"]
                assert status == "done", (context, status)  # no job is lost or left half-done
            present = _stored(settings, originals)
            assert _indexed(server.url) == present, context
            outcomes[f"{target}: {'in' if present else 'out'}"] += 1
            if target == "delete-publishing":
                assert not present, context
            elif job_url:
                assert present, context  # a 202 is a promise kept
            with httpx.Client(base_url=server.url, timeout=60) as client:
                if not present and target != "delete-publishing":  # the retry succeeds
                    r = client.post("/api/v1/documents", files={"file": (NAME, PAYLOAD)})
                    assert r.status_code == 202, (context, r.text)
                    assert wait_for_job(client, r.json()["url"])["status"] == "done", context
                    assert _stored(settings, originals) and _indexed(server.url)
                if target != "delete-publishing":
                    gone = client.delete(f"/api/v1/documents/{NAME}")
                    assert wait_for_job(client, gone.json()["url"])["status"] == "done", context
            assert _api_answers(server.url) == before_api, context
            assert _leftovers(settings) == [], context
        print(f"kills by phase: {dict(hit)}; outcomes: {dict(outcomes)}")
        assert sum(hit.values()) == len(TARGETS) * rounds >= 5
        assert server.tail().count("Traceback") == 0, server.tail(60)
    finally:
        server.stop()
    assert _disk_answers(settings) == before_disk
