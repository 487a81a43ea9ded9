"""The load runner: concurrent HTTP clients against a running server, for a time, a count, or once per question.

Used by ``scripts/load.py`` (the command line) and ``benchmarks/api.py`` (``make bench``). Each
client is one ``httpx.AsyncClient`` (one keep-alive connection) looping over requests; the
result gives requests per second, latency percentiles overall and by operation, HTTP statuses
and errors (any status other than 2xx, and requests that got no response).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from assistant.indexing.child import MODULE as BUILD_MODULE
from benchmarks.measure import percentile

DEV_SET = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "dev.jsonl"
OPERATIONS = ("ask", "stream", "search", "documents")


def dev_questions(path: Path = DEV_SET) -> list[str]:
    """The question texts of the dev set, in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


PF_FORKNOEXEC = 0x40  # a process forked and not yet running its own program (linux/sched.h)


def _argv(pid: int) -> list[bytes] | None:
    """A process's command line, or None when it has none of its own yet: between a (v)fork and
    its exec a child shows its parent's command line and memory, and would count it twice."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if int(fields[6]) & PF_FORKNOEXEC:  # field 9 of stat, the flags
            return None
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, IndexError, ValueError):
        return None


def _is_build(argv: list[bytes]) -> bool:
    """``python … -m assistant.indexing.child …``: the process an index build runs in."""
    module = BUILD_MODULE.encode()
    return any(a == b"-m" and b == module for a, b in itertools.pairwise(argv))


def _tree(pid: int, builds: bool = False) -> list[int]:
    """A process and its descendants (uvicorn's worker processes), from /proc; with ``builds``,
    also the processes index builds run in (and theirs)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        if p != pid:
            argv = _argv(p)
            if argv is None or (not builds and _is_build(argv)):
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


def rss_mb(pid: int, builds: bool = False) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB; with ``builds``,
    also of the processes index builds run in (each ends with its build)."""
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
    """CPU time (user + system) a process and its living children (not builds) have used so far."""
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
