"""The benchmark's peer (the LangChain recipe) and its report, on small real data."""

from __future__ import annotations

import shutil

import httpx
import pytest

from assistant.evaluation.dataset import Question
from assistant.retrieval.embeddings import HashingEmbeddings
from benchmarks import api_report, recipe, report
from benchmarks.measure import percentile, summary
from tests.conftest import DOCUMENTS

DOCS = ("tra-vinh-ke-hoach-ktxh-tttt-2024.txt", "tra-vinh-qd-2063-ung-dung-cntt-2020.txt")


@pytest.fixture
def recipe_dir(tmp_path):
    docs = tmp_path / "documents"
    docs.mkdir()
    for name in DOCS:
        shutil.copy(DOCUMENTS / name, docs / name)
    return tmp_path


def test_recipe_splits_1000_200_embeds_and_answers_with_the_top_passage(recipe_dir):
    made = recipe.build(recipe_dir / "documents", recipe_dir / "idx", HashingEmbeddings())
    texts = made.texts
    assert made.passages == len(texts) > 20
    assert max(len(t) for t in texts) <= 1000
    assert (recipe_dir / "idx" / "index.faiss").is_file()

    served = recipe.Recipe(recipe_dir / "idx", HashingEmbeddings())
    hits = served.search("Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?")
    assert 1 <= len(hits) <= 10
    assert any("BTS" in h.page_content for h in hits[:5])
    assert {h.metadata["source"] for h in hits} <= set(DOCS)
    answer, passages = served.ask("Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?")
    assert answer == passages[0].page_content


def test_recipe_bm25_uses_whitespace_tokens_so_folded_words_miss(recipe_dir):
    recipe.build(recipe_dir / "documents", recipe_dir / "idx", HashingEmbeddings())
    served = recipe.Recipe(recipe_dir / "idx", HashingEmbeddings())
    bm25 = served.retriever.retrievers[0]
    assert bm25.preprocess_func("Trạm BTS, năm 2023") == ["Trạm", "BTS,", "năm", "2023"]
    assert served.retriever.weights == [0.5, 0.5]


def test_served_recipe_gives_predictions_the_evaluation_scores(recipe_dir):
    from benchmarks.systems import RECIPE_INDEX, ServedRecipe

    recipe.build(recipe_dir / "documents", recipe_dir / RECIPE_INDEX, HashingEmbeddings())
    served = ServedRecipe.__new__(ServedRecipe)
    served.recipe = recipe.Recipe(recipe_dir / RECIPE_INDEX, HashingEmbeddings())
    q = Question(
        id="q1",
        doc=DOCS[0],
        question="Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
        type="text",
        answer="x",
        evidence=["BTS"],
        difficulty="easy",
    )
    p = served.ask(q)
    assert p.retrieved and p.answer == p.retrieved[0]["text"] and not p.abstained
    assert p.latency_ms > 0


def test_percentiles_interpolate():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert summary([1.0, 3.0])["p50"] == 2.0


