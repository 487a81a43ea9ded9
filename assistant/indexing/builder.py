"""Build or refresh the index: documents → chunks → figures → embeddings (cached) → FAISS + BM25.

One build at a time per index (``build_lock``); a build killed at any moment loses nothing: the
previous index keeps serving, the vectors embedded so far are in the cache, and the next build
removes what the killed one left behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from assistant.errors import DocumentError, shown
from assistant.figures import FIGURES_VERSION, extract_figures
from assistant.indexing.backends import make_indexes, prune_collections
from assistant.indexing.cache import EmbeddingCache
from assistant.indexing.lock import build_lock
from assistant.indexing.manifest import FORMAT_VERSION, Manifest
from assistant.indexing.store import IndexData, IndexStore
from assistant.ingest.chunking import CHUNKER_VERSION, chunk_document
from assistant.ingest.corpus import file_key, file_sha256, load_corpus
from assistant.ingest.limits import ReadLimits
from assistant.ingest.loaders import iter_document_paths
from assistant.ingest.metadata import METADATA_VERSION
from assistant.models import Chunk
from assistant.protocols import Embedder
from assistant.retrieval.embeddings import embed_batches
from assistant.retrieval.table import ChunkTable
from assistant.retrieval.vector import choose_kind
from assistant.settings import Settings
from assistant.vietnamese.abbreviations import mine_pairs
from assistant.vietnamese.tokens import Tokenizer

#: Recorded as the manifest's ``chunker_version``: chunks and the figures table extracted from
#: them; a change in either rebuilds the index.
INDEX_VERSION = f"{CHUNKER_VERSION}+figures-{FIGURES_VERSION}+metadata-{METADATA_VERSION}"


@dataclass
class BuildReport:
    status: str  # "built" | "up-to-date"
    documents: int = 0
    chunks: int = 0
    embedded: int = 0  # texts embedded now (passages and figure windows)
    reused: int = 0  # texts whose vectors came from the cache
    skipped: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""
    seconds: float = 0.0
    pid: int = 0  # the process that built it (set by a build in a child process)
    niceness: int = 0  # and its CPU niceness
    prefilled: int = 0  # questions answered on the new build before a server swapped it in
    build: str = ""  # the build current when this one ended (its own name when it made one)
    previous: str = ""  # the build current when this one started (under the build lock)


def build_index(
    settings: Settings,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    progress: bool = True,
    log: Callable[[str], None] = print,
    on_progress: Callable[[float], None] | None = None,
    wait: bool = False,
) -> BuildReport:
    """Bring ``settings.index_dir`` up to date with ``settings.documents_dir``.

    Another build running on the same index makes this one fail with ``IndexBusyError``, or,
    with ``wait=True``, wait for it to end. ``on_progress`` hears the share of embedding done.
    """
    with build_lock(settings.index_dir, wait=wait):
        store = IndexStore(settings.index_dir)
        store.remove_leftovers()
        return _build(settings, embedder, store, rebuild=rebuild, progress=progress, log=log, on_progress=on_progress)


def _build(
    settings: Settings,
    embedder: Embedder,
    store: IndexStore,
    *,
    rebuild: bool,
    progress: bool,
    log: Callable[[str], None],
    on_progress: Callable[[float], None] | None = None,
) -> BuildReport:
    t0 = time.perf_counter()
    paths = iter_document_paths(settings.documents_dir)
    if not paths:
        raise DocumentError(
            f"Không có tài liệu nào trong {settings.documents_dir}.",
            hint="Hãy chép tệp .txt/.md/.docx/.pdf vào thư mục documents/ rồi chạy lại: assistant index",
        )
    model_id = embedder.model_id
    previous = store.current_build() or ""
    old = store.manifest()
    reason = _rebuild_reason(old, model_id, settings) if old else "chưa có chỉ mục"
    if old and not rebuild and not reason:
        on_disk = {file_key(p): file_sha256(p) for p in paths}
        known = {**old.documents, **{s["file"]: s["sha256"] for s in old.skipped}}
        if on_disk == known:
            return BuildReport(
                "up-to-date",
                len(old.documents),
                old.chunks,
                skipped=old.skipped,
                seconds=time.perf_counter() - t0,
                build=previous,
                previous=previous,
            )
    if rebuild and not reason:
        reason = "yêu cầu --rebuild"
    if old and reason:
        log(f"Xây lại toàn bộ chỉ mục: {reason}.")

    corpus = load_corpus(settings.documents_dir, ReadLimits.from_settings(settings))
    for s in corpus.skipped:
        log(f"Bỏ qua {shown(s['file'])}: {s['error']}")
    chunks = [c for d in corpus.documents for c in chunk_document(d, max_chars=settings.chunk_max_chars)]
    documents = {d.id: d for d in corpus.documents}

    abbreviations: dict[str, str] = {}
    for d in corpus.documents:
        abbreviations.update(mine_pairs(d.text))
    tokenizer = Tokenizer(abbreviations, segmenter=settings.lexical_tokens)
    texts = [c.context_text() for c in chunks]

    cache = EmbeddingCache(settings.index_dir, model_id)
    meaning = [embedded_text(c) for c in chunks]
    # Figures' windows are embedded with the passages (one pass, one resumable cache): the
    # answerer compares them with the question.
    extracted = [f for c in chunks for f in extract_figures(c)]
    windows = [f.window or f.sentence for f in extracted]
    every, embedded = _embed(
        meaning + windows,
        embedder,
        cache,
        use_cache=not (old and reason and "mô hình" in reason),
        progress=progress,
        on_progress=on_progress,
        batch=settings.embedding_batch_size,
    )
    vectors, figure_vectors = every[: len(meaning)], every[len(meaning) :]
    cache.save(keep={cache.key(t) for t in meaning + windows})
    table = ChunkTable(chunks, documents)
    vector_index, lexical_index = make_indexes(settings, table, vectors, (tokenizer(t) for t in texts))

    figures = [f.model_dump() for f in extracted]
    manifest = Manifest(
        embedding_model=model_id,
        dimension=int(vectors.shape[1]),
        chunker_version=INDEX_VERSION,
        tokenizer=settings.lexical_tokens,
        documents={d.id: d.sha256 for d in corpus.documents},
        chunks=len(chunks),
        abbreviations=abbreviations,
        skipped=corpus.skipped,
        created=time.strftime("%Y-%m-%dT%H:%M:%S"),
        vector_index=_vector_kind(settings, len(chunks)),
        backend=settings.backend,
    )
    made = store.write(
        IndexData(manifest, documents, chunks, figures, figure_vectors=figure_vectors), vector_index, lexical_index
    )
    prune_collections(settings, store.root)
    return BuildReport(
        "built",
        len(corpus.documents),
        len(chunks),
        embedded,
        len(set(meaning + windows)) - embedded,
        corpus.skipped,
        reason,
        time.perf_counter() - t0,
        build=made.name,
        previous=previous,
    )


def embedded_text(chunk: Chunk) -> str:
    """What the dense index embeds for a chunk; the lexical index reads ``chunk.context_text()``."""
    return chunk.context_text()


def _rebuild_reason(old: Manifest, model_id: str, settings: Settings) -> str:
    if old.embedding_model != model_id:
        return f"mô hình nhúng đổi từ {old.embedding_model} sang {model_id}"
    if old.format != FORMAT_VERSION:
        return f"định dạng chỉ mục đổi từ {old.format} sang {FORMAT_VERSION}"
    if old.chunker_version != INDEX_VERSION:
        before = old.chunker_version.split("+")
        if before[0] == CHUNKER_VERSION and before[1:2] == [f"figures-{FIGURES_VERSION}"]:
            return f"thông tin mô tả tài liệu đổi sang phiên bản {METADATA_VERSION}"
        if before[0] == CHUNKER_VERSION:
            return f"bảng số liệu đổi sang phiên bản {FIGURES_VERSION}"
        return f"bộ chia đoạn đổi từ {old.chunker_version} sang {INDEX_VERSION}"
    if old.tokenizer != settings.lexical_tokens:
        return f"bộ tách từ đổi từ {old.tokenizer} sang {settings.lexical_tokens}"
    if old.backend != settings.backend:
        return f"nơi lưu chỉ mục đổi từ {old.backend} sang {settings.backend}"
    kind = _vector_kind(settings, old.chunks)
    if old.vector_index != kind:
        return f"kiểu chỉ mục vector đổi từ {old.vector_index} sang {kind}"
    return ""


def _vector_kind(settings: Settings, chunks: int) -> str:
    return "qdrant-hnsw" if settings.backend == "qdrant" else choose_kind(settings.vector_index, chunks)


def _embed(
    texts: list[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    *,
    use_cache: bool,
    progress: bool,
    on_progress: Callable[[float], None] | None = None,
    batch: int = 32,
) -> tuple[np.ndarray, int]:
    """Vectors of ``texts`` (cached ones reused); each batch is written to the cache once embedded."""
    missing = [t for t in dict.fromkeys(texts) if not use_cache or cache.get(t) is None]
    with tqdm(total=len(missing), desc="Nhúng đoạn văn", unit="đoạn", disable=not progress or not missing) as bar:
        done = 0
        for part, vectors in embed_batches(embedder, missing, max(1, batch)):
            for text, vec in zip(part, vectors):
                cache.put(text, np.asarray(vec, dtype=np.float32))
            cache.flush()  # a build killed from here on keeps this batch
            bar.update(len(part))
            done += len(part)
            if on_progress is not None:
                on_progress(min(1.0, done / len(missing)))
    dim = getattr(embedder, "dimension", None)
    vectors = np.vstack([cache.get(t) for t in texts]) if texts else np.zeros((0, dim or 1), np.float32)
    return vectors.astype(np.float32), len(missing)
