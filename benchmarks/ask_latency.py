"""``ask`` latency of the answer path in one process, warm: 120 dev questions asked once (first-time:
the question is embedded; in a fresh process, and in one that answered the other 265 dev questions
first, as a running server has) and again (repeated: the query vector comes from the cache, the answer
is computed again), then from the answer cache (asked a third time with the cache on).

    OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.ask_latency

Uses the repository's built index (``make index`` first). ``make bench`` measures the same beside
the LangChain recipe; this is the quick check for the answerer's own cost.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from assistant.pipeline import Pipeline
from assistant.settings import Settings

DEV = Path(__file__).resolve().parent.parent / "eval" / "datasets" / "dev.jsonl"


def main(n: int = 120) -> None:
    every = [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    questions, others = every[:n], every[n:]
    pipeline = Pipeline(Settings(answer_cache_size=0))
    pipeline.ask("khởi động")  # loads the index and the models
    # A server that has answered other questions: the texts of the passages it read are tokenized.
    served = Pipeline(Settings(answer_cache_size=0), pipeline.embedder)
    for q in others:
        served.ask(q)
    cached = Pipeline(Settings(), pipeline.embedder)
    for q in questions:
        cached.ask(q)
    for label, asking in (
        ("first-time, fresh process", pipeline),
        ("first-time, after other questions", served),
        ("repeated", pipeline),
        ("answer cache", cached),
    ):
        total, answer = [], []
        for q in questions:
            start = time.perf_counter()
            a = asking.ask(q)
            total.append((time.perf_counter() - start) * 1000)
            answer.append(a.timings.get("answer_ms", 0.0))
        total.sort()
        answer.sort()
        print(
            f"{label}: ask p50 {total[len(total) // 2]:.1f} ms, p95 {total[int(len(total) * 0.95)]:.1f} ms; "
            f"answer step p50 {answer[len(answer) // 2]:.1f} ms"
        )
    print("load average", os.getloadavg())


if __name__ == "__main__":
    main()