def test_api_step_serves_concurrent_ask_clients_without_errors_and_stops_the_server(recipe_dir):
    """The real ``assistant serve --workers 2`` on 127.0.0.1, 2 clients for 2 s, hashing embedder."""
    from assistant.indexing.builder import build_index
    from assistant.settings import Settings
    from benchmarks import api, load

    settings = Settings(data_dir=recipe_dir, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    questions = load.dev_questions()[:12]
    result = api.measure_api(
        recipe_dir,
        workers=(2,),
        clients=2,
        seconds=2,
        warmup_s=0.5,
        questions=questions,
        warmup_questions=4,
        log_dir=recipe_dir,
        env={"ASSISTANT_EMBEDDER": "hashing"},
    )
    r = result["workers_2"]
    assert set(result) == {"workers_2"} and r["workers"] == 2 and r["clients"] == 2
    assert r["command"].startswith("assistant serve --host 127.0.0.1 --port ") and r["command"].endswith("--workers 2")
    assert r["requests"] > 0 and r["per_second"] > 0
    assert r["errors"] == 0 and r["connection_errors"] == {} and r["statuses"] == {"200": r["requests"]}
    assert 0 < r["p50_ms"] <= r["p95_ms"] <= r["p99_ms"]
    assert r["first_time"]["requests"] == len(questions) - 4 and r["first_time"]["errors"] == 0
    assert r["warmup"]["errors"] == 0 and r["rss_mb_start"] > 0
    assert r["server_cpu_seconds"] > 0 and r["server_cpu_ms_per_request"] > 0 and r["client_cpu_seconds"] > 0
    assert "127.0.0.1" in (recipe_dir / "serve-workers-2.log").read_text("utf-8")
    with pytest.raises(httpx.HTTPError):  # stopped: nothing listens on its port any more
        httpx.get(f"http://127.0.0.1:{r['command'].split('--port ')[1].split()[0]}/readyz", timeout=2)


def _results(a_cold, r_cold, api=None):
    def system(cold, ask_p50, recall):
        return {
            "build": {"cold": {"seconds": cold, "texts": 10, "tokens": 1000, "other_cpu_share": 0.0}},
            "serve": {
                "ask_first": {"p50": ask_p50, "p95": 2 * ask_p50, "samples": [ask_p50]},
                "ask_repeat": {"p50": ask_p50 / 4, "p95": ask_p50, "samples": [ask_p50 / 4]},
                "quality": {"recall@5": recall, "mrr@10": recall - 0.1, "accuracy": recall - 0.2},
                "quality_without_diacritics": {"recall@5": recall, "n_with_evidence": 45},
            },
        }

    reps = [{"assistant": system(a, 12.0, 0.98), "recipe": system(r, 15.0, 0.75)} for a, r in zip(a_cold, r_cold)]
    for rep, rate in zip(reps, api or []):
        rep["assistant"]["api"] = {
            f"workers_{n}": {
                "workers": n,
                "clients": 32,
                "per_second": rate / (3 - n),
                "p50_ms": 400.0,
                "p95_ms": 600.0,
                "p99_ms": 800.0,
                "errors": 0,
                "server_cpu_seconds": 50.0,
                "server_cpu_ms_per_request": 9.0,
                "client_cpu_seconds": 8.0,
                "distinct_questions": 385,
                "other_cpu_share": 0.0,
                "first_time": {"per_second": rate / 3, "requests": 353, "p50_ms": 900.0},
            }
            for n in (2, 1)
        }
    meta = {
        "started": "2026-11-26 01:00",
        "finished": "01:30",
        "commit": "abc",
        "command": "python -m benchmarks",
        "machine": {"nproc": 2, "cpu": "AMD EPYC", "ram_gb": 23.5, "python": "3.11.7"},
        "reps": len(reps),
        "rounds": 3,
        "latency_questions": 100,
        "order": ["A", "R"] * len(reps),
        "api": {"seconds": 30, "clients": 32, "workers": "2,1"},
        "loadavg_start": [0.1, 0.1, 0.1],
        "loadavg_end": [0.2, 0.2, 0.2],
    }
    return {"meta": meta, "reps": reps}


def test_report_gives_median_spread_and_paired_ratios_and_judges_targets():
    results = _results([30.0, 36.0, 33.0], [40.0, 40.0, 50.0])
    assert report.paired_ratio(results, ("build", "cold", "seconds")) == [0.75, 0.9, 0.66]
    text = report.markdown(results, {"Latency": "bench-latency.png"})
    assert "| cold build (s), model load included | 33.0 (30.0–36.0) | 40.0 (40.0–50.0) | 0.75 (0.66–0.90) |" in text
    targets = {name: ok for name, _, ok in report.targets(results)}
    assert targets["cold build ≤ 0.8× the recipe's"] is False  # the worst repetition counts
    assert targets["ask p50 ≤ 10 ms warm, first-time questions"] is False
    assert targets["ask p50 ≤ 10 ms warm, repeated questions"] is True
    assert "| API throughput, 32 clients (ask/s) | *not measured* | — | |" in text
    assert "![Latency](bench-latency.png)" in text


def test_report_gives_api_rows_for_the_assistant_only_and_judges_the_throughput_target():
    results = _results([30.0, 36.0, 33.0], [40.0, 40.0, 50.0], api=[70.0, 58.0, 66.0])
    text = report.markdown(results, {})
    assert "| API `ask`/s, 32 clients, `--workers 2` (recommended) | 66.0 (58.0–70.0) | — |  |" in text
    assert "| API `ask`/s, 32 clients, `--workers 1` | 33.0 (29.0–35.0) | — |  |" in text
    assert "|   API ask p99 (ms) | 800.0 (800.0–800.0) | — |  |" in text
    assert "|   first-time questions (each once): ask/s | 22.0 (19.3–23.3) | — |  |" in text
    assert text.index("`--workers 2` (recommended)") < text.index("`--workers 1`")
    assert "python scripts/load.py http://127.0.0.1:8000 --clients 32 --seconds 30 --mix ask=1" in text
    (_, repeated, ok), (_, first, first_ok) = api_report.api_targets(results)
    assert ok is False and "worst repetition 58.0" in repeated  # one repetition below 60
    assert first_ok is False and "22.0 (19.3–23.3) ask/s" in first
    for rep in results["reps"]:
        rep["assistant"]["api"]["workers_2"]["per_second"] = 61.0
    assert api_report.api_targets(results)[0][2] is True
    results["reps"][1]["assistant"]["api"]["workers_2"]["errors"] = 1
    assert api_report.api_targets(results)[0][2] is False  # errors fail it whatever the rate
    targets = {name: ok for name, _, ok in report.targets(results)}
    assert targets["≥ 60 ask/s through the API with 32 clients, zero errors, first-time questions"] is False


def test_report_replaces_only_its_section_of_the_doc(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\nHand-written.\n\n{report.BEGIN}\nold table\n{report.END}\n\n## Profile\n", "utf-8")
    report.write_doc(doc, "new table\n")
    text = doc.read_text("utf-8")
    assert "old table" not in text and "new table" in text
    assert text.startswith("# Benchmarks\n\nHand-written.") and text.endswith("## Profile\n")
    fresh = tmp_path / "other.md"
    report.write_doc(fresh, "table\n")
    assert report.BEGIN in fresh.read_text("utf-8")


def test_plots_are_written(tmp_path):
    made = report.plot(_results([30.0], [40.0]), tmp_path)
    assert set(made.values()) == {"bench-build.png", "bench-latency.png", "bench-quality.png"}
    for name in made.values():
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def test_a_server_measured_after_another_finds_none_of_its_answers_or_query_vectors(tmp_path):
    """The API step starts one server per worker count on one data dir: what the first stored for
    its workers (answers, query vectors, with SQLite's side files) is gone before the next starts,
    and the rest of the state stays."""
    from assistant.settings import Settings
    from benchmarks import api

    settings = Settings(data_dir=tmp_path, _env_file=None)
    settings.state_dir.mkdir(parents=True)
    shared = [settings.answer_store, settings.query_store]
    left = [p.with_name(p.name + suffix) for p in shared for suffix in ("", "-wal", "-shm")]
    kept = [settings.state_dir / name for name in ("state.db", "state.db-wal", "ledger.db")]
    for path in left + kept:
        path.write_bytes(b"x")
    api.forget_earlier_servers(tmp_path)
    assert not any(p.exists() for p in left) and all(p.exists() for p in kept)
