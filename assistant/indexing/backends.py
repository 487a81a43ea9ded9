"""Where a build's search indexes live, chosen by one setting (``ASSISTANT_BACKEND``).

``builtin``: FAISS (its type from ``ASSISTANT_VECTOR_INDEX``) and our BM25 postings, as files in
the build directory. ``qdrant``: one Qdrant collection per build (dense vectors plus sparse
vectors carrying our Vietnamese BM25 weights), named in the build directory's ``qdrant.json``;
the records (documents, chunks, figures) stay in the build directory either way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.protocols import LexicalIndex, VectorIndex
from assistant.retrieval.table import ChunkTable
from assistant.settings import Settings


def make_indexes(
    settings: Settings, table: ChunkTable, vectors: np.ndarray, token_lists: Iterable[list[str]]
) -> tuple[VectorIndex, LexicalIndex]:
    """The search indexes of a new build over ``table``'s rows (``vectors`` and ``token_lists`` by row)."""
    if settings.backend == "qdrant":
        from assistant.retrieval.qdrant import QdrantIndexes

        indexes = QdrantIndexes.create(settings, table, int(vectors.shape[1]))
        indexes.upsert(vectors, list(token_lists))
        return indexes.vectors, indexes.lexical
    from assistant.retrieval.lexical import BM25Index
    from assistant.retrieval.vector import FaissVectorIndex

    vector_index = FaissVectorIndex.build(
        table.ids,
        vectors,
        table,
        settings.vector_index,
        nprobe=settings.vector_nprobe,
        ef_search=settings.vector_ef_search,
    )
    return vector_index, BM25Index.build(token_lists, table)


def open_indexes(settings: Settings, directory: Path, table: ChunkTable) -> tuple[VectorIndex, LexicalIndex]:
    """The search indexes of the build in ``directory`` (what ``load_snapshot`` should call)."""
    from assistant.retrieval.qdrant import COLLECTION_FILE

    if (Path(directory) / COLLECTION_FILE).is_file():
        from assistant.retrieval.qdrant import QdrantIndexes

        indexes = QdrantIndexes.open(settings, directory, table)
        return indexes.vectors, indexes.lexical
    from assistant.retrieval.lexical import BM25Index
    from assistant.retrieval.vector import FaissVectorIndex

    return FaissVectorIndex.load(directory, table), BM25Index.load(directory, table)


def prune_collections(settings: Settings, index_dir: Path) -> None:
    """Drop the Qdrant collections of builds the index store has pruned (nothing for ``builtin``)."""
    if settings.backend != "qdrant":
        return
    from assistant.retrieval.qdrant import prune

    prune(settings, Path(index_dir))
