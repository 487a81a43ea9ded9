"""``make bench``: the assistant and the LangChain recipe measured in one run, alternating.

    python -m benchmarks                  # 3 repetitions; writes docs/benchmarks.md, docs/bench-*.png
    python -m benchmarks --quick          # 1 repetition, fewer latency samples, recipe rebuilds skipped
    python -m benchmarks --no-doc --json /tmp/bench.json

Each repetition builds both systems from scratch (assistant, then recipe: A B A B …), each in
a fresh process on a fresh copy of ``documents/`` in a temp dir (the repository's ``index/``
is never touched), then serves both, again one process each, so memory figures are each
system's own. The recipe has no change detection, so its two rebuilds (nothing changed, one
document changed) re-embed everything; they run in the first repetition only (not with
``--quick``). Figures and the raw samples go to ``docs/benchmarks.json``; the table and the
plots to ``docs/benchmarks.md`` (between its ``bench:begin``/``bench:end`` markers) and
``docs/bench-*.png``.

API throughput: the HTTP API does not exist yet. The API work adds its measurement here
(a worker ``api`` step) and its row in ``report.markdown``; until then the table says
"not measured yet".

A report, not a gate: exits 0 unless a measurement could not run at all.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import report
from benchmarks.measure import loadavg, machine, wait_for_idle

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO / "eval" / "datasets" / "dev.jsonl"
DOC = REPO / "docs" / "benchmarks.md"
JSON = REPO / "docs" / "benchmarks.json"
ORDER = ("assistant", "recipe")


def _worker(args: list[str], log) -> dict:
    out = Path(args[args.index("--out") + 1])
    cmd = [sys.executable, "-m", "benchmarks.worker", *args]
    log(" ".join(["worker", *args[:3]]))
    done = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def fresh_data_dir(root: Path) -> Path:
    docs = root / "documents"
    docs.mkdir(parents=True)
    for pattern in ("*.txt", "*.meta.yaml"):
        for p in sorted((REPO / "documents").glob(pattern)):
            shutil.copy2(p, docs / p.name)
    return root


def measure(reps: int, quick: bool, n_latency: int, rounds: int, work: Path, log) -> list[dict]:
    results: list[dict] = []
    for rep in range(reps):
        row: dict = {s: {} for s in ORDER}
        for system in ORDER:
            base = work / f"rep{rep + 1}" / system
            data = fresh_data_dir(base / "build")
            args = ["build", "--system", system, "--data-dir", str(data), "--serve-copy", str(base / "serve")]
            args += ["--out", str(base / "build.json")]
            if system == "recipe" and (quick or rep > 0):
                args.append("--no-rebuilds")  # it re-embeds everything: the same work as a cold build
            row[system]["build"] = _worker(args, log)
            c = row[system]["build"]["cold"]
            log(
                f"  rep {rep + 1} {system}: cold build {c['seconds']:.1f} s, {c['texts']} passages, {c['tokens']} tokens"
            )
        for system in ORDER:
            base = work / f"rep{rep + 1}" / system
            args = ["serve", "--system", system, "--data-dir", str(base / "serve"), "--out", str(base / "serve.json")]
            args += ["--questions", str(DEV_SET), "--latency-questions", str(n_latency), "--rounds", str(rounds)]
            row[system]["serve"] = _worker(args, log)
            s = row[system]["serve"]
            log(
                f"  rep {rep + 1} {system}: ask p50 {s['ask_first']['p50']:.1f} ms first-time, "
                f"{s['ask_repeat']['p50']:.1f} ms repeated; recall@5 {s['quality']['recall@5']:.3f}"
            )
        results.append(row)
    return results


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
        return out.stdout.strip() + ("+changes" if dirty.strip() else "")
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 repetition, 50 latency questions × 1 round")
    ap.add_argument("--reps", type=int, help="repetitions (default 3; 1 with --quick)")
    ap.add_argument("--rounds", type=int, help="rounds of repeated questions (default 3; 1 with --quick)")
    ap.add_argument("--latency-questions", type=int, help="questions per round (default 100; 50 with --quick)")
    ap.add_argument("--json", type=Path, help=f"raw results (default {JSON.relative_to(REPO)}, none with --no-doc)")
    ap.add_argument("--no-doc", action="store_true", help="do not touch docs/ (print the table only)")
    ap.add_argument("--wait-idle", type=float, default=0, metavar="S", help="first wait ≤ S s for a quiet CPU")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (indexes, predictions)")
    args = ap.parse_args(argv)
    reps = args.reps or (1 if args.quick else 3)
    rounds = args.rounds or (1 if args.quick else 3)
    n_latency = args.latency_questions or (50 if args.quick else 100)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    if args.wait_idle > 0:
        waited = wait_for_idle(args.wait_idle)
        log("Machine still busy; measuring anyway." if waited is None else f"Idle after {waited:.0f} s.")
    meta = {
        "started": time.strftime("%Y-%m-%d %H:%M"),
        "commit": _commit(),
        "command": "python -m benchmarks" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip(),
        "machine": machine(),
        "reps": reps,
        "rounds": rounds,
        "latency_questions": n_latency,
        "quick": args.quick,
        "order": [s[0].upper() for _ in range(reps) for s in ORDER],
        "loadavg_start": loadavg(),
    }
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    try:
        reps_results = measure(reps, args.quick, n_latency, rounds, work, log)
    except RuntimeError as exc:
        log(f"BENCH FAILED: {exc}")
        return 1
    finally:
        if args.keep:
            log(f"Kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    meta["finished"] = time.strftime("%H:%M")
    meta["loadavg_end"] = loadavg()
    results = {"meta": meta, "reps": reps_results}

    plots = {}
    if not args.no_doc:
        plots = report.plot(results, DOC.parent)
    section = report.markdown(results, plots)
    print(section)
    if args.json is None and not args.no_doc:
        args.json = JSON
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_doc:
        report.write_doc(DOC, section)
        log(f"Written: {DOC.relative_to(REPO)}, docs/bench-*.png, {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
