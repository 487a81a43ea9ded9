"""The sentence-transformers backend on a tiny model the tests build themselves.

The model is a randomly initialised 2-layer BERT whose WordPiece vocabulary is the syllables of
real excerpts from the Trà Vinh 2024 plan. Nothing is downloaded: the hub is switched offline
and the backend loads with ``local_files_only=True``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import ConfigurationError
from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings, SentenceTransformerEmbeddings, make_embedder
from assistant.settings import Settings

SOURCE = Path(__file__).resolve().parents[1] / "documents" / "tra-vinh-ke-hoach-ktxh-tttt-2024.txt"

#: Verbatim excerpts of SOURCE (checked by ``test_excerpts_are_real``).
EXCERPTS = [
    "Phát triển kinh tế - xã hội ngành thông tin và truyền thông năm 2024",
    "toàn tỉnh hiện có 06 doanh nghiệp cung cấp dịch vụ viễn thông",
    "Toàn tỉnh có 90.923 cột treo cáp; 31.888,142 km cáp quang treo",
    "1.637 bể cáp và 1.222 trạm thu, phát sóng thông tin di động (BTS)",
    "mạng Internet băng rộng cáp quang được phát triển đến 100% xã, phường, thị trấn",
    "100% xã, phường, thị trấn được phủ sóng di động 3G, 4G",
    "Đang triển khai phát sóng thử nghiệm 02 trạm 5G tại thành phố Trà Vinh.",
    "cung cấp 1.858 dịch vụ công, trong đó: 551 dịch vụ công trực tuyến một phần (chiếm tỷ lệ 29,65%)",
]

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
DIM = 32


def _pieces(text: str) -> list[str]:
    """Syllables and punctuation marks, as BERT's pre-tokenizer splits them."""
    return re.findall(r"\w+|[^\w\s]", text.lower())


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def st_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny SentenceTransformer (BERT 32-d, mean pooling, normalized) saved to disk."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")

        import torch
        from sentence_transformers import SentenceTransformer
        from transformers import BertConfig, BertModel, BertTokenizerFast

        try:  # sentence-transformers >= 6
            from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
        except ImportError:  # pragma: no cover - older releases
            from sentence_transformers.models import Normalize, Pooling, Transformer

        root = tmp_path_factory.mktemp("st")
        bert_dir, st_dir = root / "bert", root / "tiny-vi-st"
        bert_dir.mkdir()

        words = [w for t in [*EXCERPTS, "query: passage: trạm BTS"] for w in _pieces(t)]
        vocab = SPECIAL + sorted(set(words) - set(SPECIAL))
        (bert_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
        # strip_accents=False: lower-casing must not strip Vietnamese diacritics.
        tokenizer = BertTokenizerFast.from_pretrained(
            str(bert_dir), do_lower_case=True, strip_accents=False, local_files_only=True
        )
        assert tokenizer.vocab_size == len(vocab)
        assert tokenizer.unk_token_id not in tokenizer(EXCERPTS[3])["input_ids"]

        torch.manual_seed(0)
        config = BertConfig(
            vocab_size=len(vocab),
            hidden_size=DIM,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=64,
            max_position_embeddings=128,
        )
        BertModel(config).eval().save_pretrained(bert_dir)
        tokenizer.save_pretrained(bert_dir)

        transformer = Transformer(str(bert_dir), max_seq_length=128)
        model = SentenceTransformer(modules=[transformer, Pooling(DIM, "mean"), Normalize()], device="cpu")
        model.save(str(st_dir))
        return st_dir


@pytest.fixture
def vi_data_dir(tmp_path: Path) -> Path:
    """A data dir whose documents/ holds one small .txt of real excerpts."""
    docs = tmp_path / "documents"
    docs.mkdir()
    body = "\n\n".join(["KẾ HOẠCH", EXCERPTS[0], "I. KẾT QUẢ ĐẠT ĐƯỢC", *(f"- {e}" for e in EXCERPTS[1:])])
    (docs / "tra-vinh-trich-doan.txt").write_text(body + "\n", encoding="utf-8")
    return tmp_path


def test_excerpts_are_real() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    for excerpt in EXCERPTS:
        assert excerpt in text, excerpt


# --- 1. the embedder itself ---------------------------------------------------------------


def test_embeddings_shape_norm_determinism_and_prompts(st_model_dir: Path) -> None:
    emb = SentenceTransformerEmbeddings(str(st_model_dir))
    assert str(st_model_dir) in emb.model_id
    assert emb.dimension == DIM

    docs = emb.embed_documents(EXCERPTS[:4])
    assert len(docs) == 4 and all(len(v) == DIM for v in docs)
    assert np.allclose(np.linalg.norm(np.asarray(docs), axis=1), 1.0, atol=1e-5)
    assert np.allclose(docs, emb.embed_documents(EXCERPTS[:4]))
    assert emb.embed_documents([]) == []

    q = emb.embed_query(EXCERPTS[3])
    assert len(q) == DIM
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(q, emb.embed_query(EXCERPTS[3]))
    # "query: " vs "passage: " prefixes make a difference …
    assert not np.allclose(q, docs[3], atol=1e-4)
    # … and they are the only difference.
    same_prompt = SentenceTransformerEmbeddings(str(st_model_dir), query_prompt="passage: ")
    assert np.allclose(same_prompt.embed_query(EXCERPTS[3]), docs[3], atol=1e-5)


# --- 2. configuration ----------------------------------------------------------------------


def test_make_embedder_builds_the_st_backend(st_model_dir: Path, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, embedder="sentence-transformers", embedding_model=str(st_model_dir), _env_file=None
    )
    emb = make_embedder(settings)
    assert isinstance(emb, SentenceTransformerEmbeddings)
    assert emb.query_prompt == "query: " and emb.passage_prompt == "passage: "
    assert emb.dimension == DIM
    assert len(emb.embed_query("trạm BTS")) == DIM


def test_make_embedder_without_model_is_a_configuration_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSISTANT_EMBEDDING_MODEL", raising=False)
    settings = Settings(data_dir=tmp_path, embedder="sentence-transformers", _env_file=None)
    with pytest.raises(ConfigurationError) as err:
        make_embedder(settings)
    assert "ASSISTANT_EMBEDDING_MODEL" in str(err.value)


def test_missing_model_dir_fails_on_first_use(tmp_path: Path) -> None:
    missing = tmp_path / "khong-co-mo-hinh"
    settings = Settings(
        data_dir=tmp_path, embedder="sentence-transformers", embedding_model=str(missing), _env_file=None
    )
    emb = make_embedder(settings)  # lazy: constructing does not load
    assert str(missing) in emb.model_id
    with pytest.raises(ConfigurationError) as err:
        emb.embed_query("trạm BTS")
    assert "Không nạp được mô hình nhúng" in err.value.message
    assert "ASSISTANT_EMBEDDING_MODEL" in str(err.value)
    assert not missing.exists()


# --- 3. end to end -------------------------------------------------------------------------


def test_index_search_and_rebuild_on_model_change(st_model_dir: Path, vi_data_dir: Path) -> None:
    settings = Settings(
        data_dir=vi_data_dir,
        embedder="sentence-transformers",
        embedding_model=str(st_model_dir),
        chunk_max_chars=200,
        _env_file=None,
    )
    emb = make_embedder(settings)
    logs: list[str] = []

    report = build_index(settings, emb, progress=False, log=logs.append)
    assert report.status == "built" and report.documents == 1 and report.chunks >= 1
    assert report.embedded >= 1
    manifest = IndexStore(settings.index_dir).manifest()
    assert manifest.embedding_model == emb.model_id
    assert manifest.dimension == DIM

    hits = Pipeline(settings, emb).search("trạm BTS", k=3)
    assert len(hits) == 3  # chunk_max_chars=200 cuts the excerpts into more than 3 chunks
    doc = (vi_data_dir / "documents" / "tra-vinh-trich-doan.txt").read_text(encoding="utf-8")
    for hit in hits:
        assert hit.chunk.document == "tra-vinh-trich-doan.txt"
        assert hit.chunk.text and hit.chunk.text in doc
        assert hit.dense_score is not None  # the ST vectors took part
    assert "1.222 trạm thu, phát sóng thông tin di động (BTS)" in hits[0].chunk.text

    assert build_index(settings, emb, progress=False, log=logs.append).status == "up-to-date"

    hashing_settings = settings.model_copy(update={"embedder": "hashing"})
    hashing = make_embedder(hashing_settings)
    assert isinstance(hashing, HashingEmbeddings)
    report = build_index(hashing_settings, hashing, progress=False, log=logs.append)
    assert report.status == "built"
    assert "mô hình" in report.reason
    assert report.reused == 0 and report.embedded >= report.chunks  # no vectors reused across models
    assert any("mô hình" in line for line in logs)
    manifest = IndexStore(settings.index_dir).manifest()
    assert manifest.embedding_model == hashing.model_id
    assert manifest.dimension == hashing.dimension
