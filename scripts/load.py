"""A bounded load test of a running server on loopback: concurrent clients for a time or a count.

    python scripts/load.py http://127.0.0.1:8000 --clients 32 --seconds 30 --mix ask=1
    python scripts/load.py http://127.0.0.1:8000 --clients 64 --seconds 60 --mix ask=4,stream=2,search=3,documents=1 \\
        --pid 12345 --json /tmp/load.json

Prints (and with ``--json`` writes) requests per second, latency p50/p95/p99 by operation, status
counts and, with ``--pid``, the server's resident memory at the start and the end (summed over its
worker processes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    path = ROOT / "eval" / "datasets" / "dev.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo += [int(c) for c in children]
        except (OSError, ValueError):
            continue
    return total / 1024


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
        raise ValueError(op)
    return r.status_code


async def run(
    url: str, clients: int, seconds: float, count: int | None, mix: dict[str, int], headers: dict, seed: int
) -> dict:
    pool = questions()
    rng = random.Random(seed)
    ops = [op for op, weight in mix.items() for _ in range(weight)]
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    errors: Counter = Counter()
    done = 0
    deadline = time.monotonic() + seconds

    async def client_loop(n: int) -> None:
        nonlocal done
        local = random.Random(seed + n)
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            while time.monotonic() < deadline and (count is None or done < count):
                op = local.choice(ops)
                started = time.perf_counter()
                try:
                    status = await one(client, op, local.choice(pool))
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                done += 1
                latencies[op].append((time.perf_counter() - started) * 1000)
                statuses[status] += 1

    rng.shuffle(pool)
    started = time.perf_counter()
    await asyncio.gather(*(client_loop(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    every = [x for v in latencies.values() for x in v]

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0.0)

    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(every),
        "per_second": round(len(every) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pct(every, 50), 1),
        "p95_ms": round(pct(every, 95), 1),
        "p99_ms": round(pct(every, 99), 1),
        "by_operation": {
            op: {"requests": len(v), "p50_ms": round(pct(v, 50), 1), "p99_ms": round(pct(v, 99), 1)}
            for op, v in latencies.items()
        },
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "connection_errors": dict(errors),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--count", type=int, default=None, help="stop after this many requests")
    parser.add_argument("--mix", default="ask=1", help="operations and weights: ask, stream, search, documents")
    parser.add_argument("--key", default=None, help="API key (X-API-Key)")
    parser.add_argument("--pid", type=int, default=None, help="server process id, for its memory")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    mix = {k: int(v) for k, v in (part.split("=") for part in args.mix.split(","))}
    headers = {"X-API-Key": args.key} if args.key else {}
    before = rss_mb(args.pid) if args.pid else None
    result = asyncio.run(run(args.url, args.clients, args.seconds, args.count, mix, headers, args.seed))
    if args.pid:
        after = rss_mb(args.pid)
        result["rss_mb_start"], result["rss_mb_end"] = round(before, 1), round(after, 1)
        result["rss_growth"] = round((after - before) / before, 3) if before else None
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
