"""The same load as ``benchmarks/load.py``, sent by wrk (Debian's load generator, in C).

On a 2-core machine the Python clients of ``load.run`` take a large part of the CPU the server is
measured on, and their own waits for it count in the latencies they report. wrk sends the same mix
of requests (ask, stream, search, documents over the dev set's questions, by weight) from two
threads at a small fraction of that CPU. It gives the latency over all requests (wrk measures
no operation apart), statuses and errors, in the shape ``load.run`` returns.
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
  s2, s4, s5, other = 0, 0, 0, 0
end
function request()
  local r = requests[math.random(#requests)]
  if r[3] == "" then
    return wrk.format(r[1], r[2])
  end
  return wrk.format(r[1], r[2], {["Content-Type"] = "application/json"}, r[3])
end
function response(status, headers, body)
  if status >= 200 and status < 300 then s2 = s2 + 1
  elseif status >= 500 then s5 = s5 + 1
  elseif status >= 400 then s4 = s4 + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local t2, t4, t5, to = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    t2 = t2 + t:get("s2"); t4 = t4 + t:get("s4"); t5 = t5 + t:get("s5"); to = to + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    "%(mark)s{\"requests\": %%d, \"duration_us\": %%d, \"p50_us\": %%d, \"p95_us\": %%d, \"p99_us\": %%d, " ..
    "\"max_us\": %%d, \"s2xx\": %%d, \"s4xx\": %%d, \"s5xx\": %%d, \"sother\": %%d, \"connect\": %%d, " ..
    "\"read\": %%d, \"write\": %%d, \"timeout\": %%d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, t2, t4, t5, to, e.connect, e.read, e.write, e.timeout))
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
    """``raw`` in the shape ``benchmarks.load.run`` returns."""
    seconds = raw["duration_us"] / 1e6
    statuses = {k: v for k, v in (("2xx", raw["s2xx"]), ("4xx", raw["s4xx"]), ("5xx", raw["s5xx"])) if v}
    if raw["sother"]:
        statuses["other"] = raw["sother"]
    errors = {k: raw[k] for k in ("connect", "read", "write", "timeout") if raw[k]}
    return {
        "clients": clients,
        "client": "wrk",
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "per_second": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "by_operation": {},
        "statuses": statuses,
        "server_errors": raw["s5xx"],
        "connection_errors": errors,
        "errors": raw["s4xx"] + raw["s5xx"] + raw["sother"] + sum(errors.values()),
    }


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
            f"-t{min(threads, clients)}",
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
