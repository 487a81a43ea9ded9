"""A bounded load test of a running server on loopback: concurrent clients for a time or a count.

    python scripts/load.py http://127.0.0.1:8000 --clients 32 --seconds 30 --mix ask=1
    python scripts/load.py http://127.0.0.1:8000 --clients 64 --seconds 60 --mix ask=4,stream=2,search=3,documents=1 \\
        --pid 12345 --json /tmp/load.json

Prints (and with ``--json`` writes) requests per second, latency p50/p95/p99 by operation, status
counts and, with ``--pid``, the server's resident memory at the start and the end (summed over its
worker processes). The runner itself is ``benchmarks/load.py`` (``make bench`` uses it too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import rss_mb, run  # noqa: E402


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
