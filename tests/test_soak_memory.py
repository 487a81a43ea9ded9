"""The soak's memory figures: a build runs in a process of its own (``python -m
assistant.indexing.child``) under a worker, and its memory is not the service's growth — the RSS of
the serving processes leaves it out, the RSS with builds keeps it; and the growth is the median of
the last samples over the median of the first."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from benchmarks import load

SOAK = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"
MB = 1024 * 1024

# A "worker" holding 30 MB whose job thread starts a "build" holding 120 MB (as the server's job
# thread does: /proc lists a thread's children under that thread); the build's command line names
# the build module as the real one does (``-m assistant.indexing.child``; arguments of ``-c`` here:
# no index is built).
WORKER = f"""
import subprocess, sys, threading, time
held = bytearray({30 * MB})
def job():
    build = subprocess.Popen([sys.executable, "-c",
        "import sys, time; held = bytearray({120 * MB}); print('up', flush=True); time.sleep(60)",
        "-m", "assistant.indexing.child"], stdout=subprocess.PIPE)
    build.stdout.readline()
    print("up", flush=True)
    build.wait()
threading.Thread(target=job, daemon=True).start()
time.sleep(60)
"""


def _rss_of_one(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(pid)


def test_the_serving_memory_leaves_out_a_build_running_under_a_worker():
    worker = subprocess.Popen([sys.executable, "-c", WORKER], stdout=subprocess.PIPE, start_new_session=True)
    try:
        assert worker.stdout.readline().strip() == b"up"
        serving, with_builds = load.rss_mb(worker.pid), load.rss_mb(worker.pid, builds=True)
        assert abs(serving - _rss_of_one(worker.pid)) < 5
        assert serving > 30
        assert with_builds - serving > 110
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the build too
        worker.wait()


def test_a_process_named_like_a_build_is_still_counted_when_it_is_the_one_asked_about():
    build = subprocess.Popen(
        [sys.executable, "-c", f"held = bytearray({40 * MB}); print('up', flush=True); import time; time.sleep(60)"]
        + ["-m", "assistant.indexing.child"],
        stdout=subprocess.PIPE,
    )
    try:
        assert build.stdout.readline().strip() == b"up"
        assert load.rss_mb(build.pid) > 40
    finally:
        build.kill()
        build.wait()


def test_growth_is_the_median_of_the_last_samples_over_the_first():
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    flat_with_one_spike = [100.0] * 9 + [180.0] + [100.0] * 10
    assert soak.rss_growth(flat_with_one_spike) == 0.0
    assert soak.rss_growth([100.0] * 10 + [112.0] * 10) == 0.12
    assert soak.rss_growth([100.0, 104.0]) == 0.04


def test_growth_of_the_lowest_samples_leaves_the_saw_tooth_of_a_build_and_sees_a_leak():
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    # a phase starting just after a trim and ending while a new snapshot is loaded
    saw_tooth = [300.0, 301.0, 302.0, 303.0, 330.0, 301.0] + [305.0, 310.0, 315.0, 320.0, 335.0, 330.0]
    assert soak.rss_growth(saw_tooth, window=6) > 0.05 and soak.rss_floor_growth(saw_tooth, window=6) < 0.02
    leak = [300.0 + 4 * i for i in range(20)]  # the floor rises with it
    assert soak.rss_floor_growth(leak) > 0.10 and soak.rss_growth(leak) > 0.10
