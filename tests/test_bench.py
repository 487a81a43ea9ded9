"""The benchmark's peer (the LangChain recipe) and its report, on small real data."""

from __future__ import annotations

import shutil

import pytest

from assistant.evaluation.dataset import Question
from assistant.retrieval.embeddings import HashingEmbeddings
from benchmarks import recipe, report
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


def _results(a_cold, r_cold):
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
    assert "API throughput" in text and "not measured yet" in text
    assert "![Latency](bench-latency.png)" in text


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
