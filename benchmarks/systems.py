"""The two systems behind one small interface: build an index in a data dir, then serve it.

``assistant`` runs with its default settings (``ASSISTANT_*`` variables and ``.env`` ignored);
``recipe`` is the LangChain peer of ``benchmarks/recipe.py``. A served system answers
``ask(question)`` with a ``Prediction`` (the evaluation contract), so both are scored by the
same code, and ``search(text)`` with its top passages.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Protocol

from assistant.evaluation.dataset import Prediction, Question

RECIPE_INDEX = "recipe-index"
K = 10


class Served(Protocol):
    def ask(self, q: Question) -> Prediction: ...

    def search(self, text: str) -> list: ...

    def forget(self) -> None:
        """Drop what earlier questions left behind (the assistant's query cache), keep the index."""


def default_settings(data_dir: Path):
    from assistant.settings import Settings

    for key in [k for k in os.environ if k.startswith("ASSISTANT_")]:
        os.environ.pop(key)
    # Repeated questions measure the answer path (the query vector cached), not the answer cache.
    return Settings(_env_file=None, data_dir=data_dir, answer_cache_size=0)


# --- assistant ------------------------------------------------------------------------------


def build_assistant(data_dir: Path) -> dict:
    """``assistant index``: a fresh embedder each time, as a new command would have."""
    from assistant.indexing.builder import build_index
    from assistant.retrieval.embeddings import make_embedder

    settings = default_settings(data_dir)
    report = build_index(settings, make_embedder(settings), progress=False, log=lambda m: None)
    return {"status": report.status, "passages": report.chunks, "embedded": report.embedded}


def assistant_embedded_texts(data_dir: Path) -> list[str]:
    """The texts the current build embedded (for counting tokens, after the timing)."""
    from assistant.indexing.builder import embedded_text
    from assistant.indexing.store import IndexStore

    settings = default_settings(data_dir)
    data, _ = IndexStore(settings.index_dir).read()
    return list(dict.fromkeys(embedded_text(c) for c in data.chunks))


class ServedAssistant:
    def __init__(self, data_dir: Path) -> None:
        from assistant.pipeline import Pipeline

        self.settings = default_settings(data_dir)
        self.pipeline = Pipeline(self.settings).warm_up()

    def ask(self, q: Question) -> Prediction:
        from assistant.evaluation.dataset import prediction_from_answer

        t0 = time.perf_counter()
        answer = self.pipeline.ask(q.question, history=q.history or None)
        return prediction_from_answer(q, answer, (time.perf_counter() - t0) * 1000)

    def search(self, text: str) -> list:
        return self.pipeline.search(text, k=K)

    def forget(self) -> None:
        from assistant.pipeline import Pipeline

        self.pipeline = Pipeline(self.settings, self.pipeline.embedder).warm_up()


# --- recipe ---------------------------------------------------------------------------------


def build_recipe(data_dir: Path) -> dict:
    from benchmarks import recipe

    made = recipe.build(data_dir / "documents", data_dir / RECIPE_INDEX, recipe.RecipeE5())
    return {"status": "built", "passages": made.passages, "embedded": made.passages}


def recipe_embedded_texts(data_dir: Path) -> list[str]:
    from benchmarks import recipe

    return [p.page_content for p in recipe.split(recipe.load_documents(data_dir / "documents"))]


class ServedRecipe:
    def __init__(self, data_dir: Path) -> None:
        from benchmarks import recipe

        self.recipe = recipe.Recipe(data_dir / RECIPE_INDEX, recipe.RecipeE5())
        self.recipe.search("khởi động")

    def ask(self, q: Question) -> Prediction:
        t0 = time.perf_counter()
        answer, passages = self.recipe.ask(q.question)
        ms = (time.perf_counter() - t0) * 1000
        records = [
            {"document": p.metadata.get("source", ""), "section": "", "text": p.page_content, "score": 0.0}
            for p in passages[:K]
        ]
        return Prediction(
            id=q.id,
            question=q.question,
            answer=answer,
            abstained=False,
            value=None,
            unit=None,
            citations=records[:1],
            retrieved=records,
            calculation=None,
            latency_ms=ms,
        )

    def search(self, text: str) -> list:
        return self.recipe.search(text)

    def forget(self) -> None:  # the recipe keeps nothing between questions
        pass


BUILD = {"assistant": build_assistant, "recipe": build_recipe}
EMBEDDED_TEXTS = {"assistant": assistant_embedded_texts, "recipe": recipe_embedded_texts}
SERVE = {"assistant": ServedAssistant, "recipe": ServedRecipe}
SYSTEMS = tuple(BUILD)
