"""A build killed while embedding loses nothing; one build at a time; leftovers of a killed build go."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import IndexBusyError
from assistant.indexing.builder import build_index
from assistant.indexing.cache import EmbeddingCache
from assistant.indexing.lock import build_lock
from assistant.indexing.store import KEEP_BUILDS, IndexStore
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

DOCS = ("tra-vinh-ke-hoach-ktxh-tttt-2024.txt", "tra-vinh-qd-2063-ung-dung-cntt-2020.txt")
BATCH = 8


@pytest.fixture
def settings(tmp_path) -> Settings:
    (tmp_path / "documents").mkdir()
    for name in DOCS:
        shutil.copy(DOCUMENTS / name, tmp_path / "documents" / name)
    return Settings(data_dir=tmp_path, embedder="hashing", embedding_batch_size=BATCH, _env_file=None)


class CountingEmbeddings(HashingEmbeddings):
    """The hashing embedder, counting the passages it embeds."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


class Died(BaseException):
    """What a killed process does to the build: nothing after it runs (not an Exception)."""


class DyingEmbeddings(HashingEmbeddings):
    """Embeds ``batches`` batches, then dies in the middle of the next one."""

    def __init__(self, batches: int) -> None:
        super().__init__()
        self.left = batches

    def embed_documents(self, texts):
        if self.left == 0:
            raise Died()
        self.left -= 1
        return super().embed_documents(texts)


def _build(settings, embedder, **kw):
    return build_index(settings, embedder, progress=False, log=lambda m: None, **kw)


def _unique_passages(settings) -> int:
    return len(EmbeddingCache(settings.index_dir, "hashing-256"))


# --- the embedding cache resumes ------------------------------------------------------------


def test_a_build_killed_while_embedding_resumes_where_it_stopped(settings):
    with pytest.raises(Died):
        _build(settings, DyingEmbeddings(batches=5))
    assert not IndexStore(settings.index_dir).exists()  # nothing published
    assert len(EmbeddingCache(settings.index_dir, "hashing-256")) == 5 * BATCH  # the 5 batches are on disk

    again = CountingEmbeddings()
    report = _build(settings, again)
    total = _unique_passages(settings)
    assert report.status == "built" and total > 100
    assert again.embedded == report.embedded == total - 5 * BATCH  # only the rest
    assert not (settings.index_dir / "cache" / "hashing-256.parts").exists()  # folded into the main file


def test_resumed_vectors_equal_those_of_an_uninterrupted_build(settings, tmp_path_factory):
    with pytest.raises(Died):
        _build(settings, DyingEmbeddings(batches=3))
    _build(settings, HashingEmbeddings())
    clean = Settings(data_dir=tmp_path_factory.mktemp("clean"), embedder="hashing", _env_file=None)
    shutil.copytree(settings.documents_dir, clean.documents_dir)
    _build(clean, HashingEmbeddings())
    a, b = EmbeddingCache(settings.index_dir, "hashing-256"), EmbeddingCache(clean.index_dir, "hashing-256")
    assert set(a._vectors) == set(b._vectors)
    assert all(np.array_equal(a._vectors[k], b._vectors[k]) for k in a._vectors)


KILLED_WHILE_EMBEDDING = textwrap.dedent(
    """
    import os, signal, sys
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import HashingEmbeddings
    from assistant.settings import Settings

    class Killed(HashingEmbeddings):
        calls = 0
        def embed_documents(self, texts):
            Killed.calls += 1
            if Killed.calls > int(sys.argv[2]):
                os.kill(os.getpid(), signal.SIGKILL)
            return super().embed_documents(texts)

    settings = Settings(data_dir=sys.argv[1], embedder="hashing", embedding_batch_size=int(sys.argv[3]), _env_file=None)
    build_index(settings, Killed(), progress=False, log=lambda m: None)
    """
)


def test_a_build_sigkilled_while_embedding_resumes(settings):
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_EMBEDDING, str(settings.data_dir), "7", str(BATCH)], timeout=120
    )
    assert done.returncode == -signal.SIGKILL
    again = CountingEmbeddings()
    report = _build(settings, again)
    assert again.embedded == report.embedded == _unique_passages(settings) - 7 * BATCH


