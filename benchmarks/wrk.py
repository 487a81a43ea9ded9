"""The same load as ``benchmarks/load.py``, sent by wrk (Debian's load generator, in C).

On a 2-core machine the Python clients of ``load.run`` take a large part of the CPU the server is
measured on, and their own waits for it count in the latencies they report. wrk sends the same mix
of requests (ask, stream, search, documents over the dev set's questions, by weight) from two
threads at a small fraction of that CPU. It gives the latency over all requests (wrk measures
no operation apart), statuses and errors, in the shape ``load.run`` returns.

Two differences from ``load.run``: when the time is up wrk drops the requests still in flight
(at most one per client; ``load.run`` waits for them, and the slow ones are likelier to be in
flight), so the result also gives the 99th percentile with those counted as the slowest
(``p99_bound_ms``); and a request slower than the 60 s timeout is left out of wrk's latencies and
counted as an error, where httpx stops it.
``scripts/install-wrk.sh`` installs it; ``python scripts/soak.py --client wrk`` uses it.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import tempfile
from pathlib import Path

from benchmarks.load import OPERATIONS, dev_questions

MARK = "WRKJSON "

SCRIPT = r"""
local requests = {
%(requests)s
}
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(%(seed)d + id)
  -- wrk calls request() once on its first thread to check the script: that one is never sent
  sent, answered, codes = (id == 1) and -1 or 0, 0, {}
end
function request()
  sent = sent + 1
  local r = requests[math.random(#requests)]
  if r[3] == "" then
    return wrk.format(r[1], r[2])
  end
  return wrk.format(r[1], r[2], {["Content-Type"] = "application/json"}, r[3])
end
function response(status, headers, body)
  answered = answered + 1
  codes[status] = (codes[status] or 0) + 1
end
function done(summary, latency, requests)
  local unfinished, all = 0, {}
  for _, t in ipairs(threads) do
    unfinished = unfinished + t:get("sent") - t:get("answered")
    for code, n in pairs(t:get("codes")) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format("\"%%d\": %%d", code, n)) end
  local n = summary.requests
  -- requests still in flight when the time is up are dropped by wrk; counted as the slowest, the
  -- 99th percentile of all is this percentile of the completed ones (none when they outnumber 1 %%)
  local bound = -1
  if n > 0 and 99 * (n + unfinished) / n <= 100 then bound = latency:percentile(99 * (n + unfinished) / n) end
  local e = summary.errors
  io.write(string.format(
    "%(mark)s{\"requests\": %%d, \"duration_us\": %%d, \"p50_us\": %%d, \"p95_us\": %%d, \"p99_us\": %%d, " ..
    "\"p99_bound_us\": %%d, \"max_us\": %%d, \"unfinished\": %%d, \"codes\": {%%s}, \"connect\": %%d, " ..
    "\"read\": %%d, \"write\": %%d, \"timeout\": %%d}\n",
    n, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), bound,
    latency.max, unfinished, table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
"""


def _lua(text: str) -> str:
    """A Lua long string holding ``text`` as it is (UTF-8 bytes)."""
    level = "=" * 4
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def script(mix: dict[str, int], seed: int = 0, pool: list[str] | None = None) -> str:
    """The wrk script: one entry per (question, operation) by the mix's weights, drawn at random."""
    unknown = set(mix) - set(OPERATIONS)
    if unknown:
        raise ValueError(f"unknown operation {sorted(unknown)}; one of {', '.join(OPERATIONS)}")
    pool = list(pool if pool is not None else dev_questions())
    random.Random(seed).shuffle(pool)
    rows = []
    for question in pool:
        for op, weight in mix.items():
            if op == "ask":
                row = ("POST", "/api/v1/ask", {"question": question})
            elif op == "stream":
                row = ("POST", "/api/v1/ask/stream", {"question": question})
            elif op == "search":
                row = ("POST", "/api/v1/search", {"query": question, "k": 10})
            else:
                row = ("GET", "/api/v1/documents", None)
            body = "" if row[2] is None else json.dumps(row[2], ensure_ascii=False)
            rows += [f"  {{{_lua(row[0])}, {_lua(row[1])}, {_lua(body)}}}," for _ in range(weight)]
    return SCRIPT % {"requests": "\n".join(rows), "seed": seed, "mark": MARK}


def parse(output: str) -> dict:
    """The figures of wrk's run from the line ``done()`` writes."""
    for line in output.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    raise RuntimeError(f"wrk wrote no result line; its output was:\n{output[-2000:]}")


def result(raw: dict, clients: int) -> dict:
    """``raw`` in the shape ``benchmarks.load.run`` returns, with what only wrk tells: the requests
    in flight it dropped when the time was up (``unfinished``) and the 99th percentile counting them
    as the slowest (``p99_bound_ms``; None when they are more than 1 % of the requests). A run in
    which nothing was answered, or a request outlived the timeout (wrk leaves it out of the
    latencies), counts as a connection error: a hung server does not pass."""
    n = raw["requests"]
    seconds = raw["duration_us"] / 1e6
    statuses = {str(k): v for k, v in sorted(raw["codes"].items(), key=lambda kv: int(kv[0]))}
    errors = {k: raw[k] for k in ("connect", "read", "write", "timeout") if raw[k]}
    if n == 0:
        errors["no response"] = max(raw["unfinished"], 1)

    def ms(key: str) -> float | None:
        return round(raw[key] / 1000, 1) if n and raw[key] >= 0 else None

    return {
        "clients": clients,
        "client": "wrk",
        "seconds": round(seconds, 2),
        "requests": n,
        "per_second": round(n / seconds, 1) if seconds else 0.0,
        "p50_ms": ms("p50_us"),
        "p95_ms": ms("p95_us"),
        "p99_ms": ms("p99_us"),
        "p99_bound_ms": ms("p99_bound_us"),
        "max_ms": ms("max_us"),
        "unfinished": raw["unfinished"],
        "by_operation": {},
        "statuses": statuses,
        "server_errors": sum(v for k, v in statuses.items() if int(k) >= 500),
        "connection_errors": errors,
        "errors": sum(v for k, v in statuses.items() if not 200 <= int(k) < 300) + sum(errors.values()),
    }


def _threads(threads: int, clients: int) -> int:
    """wrk gives each thread ``clients // threads`` connections: as many threads as divide ``clients``."""
    return next(t for t in range(min(threads, clients), 0, -1) if clients % t == 0)


async def run_wrk(
    url: str,
    clients: int,
    seconds: float,
    mix: dict[str, int] | None = None,
    seed: int = 0,
    pool: list[str] | None = None,
    threads: int = 2,
) -> dict:
    """``clients`` connections from ``threads`` wrk threads for ``seconds`` (whole seconds, at least 1)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: run scripts/install-wrk.sh")
    with tempfile.TemporaryDirectory(prefix="wrk-") as tmp:
        path = Path(tmp) / "mix.lua"
        path.write_text(script(mix or {"ask": 1}, seed, pool), encoding="utf-8")
        proc = await asyncio.create_subprocess_exec(
            wrk,
            f"-t{_threads(threads, clients)}",
            f"-c{clients}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "60s",
            "-s",
            str(path),
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}:\n{text[-2000:]}")
    return result(parse(text), clients)
