"""The load runner: concurrent HTTP clients against a running server, for a time, a count, or once per question.

Used by ``scripts/load.py`` (the command line) and ``benchmarks/api.py`` (``make bench``). Each
client is one ``httpx.AsyncClient`` (one keep-alive connection) looping over requests; the
result gives requests per second, latency percentiles overall and by operation, HTTP statuses
and errors (any status other than 2xx, and requests that got no response).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from benchmarks.measure import percentile

DEV_SET = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "dev.jsonl"
OPERATIONS = ("ask", "stream", "search", "documents")


def dev_questions(path: Path = DEV_SET) -> list[str]:
    """The question texts of the dev set, in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


BUILD_CHILD = b"assistant.indexing.child"  # the module a build runs in (assistant/indexing/child.py)


def _is_build(pid: int) -> bool:
    try:
        return BUILD_CHILD in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _tree(pid: int, builds: bool = True) -> list[int]:
    """A process and its descendants (uvicorn's worker processes, their build processes), from
    /proc; without ``builds``, the build processes and theirs are left out."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in out or (not builds and p != pid and _is_build(p)):
            continue
        out.append(p)
        todo += _children(p)
    return out


def _children(pid: int) -> list[int]:
    """The child processes of every thread of ``pid`` (a build is started by a job's thread, and
    ``/proc/PID/task/PID/children`` lists only the main thread's)."""
    found = []
    try:
        threads = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for thread in threads:
        try:
            found += [int(c) for c in (thread / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def rss_mb(pid: int, builds: bool = True) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB; without ``builds``,
    of the serving processes only (a build runs in a process of its own that ends with it)."""
    total = 0
    for p in _tree(pid, builds):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its living children have used so far."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


async def one(client: httpx.AsyncClient, op: str, question: str) -> int:
    if op == "ask":
        r = await client.post("/api/v1/ask", json={"question": question})
    elif op == "stream":
        async with client.stream("POST", "/api/v1/ask/stream", json={"question": question}) as r:
            async for _ in r.aiter_lines():
                pass
    elif op == "search":
        r = await client.post("/api/v1/search", json={"query": question, "k": 10})
    elif op == "documents":
        r = await client.get("/api/v1/documents")
    else:
        raise ValueError(f"unknown operation {op!r}; one of {', '.join(OPERATIONS)}")
    return r.status_code


async def run(
    url: str,
    clients: int,
    seconds: float,
    count: int | None = None,
    mix: dict[str, int] | None = None,
    headers: dict | None = None,
    seed: int = 0,
    pool: list[str] | None = None,
    once: bool = False,
) -> dict:
    """``clients`` concurrent loops of requests until ``seconds`` pass (or ``count`` requests are done).

    Questions are drawn at random from ``pool`` (default: the dev set); with ``once``, every
    question of the pool is asked exactly once, in a shuffled order, and the run ends when they
    are all answered (``seconds`` still bounds it).
    """
    pool = list(pool if pool is not None else dev_questions())
    mix = mix or {"ask": 1}
    ops = [op for op, weight in mix.items() for _ in range(weight)]
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    errors: Counter = Counter()
    done = 0
    random.Random(seed).shuffle(pool)
    queue = iter(pool)
    deadline = time.monotonic() + seconds

    async def client_loop(n: int) -> None:
        nonlocal done
        local = random.Random(seed + n)
        async with httpx.AsyncClient(base_url=url, headers=headers or {}, timeout=60) as client:
            while time.monotonic() < deadline and (count is None or done < count):
                question = next(queue, None) if once else local.choice(pool)
                if question is None:
                    return
                op = local.choice(ops)
                started = time.perf_counter()
                try:
                    status = await one(client, op, question)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                done += 1
                latencies[op].append((time.perf_counter() - started) * 1000)
                statuses[status] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client_loop(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    every = [x for v in latencies.values() for x in v]
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(every),
        "per_second": round(len(every) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(every, 50), 1) if every else None,
        "p95_ms": round(percentile(every, 95), 1) if every else None,
        "p99_ms": round(percentile(every, 99), 1) if every else None,
        "by_operation": {
            op: {
                "requests": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
                "p99_ms": round(percentile(v, 99), 1),
            }
            for op, v in latencies.items()
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "connection_errors": dict(errors),
        "errors": sum(v for k, v in statuses.items() if not 200 <= k < 300) + sum(errors.values()),
    }