# --- one build at a time --------------------------------------------------------------------

HOLD = textwrap.dedent(
    """
    import sys, time
    from assistant.indexing.lock import build_lock
    with build_lock(sys.argv[1]):
        print("held", flush=True)
        time.sleep(float(sys.argv[2]))
    """
)


def _hold(index_dir: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(index_dir), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_build_is_refused_while_one_runs(settings):
    holder = _hold(settings.index_dir, 60)
    try:
        with pytest.raises(IndexBusyError) as error:
            _build(settings, HashingEmbeddings())
        text = str(error.value)
        assert "Một lần xây chỉ mục khác đang chạy" in text and f"tiến trình {holder.pid}" in text
        assert "assistant index --wait" in text
        assert not IndexStore(settings.index_dir).exists()
    finally:
        holder.kill()
        holder.wait()


def test_the_lock_dies_with_a_killed_build(settings):
    holder = _hold(settings.index_dir, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert _build(settings, HashingEmbeddings()).status == "built"


def test_a_waiting_build_runs_when_the_other_ends(settings):
    holder = _hold(settings.index_dir, 1.5)
    t0 = time.monotonic()
    report = _build(settings, HashingEmbeddings(), wait=True)
    assert report.status == "built" and time.monotonic() - t0 >= 1.0
    holder.wait()


def test_the_lock_excludes_threads_of_one_process_too(tmp_path):
    inside, order = threading.Event(), []

    def first():
        with build_lock(tmp_path):
            inside.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait()
    with pytest.raises(IndexBusyError):
        with build_lock(tmp_path):
            pass
    with build_lock(tmp_path, wait=True, poll_s=0.05):
        order.append("second")
    thread.join()
    assert order == ["first done", "second"]


def test_two_cli_builds_started_together_never_write_at_once(settings):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_EMBEDDER": "hashing"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "assistant.cli", "index", "--rebuild", "--quiet"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [(r.wait(timeout=120), r.stdout.read(), r.stderr.read()) for r in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 2])  # both in turn (one started after the other ended) or one refused
    for code, _, err in results:
        if code == 2:
            assert "Một lần xây chỉ mục khác đang chạy" in err and "Traceback" not in err
    builds = IndexStore(settings.index_dir).root / "builds"
    assert not [p for p in builds.iterdir() if p.name.startswith(".tmp-")]


# --- leftovers -------------------------------------------------------------------------------


def test_leftovers_of_a_killed_build_are_removed_by_the_next(settings):
    _build(settings, HashingEmbeddings())
    store = IndexStore(settings.index_dir)
    current = store.current.resolve()
    builds = current.parent
    (builds / ".tmp-20000101T000000-1").mkdir()
    (builds / ".tmp-20000101T000000-1" / "chunks.jsonl").write_text("{}", encoding="utf-8")
    unpublished = builds / (current.name[:8] + "T999999-999999999-1")  # finished, never made current
    shutil.copytree(current, unpublished)
    os.symlink(Path("builds") / current.name, store.root / ".current-x")
    parts = settings.index_dir / "cache" / "hashing-256.parts"
    parts.mkdir()
    (parts / "00000001.tmp.npz").write_bytes(b"cut short")

    assert _build(settings, HashingEmbeddings(), rebuild=True).status == "built"
    names = sorted(p.name for p in builds.iterdir())
    assert names == sorted([current.name, store.current.resolve().name])  # the previous and the new one
    assert not list(store.root.glob(".current-*")) and not parts.exists()


def test_disk_stays_bounded_over_many_builds(settings):
    for _ in range(4):
        _build(settings, HashingEmbeddings(), rebuild=True)
    builds = IndexStore(settings.index_dir).current.resolve().parent
    assert len(list(builds.iterdir())) == KEEP_BUILDS
    assert [p.name for p in (settings.index_dir / "cache").iterdir()] == ["hashing-256.npz"]
