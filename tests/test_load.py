"""The short form of the load and soak test (scripts/soak.py): the real `assistant serve` on
127.0.0.1 (hashing embedder), 16 clients mixing ask, stream, search and documents — after a 10 s
warm-up with at least three upload cycles, 10 s of plain load, then 20 s more while a document is
uploaded, indexed, asked about and deleted through the API in a loop.

Zero 5xx, zero connection errors, every request answered 200, p99 bounded, and no leak: the
resident memory of the serving processes (a build's own process apart) grows by ≤ 10 % in each
phase, read from the lowest samples at each end (a 20-second phase holds one build, whose
saw-tooth moves the median of either end by several points: docs/reliability.md; the warm-up's
builds raise the memory once). 16 clients rather than 64 keep it short and stable on a shared
2-core machine; p99 is bounded loosely (a stall, not a slowdown: speed targets are for the full
form, `make load`, whose figures are in docs/reliability.md)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"
CLIENTS, SECONDS, UPLOAD_SECONDS, WARMUP = 16, 10.0, 20.0, 10.0
# A stall (a request stuck behind a build) shows as tens of seconds. Measured p99: 0.3–0.7 s with
# the rule-based answerer; 2.3 s (load) and 3.3 s (with uploads) with the learned one, whose answer
# step costs ~30 ms of CPU per question on one worker (docs/reliability.md §9).
P99_LIMIT_MS = 10_000
# A new build's process prepares the last questions on it for at most this long before the workers
# swap it in (ASSISTANT_PREFILL_SECONDS, 30 s by default, which under this load each build would
# use whole); the full form runs the default. A cycle (two builds) then takes ~20 s here: the phase
# with uploads must finish one, the warm-up three.
PREFILL_SECONDS = "3"


def _soak_module():
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_short_load_and_soak_with_uploads():
    soak = _soak_module()
    result = soak.soak(
        CLIENTS,
        SECONDS,
        WARMUP,
        embedder="hashing",
        upload_seconds=UPLOAD_SECONDS,
        settings={"prefill_seconds": PREFILL_SECONDS},
        log=lambda m: print(m, flush=True),
    )
    print(soak.markdown(result, "pytest tests/test_load.py -s"))
    assert result["server_tracebacks"] == 0, result["server_log_tail"]
    assert result["warmup"]["cycles"] >= 3
    for name, phase in result["phases"].items():
        assert phase["server_errors"] == 0 and not phase["connection_errors"], (name, phase)
        assert phase["statuses"] == {"200": phase["requests"]}, (name, phase["statuses"])
        assert phase["requests"] >= CLIENTS * 5, (name, phase["requests"])
        assert phase["p99_ms"] <= P99_LIMIT_MS, (name, phase["p99_ms"], phase["by_operation"])
        assert phase["rss_floor_growth"] <= 0.10, (name, phase["rss_samples"])
        cache = phase["answer_cache"]  # one worker: its answer cache's lookups during the phase
        assert cache["hits"] + cache["misses"] > 0 and min(cache.values()) >= 0, cache
    upload = result["phases"]["load+upload"]["upload"]
    assert upload["cycles"] >= 1 and not upload["failures"], upload
    assert soak.healthy(result)
