"""API throughput: the real ``assistant serve`` on 127.0.0.1, driven by concurrent ``ask`` clients.

For each worker count (``--workers 2``, the recommended setting on 2 cores, then 1 to explain
the figure), on a data dir that already holds a built index:

1. start ``assistant serve --host 127.0.0.1 --port P --workers N`` as a child process (its own
   session; ``ASSISTANT_*`` variables and ``.env`` ignored, the rate limit off), wait for ``/readyz``;
2. warm up: the clients ask the first ``warmup_questions`` dev questions for ``warmup_s`` seconds;
3. first-time questions: every other dev question asked once (no worker has seen it, so each
   request embeds its question);
4. sustained: ``clients`` clients ask dev questions drawn at random for ``seconds`` seconds — the
   figure of the target (by then most questions are repeats, which the query-vector cache of the
   worker that answered them before serves without the model);
5. stop the server (SIGTERM, SIGKILL to its process group after 30 s).

The load runner (``benchmarks/load.py``) runs in this process, on the same cores as the server:
its CPU time, the server's and the share other processes took are recorded with the figures.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from benchmarks import load
from benchmarks.measure import busy_seconds, own_cpu_seconds

WORKERS = (2, 1)
CLIENTS = 32
WARMUP_QUESTIONS = 32
READY_TIMEOUT = 300.0  # the model loads in each worker; the machine may be busy
STOP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, workers: int) -> list[str]:
    """The ``assistant`` command of this environment (the console script beside the interpreter)."""
    script = Path(sys.executable).with_name("assistant")
    head = [str(script)] if script.exists() else [sys.executable, "-c", "from assistant.cli import main; main()"]
    return [*head, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_DATA_DIR"] = str(data_dir)
    env["ASSISTANT_RATE_LIMIT_PER_MINUTE"] = "0"
    env.update(extra or {})
    return env


@contextmanager
def serving(data_dir: Path, workers: int, log_path: Path, env: dict[str, str] | None = None) -> Iterator[dict]:
    """Run ``assistant serve`` until the block ends; yields url, pid, command and start-up seconds."""
    port = free_port()
    cmd = serve_command(port, workers)
    url = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log_file:
        t0 = time.perf_counter()
        # cwd: the data dir, so no .env of the repository is read; own session: stoppable as a group
        proc = subprocess.Popen(
            cmd,
            cwd=data_dir,
            env=server_env(data_dir.resolve(), env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_ready(url, proc, log_path)
            yield {"url": url, "pid": proc.pid, "command": cmd, "startup_s": time.perf_counter() - t0}
        finally:
            _stop(proc)


def _wait_ready(url: str, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"assistant serve exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"assistant serve was not ready within {READY_TIMEOUT:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the server and its workers only
        proc.wait(timeout=STOP_TIMEOUT)


def load_phase(url: str, pid: int, clients: int, seconds: float, **kwargs) -> dict:
    """One run of the load runner, with the CPU time the server, the clients and everything else used."""
    busy0, server0, client0 = busy_seconds(), load.cpu_seconds(pid), own_cpu_seconds()
    result = asyncio.run(load.run(url, clients, seconds, **kwargs))
    server = load.cpu_seconds(pid) - server0
    client = own_cpu_seconds() - client0
    busy1, wall = busy_seconds(), result["seconds"]
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = min(1.0, max(0.0, (busy1 - busy0) - server - client) / (wall * (os.cpu_count() or 1)))
    keys = ("per_second", "requests", "seconds", "p50_ms", "p95_ms", "p99_ms", "errors", "statuses")
    return {k: result[k] for k in keys} | {
        "connection_errors": result["connection_errors"],
        "server_cpu_seconds": round(server, 2),
        "server_cpu_ms_per_request": round(1000 * server / result["requests"], 2) if result["requests"] else None,
        "client_cpu_seconds": round(client, 2),
        "other_cpu_share": other,
    }


def forget_earlier_servers(data_dir: Path) -> None:
    """Drop what an earlier server left for the next one: the query vectors and the answers its
    workers computed (``Settings.query_store``, ``Settings.answer_store``, with SQLite's side files).
    A server started after another on the same data dir would otherwise answer the "first-time"
    questions from the first one's answers."""
    from assistant.settings import Settings

    settings = Settings(data_dir=data_dir, _env_file=None)
    for store in (settings.query_store, settings.answer_store):
        for path in store.parent.glob(store.name + "*"):
            path.unlink()


def measure_workers(
    data_dir: Path,
    workers: int,
    *,
    clients: int,
    seconds: float,
    warmup_s: float,
    questions: list[str],
    warmup_questions: int,
    log_path: Path,
    env: dict[str, str] | None = None,
) -> dict:
    """One server with ``workers`` processes: warm-up, first-time questions, the sustained run."""
    warm, rest = questions[:warmup_questions], questions[warmup_questions:]
    forget_earlier_servers(data_dir)  # first-time questions must be new to every worker
    with serving(data_dir, workers, log_path, env) as server:
        url, pid = server["url"], server["pid"]
        warmup = load_phase(url, pid, clients, warmup_s, pool=warm)
        first = load_phase(url, pid, clients, max(60.0, 4 * seconds), pool=rest, once=True)
        rss_start = load.rss_mb(pid)
        sustained = load_phase(url, pid, clients, seconds, pool=questions)
        rss_end = load.rss_mb(pid)
    return {
        "workers": workers,
        "clients": clients,
        "command": " ".join(["assistant", *server["command"][-7:]]),
        "startup_s": round(server["startup_s"], 2),
        **sustained,
        "rss_mb_start": round(rss_start, 1),
        "rss_mb_end": round(rss_end, 1),
        "distinct_questions": len(questions),
        "warmup": warmup,
        "first_time": first,
    }


def measure_api(
    data_dir: Path,
    *,
    workers: tuple[int, ...] = WORKERS,
    clients: int = CLIENTS,
    seconds: float = 30.0,
    warmup_s: float = 3.0,
    questions: list[str] | None = None,
    warmup_questions: int = WARMUP_QUESTIONS,
    log_dir: Path,
    env: dict[str, str] | None = None,
    log: Callable[[str], None] = lambda m: None,
) -> dict:
    """Every worker count in turn, each on a fresh server over the same data dir."""
    questions = questions if questions is not None else load.dev_questions()
    out: dict = {}
    for n in workers:
        r = measure_workers(
            data_dir,
            n,
            clients=clients,
            seconds=seconds,
            warmup_s=warmup_s,
            questions=questions,
            warmup_questions=warmup_questions,
            log_path=log_dir / f"serve-workers-{n}.log",
            env=env,
        )
        out[f"workers_{n}"] = r
        log(
            f"  API --workers {n}, {clients} clients: {r['per_second']:.1f} ask/s sustained "
            f"(p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, {r['errors']} errors); "
            f"first-time questions {r['first_time']['per_second']:.1f} ask/s"
        )
    return out
