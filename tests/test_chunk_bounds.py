"""The chunker on hostile input: linear time, every chunk within ``span_limit(max_chars)``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.ingest.chunking import chunk_document, span_limit
from assistant.ingest.normalize import normalize_text
from assistant.models import Document
from tests.conftest import DOCUMENTS


def _chunks(raw: str, max_chars: int = 700):
    doc = Document(id="x.txt", text=normalize_text(raw), sha256="0" * 64)
    return doc, chunk_document(doc, max_chars=max_chars)


def _assert_well_formed(doc: Document, chunks, max_chars: int) -> None:
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert 0 < c.end - c.start <= span_limit(max_chars), (c.end - c.start, c.text[:80])
    for a, b in zip(chunks, chunks[1:]):
        assert a.end <= b.start


def test_span_limit_is_three_times_max_chars():
    assert span_limit(700) == 2100 and span_limit(100) == 300


def test_real_documents_stay_within_the_limit():
    for path in sorted(DOCUMENTS.glob("*.txt")):
        doc, chunks = _chunks(path.read_text(encoding="utf-8"))
        _assert_well_formed(doc, chunks, 700)
        assert max(c.end - c.start for c in chunks) > 700  # the limit is not the target: long sentences stay whole


HOSTILE = {
    "short lines without punctuation": "\n".join(f"dòng số {i} của tệp" for i in range(3000)),
    "the same, blank lines between (wrap repair)": "\n\n".join(f"dòng số {i} của tệp" for i in range(3000)),
    "one paragraph of sentences": " ".join(f"Câu số {i} nói về trạm BTS." for i in range(3000)),
    "one word without spaces": "x" * 50_000,
    "abbreviations that are no sentence end": " ".join("TP. Trà Vinh" for _ in range(3000)),
    "clauses only": " ".join("một ý nhỏ; " for _ in range(3000)),
    "heading lines only, then content": "\n".join(f"{i}. Mục lớn" for i in range(3000)) + "\nNội dung.",
    "part title lines": "PHẦN I\n" + "\n".join("TIÊU ĐỀ DÒNG" for _ in range(3000)) + "\nNội dung.",
    "a row continued over many page breaks": "TT\tTên\tGiá\n1\tA\t2\n" + "\n".join("\tthêm chữ\t" for _ in range(3000)),
    "one table row of 3000 words": "TT\tTên\tGhi chú\n1\tx\t" + " ".join("chữ" for _ in range(3000)),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_shapes_are_bounded(name):
    doc, chunks = _chunks(HOSTILE[name])
    assert chunks
    _assert_well_formed(doc, chunks, 700)


def test_a_long_run_of_short_lines_is_cut_at_max_chars_between_words():
    doc, chunks = _chunks(HOSTILE["short lines without punctuation"])
    assert max(c.end - c.start for c in chunks) <= 700
    for c in chunks[:-1]:  # every cut falls on white space
        assert doc.text[c.end].isspace() and not doc.text[c.end - 1].isspace()


def test_a_word_longer_than_max_chars_is_cut_into_max_chars_pieces():
    doc, chunks = _chunks("x" * 50_000)
    assert [c.end - c.start for c in chunks] == [700] * 71 + [50_000 - 71 * 700]


def test_a_continued_row_is_glued_only_within_the_limit():
    doc, chunks = _chunks(HOSTILE["a row continued over many page breaks"])
    assert chunks[0].text.startswith("1\tA\t2\n\tthêm chữ")
    assert all(c.kind == "table" and c.header == "TT\tTên\tGiá" for c in chunks)
    assert max(c.end - c.start for c in chunks) <= 2100


LINE = st.one_of(
    st.sampled_from(
        ["PHẦN I", "I. KẾT QUẢ", "1. Hạ tầng", "1.1. Mạng", "a) Y tế", "- Gạch đầu dòng", "", "TT\tTên\tSố"]
    ),
    st.text(alphabet="aăbcđ ABC.;,:\t0123456789\u00a0", min_size=0, max_size=300),
    st.builds(lambda w, n: " ".join([w] * n), st.sampled_from(["chữ", "Câu.", "ý;", "x" * 90]), st.integers(0, 80)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, max_size=60), max_chars=st.integers(20, 200), blank=st.booleans())
def test_any_text_gives_contiguous_bounded_chunks(lines, max_chars, blank):
    raw = ("\n\n" if blank else "\n").join(lines)
    doc, chunks = _chunks(raw, max_chars)
    _assert_well_formed(doc, chunks, max_chars)


_LINEAR = textwrap.dedent(
    """
    import json, sys, time
    from assistant.ingest.chunking import chunk_document
    from assistant.ingest.normalize import normalize_text
    from assistant.models import Document
    lines, sep = int(sys.argv[1]), sys.argv[2]
    t = time.perf_counter()
    text = normalize_text(sep.join(f"dòng số {i} của tệp" for i in range(lines)))
    chunks = chunk_document(Document(id="x.txt", text=text, sha256="0"), max_chars=700)
    print(json.dumps({"chunks": len(chunks), "longest": max(c.end - c.start for c in chunks),
                      "covered": sum(c.end - c.start for c in chunks), "size": len(text),
                      "seconds": time.perf_counter() - t}))
    """
)


def _run_linear(lines: int, sep: str, timeout: float) -> dict:
    """In a child process, so a regression to quadratic time fails by timeout instead of hanging."""
    done = subprocess.run(
        [sys.executable, "-c", _LINEAR, str(lines), sep], capture_output=True, text=True, timeout=timeout, check=True
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("sep", ["\n", "\n\n"], ids=["joined-by-chunker", "joined-by-wrap-repair"])
def test_20k_short_lines_in_linear_time(sep):
    # Linear: about 0.1 s (plus start-up); the quadratic chunker took 17 s here.
    result = _run_linear(20_000, sep, timeout=15)
    assert result["longest"] <= 700 and result["chunks"] >= 600


@pytest.mark.slow
@pytest.mark.parametrize("sep", ["\n", "\n\n"], ids=["joined-by-chunker", "joined-by-wrap-repair"])
def test_a_million_short_lines_in_linear_time(sep):
    # Linear: about 9 s and 350 MB on a shared 2-core machine; the quadratic one never finished.
    result = _run_linear(1_000_000, sep, timeout=120)
    assert result["longest"] <= 700 and result["chunks"] > 30_000
    assert result["covered"] > 0.99 * result["size"]  # no text dropped
