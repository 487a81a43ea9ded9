"""The API rows of the benchmark table, the throughput targets and how the API was measured."""

from __future__ import annotations

from benchmarks.cells import row, spread, values

#: Target of issues 10 and 12: ``ask`` requests per second through the API.
API_ASK_PER_S = 60.0
API_CLIENTS = 32
API_WORKERS = 2  # the recommended setting on 2 cores: the figure of the targets


def api_targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """≥ 60 ask/s with 32 clients and zero errors on the recommended worker count, in every repetition:
    for the sustained run (dev questions drawn at random, mostly repeats) and for first-time questions."""
    key = f"workers_{API_WORKERS}"
    rows = []
    for sub, label in (((), "repeated questions (sustained run)"), (("first_time",), "first-time questions")):
        name = f"≥ {API_ASK_PER_S:.0f} ask/s through the API with {API_CLIENTS} clients, zero errors, {label}"
        rate = values(results, "assistant", ("api", key, *sub, "per_second"))
        clients = values(results, "assistant", ("api", key, "clients"))
        if not rate:
            rows.append((name, "not measured (`--api-seconds 0`)", None))
            continue
        errors = sum(values(results, "assistant", ("api", key, *sub, "errors")))
        measured = (
            f"{spread(rate, '.1f')} ask/s, `--workers {API_WORKERS}`, {clients[0]:.0f} clients "
            f"(worst repetition {min(rate):.1f}); {errors:.0f} errors"
        )
        ok = min(rate) >= API_ASK_PER_S and errors == 0 and all(c == API_CLIENTS for c in clients)
        rows.append((name, measured, ok))
    return rows


def api_workers(results: dict) -> list[int]:
    """The worker counts the API was measured with, recommended one first."""
    found = {
        int(key.split("_", 1)[1])
        for rep in results["reps"]
        for key in rep.get("assistant", {}).get("api", {})
        if key.startswith("workers_")
    }
    return sorted(found, key=lambda n: (n != API_WORKERS, n))


def api_rows(results: dict) -> list[str]:
    """The API rows of the table: the recipe has no HTTP API (—), so no ratio either."""
    workers = api_workers(results)
    if not workers:
        return [f"| API throughput, {API_CLIENTS} clients (ask/s) | *not measured* | — | |"]
    api = results["meta"].get("api", {})
    clients = api.get("clients", API_CLIENTS)
    lines = []
    for n in workers:
        path = ("api", f"workers_{n}")
        w = f"`--workers {n}`" + (" (recommended)" if n == API_WORKERS else "")
        lines += [
            row(f"API `ask`/s, {clients} clients, {w}", results, (*path, "per_second"), ".1f", ratio=False),
            row("  API ask p50 (ms)", results, (*path, "p50_ms"), ".1f", ratio=False),
            row("  API ask p95 (ms)", results, (*path, "p95_ms"), ".1f", ratio=False),
            row("  API ask p99 (ms)", results, (*path, "p99_ms"), ".1f", ratio=False),
            row("  API errors (non-2xx or no response)", results, (*path, "errors"), ".0f", ratio=False),
            row("  server CPU per answer (ms)", results, (*path, "server_cpu_ms_per_request"), ".1f", ratio=False),
            row(
                "  first-time questions (each once): ask/s",
                results,
                (*path, "first_time", "per_second"),
                ".1f",
                ratio=False,
            ),
            row("  first-time questions: p50 (ms)", results, (*path, "first_time", "p50_ms"), ".1f", ratio=False),
            row(
                "  first-time questions: server CPU per answer (ms)",
                results,
                (*path, "first_time", "server_cpu_ms_per_request"),
                ".1f",
                ratio=False,
            ),
        ]
    return lines


def api_note(results: dict) -> list[str]:
    """How the API rows were measured: the command, the load, what shared the cores."""
    workers = api_workers(results)
    if not workers:
        return []
    api = results["meta"].get("api", {})
    path = ("api", f"workers_{workers[0]}")
    first = values(results, "assistant", (*path, "first_time", "requests"))
    distinct = values(results, "assistant", (*path, "distinct_questions"))
    server = values(results, "assistant", (*path, "server_cpu_seconds"))
    client = values(results, "assistant", (*path, "client_cpu_seconds"))
    seconds = api.get("seconds", 30)
    clients = api.get("clients", API_CLIENTS)
    return [
        f"**API** (assistant only; the recipe has no HTTP API): `assistant serve --host 127.0.0.1 --port <free> "
        f"--workers N` on the assistant's served copy (`ASSISTANT_RATE_LIMIT_PER_MINUTE=0`), one server per "
        f"worker count. {clients} concurrent clients warm it up, then ask {spread(first, '.0f')} other dev "
        "questions once each (first-time rows: every request embeds its question), then ask dev questions "
        f"drawn at random for {seconds:g} s (the other API rows). With {spread(distinct, '.0f')} distinct "
        "questions, most requests of that sustained run are repeats that the query-vector cache of the worker "
        "answers without the model. The load runner (`benchmarks/load.py`; by hand: `python scripts/load.py "
        f"http://127.0.0.1:8000 --clients {clients} --seconds {seconds:g} --mix ask=1`) shares the cores with "
        f"the server: over the sustained run, `--workers {workers[0]}`, it used {spread(client, '.1f')} CPU-s, "
        f"the server {spread(server, '.1f')} CPU-s. Server CPU per answer is the cost the cores have to "
        "carry whatever else runs: two free cores give at most 2,000 ÷ that many answers per second.",
        "",
    ]
