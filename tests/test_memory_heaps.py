"""The server limits glibc's heaps: `assistant serve` sets ``MALLOC_ARENA_MAX`` (two unless the
operator set it) for itself and the processes it starts. Threads that allocate at once with the
GIL released (zlib here, the embedder and FAISS in the server) would otherwise get a heap each;
glibc's ``malloc_stats`` lists one "Arena" per heap."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """
import ctypes, os, sys, threading, zlib
from assistant.service.memory import limit_heaps
if sys.argv[1] == "limit":
    limit_heaps()
print(os.environ.get("MALLOC_ARENA_MAX"), flush=True)
data = os.urandom(1 << 16)
def work():
    for _ in range(300):
        zlib.decompress(zlib.compress(data, 9))
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ctypes.CDLL(None).malloc_stats()
"""


def _run(mode: str, env: dict[str, str]) -> tuple[str, int]:
    environment = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")} | env
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    arenas = sum(line.startswith("Arena ") for line in done.stderr.splitlines())
    return done.stdout.strip(), arenas


GLIBC = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's heaps")


@GLIBC
def test_limited_heaps_are_two_and_unlimited_threads_make_more():
    assert _run("free", {})[1] > 2  # the behaviour the limit exists for
    assert _run("limit", {}) == ("2", 2)


@GLIBC
def test_an_operators_setting_is_left_as_glibc_applied_it():
    assert _run("limit", {"MALLOC_ARENA_MAX": "4"}) == ("4", 4)
    assert _run("limit", {"GLIBC_TUNABLES": "glibc.malloc.arena_max=3"}) == ("None", 3)
    value, arenas = _run("limit", {"MALLOC_ARENA_MAX": "0"})  # 0: glibc's default, no limit
    assert value == "0" and arenas > 4
