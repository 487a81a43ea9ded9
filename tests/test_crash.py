"""SIGKILL a real `assistant index --rebuild` at random moments in every phase of the build.

After each kill the index on disk still loads and answers exactly as before; the next build removes
what the killed one left; at the end a build succeeds and no temporary file is left. Each moment is
drawn at random inside a phase the parent sees on disk (``loading`` until the first cache part,
``embedding`` while parts are written, ``indexing`` once the cache is folded, ``writing`` while a
``.tmp-`` build exists, ``published`` once ``current`` moved), plus moments drawn over the whole
build; the phase each kill actually hit is read back from the disk afterwards.
Reproduce: ``CRASH_SEED=<seed> .venv/bin/python -m pytest tests/test_crash.py -s``.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from assistant.indexing.builder import build_index
from assistant.indexing.store import KEEP_BUILDS, IndexStore
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

DOCS = ("tra-vinh-ke-hoach-ktxh-tttt-2024.txt", "tra-vinh-qd-2063-ung-dung-cntt-2020.txt")


def indexed_copy(data_dir) -> Settings:
    """``data_dir`` holding copies of ``DOCS`` and their index (hashing embedder)."""
    (data_dir / "documents").mkdir()
    for name in DOCS:
        shutil.copy(DOCUMENTS / name, data_dir / "documents" / name)
    settings = Settings(data_dir=data_dir, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return settings


QUESTIONS = (
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "Tổng mức đầu tư của dự án mạng diện rộng (WAN) là bao nhiêu?",
    "Kế hoạch năm 2024 đặt mục tiêu gì cho dịch vụ công trực tuyến?",
)
TARGETS = ("loading", "embedding", "indexing", "writing", "published", "any")
KILLS_PER_TARGET = 4  # 24 kills


def _answers(settings: Settings) -> list[dict]:
    pipeline = Pipeline(settings, HashingEmbeddings())
    return [pipeline.ask(q).model_dump(exclude={"build", "timings"}) for q in QUESTIONS]


class Disk:
    """What a build has left on disk so far, read without touching it."""

    def __init__(self, settings: Settings) -> None:
        self.index = settings.index_dir
        self.store = IndexStore(self.index)
        self.before = self.store.current.resolve().name

    def phase(self) -> str:
        builds = self.index / "builds"
        names = [p.name for p in builds.iterdir()] if builds.is_dir() else []
        current = self.store.current.resolve().name
        if current != self.before:
            return "published"
        if list(self.index.glob(".current-*")) or any(n > self.before for n in names if not n.startswith(".")):
            return "publishing"  # renamed, not yet switched
        if any(n.startswith(".tmp-") for n in names):
            return "writing"
        if (self.index / "cache" / "hashing-256.npz").is_file():
            return "indexing"
        if (self.index / "cache" / "hashing-256.parts").is_dir():
            return "embedding"
        return "loading"

    def leftovers(self) -> list[str]:
        builds = self.index / "builds"
        found = [p.name for p in builds.iterdir() if p.name.startswith(".tmp-")]
        found += [p.name for p in self.index.glob(".current-*")]
        parts = self.index / "cache" / "hashing-256.parts"
        return found + ([parts.name] if parts.exists() else [])


def _spawn(settings: Settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_EMBEDDER": "hashing",
        "ASSISTANT_EMBEDDING_BATCH_SIZE": "2",  # many cache parts: a long embedding phase
    }
    cmd = [sys.executable, "-m", "assistant.cli", "index", "--rebuild", "--quiet"]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_in(child: subprocess.Popen, disk: Disk, target: str, rng: random.Random, span: float) -> None:
    """Kill ``child`` at a random moment of ``target`` (as soon as the disk shows it, plus a random delay)."""
    if target in ("loading", "any"):
        time.sleep(rng.uniform(0.0, 1.0 if target == "loading" else span))
    else:
        deadline = time.monotonic() + 60
        while child.poll() is None and disk.phase() != target and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, {"embedding": 0.2, "indexing": 0.02, "writing": 0.002, "published": 0.02}[target]))
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)


@pytest.mark.slow
def test_index_survives_sigkill_at_random_moments(tmp_path):
    seed = int(os.environ.get("CRASH_SEED", random.randrange(10**6)))
    print(f"CRASH_SEED={seed}")
    rng = random.Random(seed)
    settings = indexed_copy(tmp_path)
    before = _answers(settings)
    t0 = time.monotonic()
    assert _spawn(settings).wait(timeout=120) == 0  # an uninterrupted build, to size the random window
    span = time.monotonic() - t0

    hit: Counter[str] = Counter()
    for target in [t for t in TARGETS for _ in range(KILLS_PER_TARGET)]:
        shutil.rmtree(settings.index_dir / "cache", ignore_errors=True)  # every build embeds again
        disk = Disk(settings)
        child = _spawn(settings)
        _kill_in(child, disk, target, rng, span)
        phase = disk.phase() if child.returncode == -signal.SIGKILL else "finished"
        hit[phase] += 1
        assert _answers(settings) == before, (seed, target, phase)  # the index on disk still answers the same
    print(f"kills by phase: {dict(hit)}")

    assert sum(n for phase, n in hit.items() if phase != "finished") >= 20
    assert {"loading", "embedding", "indexing", "writing"} <= set(hit), (seed, dict(hit))
    child = _spawn(settings)
    assert child.wait(timeout=120) == 0, child.stderr.read()
    disk = Disk(settings)
    assert disk.leftovers() == [], disk.leftovers()
    assert len(list((settings.index_dir / "builds").iterdir())) <= KEEP_BUILDS
    assert _answers(settings) == before
