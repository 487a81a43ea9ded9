"""One loaded index shared by many threads while new builds are published."""

from __future__ import annotations

import shutil
import threading

from assistant.indexing.builder import build_index
from assistant.indexing.store import IndexStore
from assistant.pipeline import Pipeline
from tests.conftest import DOCUMENTS

INVENTED = (
    "BÁO CÁO\n\nTình hình phát triển mạng 5G tỉnh Trà Vinh năm 2025\n\n"
    "I. KẾT QUẢ\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n"
)
QUESTIONS = [
    "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?",
    "Năm 2025 Trà Vinh có bao nhiêu trạm phát sóng 5G?",
    "Tỷ lệ dịch vụ công trực tuyến toàn trình năm 2023 là bao nhiêu?",
    "Tiền Giang xếp hạng mấy về ứng dụng CNTT năm 2022?",
]


def test_requests_keep_one_build_while_two_builds_are_published(data_dir, settings, embedder):
    docs = data_dir / "documents"
    for p in DOCUMENTS.glob("*.txt"):
        shutil.copy(p, docs / p.name)
    removed = "tra-vinh-ke-hoach-ktxh-tttt-2021.txt"
    build_index(settings, embedder, progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, embedder).warm_up()
    documents_of: dict[str, set[str]] = {}

    def record_current() -> None:
        manifest = IndexStore(settings.index_dir).manifest()
        documents_of[IndexStore(settings.index_dir).current.resolve().name] = set(manifest.documents)

    record_current()
    stop = threading.Event()
    errors: list[BaseException] = []
    seen_builds: set[str] = set()
    counts = [0] * 8

    def worker(n: int) -> None:
        i = 0
        while not stop.is_set() or i < 4:
            question = QUESTIONS[(n + i) % len(QUESTIONS)]
            try:
                if n % 2:
                    answer = pipeline.ask(question)
                    allowed = documents_of[answer.build]
                    used = {p.document for p in answer.retrieved} | {c.document for c in answer.citations}
                    assert used <= allowed, (answer.build, used - allowed)
                    seen_builds.add(answer.build)
                else:
                    snapshot = pipeline.snapshot()
                    hits = snapshot.view().search(question, 10)
                    assert {h.chunk.document for h in hits} <= set(snapshot.documents)
                    assert all(
                        snapshot.documents[h.chunk.document].text[h.chunk.start : h.chunk.end] == h.chunk.text
                        for h in hits
                    )
            except BaseException as exc:  # noqa: BLE001 - collected and reported below
                errors.append(exc)
                return
            counts[n] += 1
            i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    (docs / removed).unlink()  # build 2: one document removed, one added
    (docs / "bao-cao-5g-2025.txt").write_text(INVENTED, encoding="utf-8")
    build_index(settings, embedder, progress=False, log=lambda m: None)
    record_current()
    pipeline.reload()
    shutil.copy(DOCUMENTS / removed, docs / removed)  # build 3: it comes back, the new one goes
    (docs / "bao-cao-5g-2025.txt").unlink()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    record_current()
    pipeline.reload()
    stop.set()
    for t in threads:
        t.join(timeout=120)
    assert not errors, repr(errors[0])
    assert all(c >= 4 for c in counts)
    assert len(documents_of) == 3 and seen_builds <= set(documents_of)
    assert len(seen_builds) >= 2, seen_builds  # requests were answered across a publish
    last = pipeline.ask(QUESTIONS[0])
    assert last.build == IndexStore(settings.index_dir).current.resolve().name


def test_a_request_reads_the_build_its_visible_documents_came_from(tmp_path):
    """Visibility is computed from one build; the search and the answer read that same build, even
    when another is loaded in between (a caller who saw "every document" must not see the new one)."""
    from tests.conftest import invented_pipeline

    pipeline = invented_pipeline(tmp_path, {"bao-cao-5g.txt": INVENTED})
    old = pipeline.snapshot()
    everything = None  # what a caller who sees every document of the old build passes
    settings = pipeline.settings
    (settings.documents_dir / "bao-cao-moi.txt").write_text(
        "BÁO CÁO\n\nKết quả 5G tỉnh Sóc Trăng năm 2025\n\n- Toàn tỉnh có 1.234 trạm phát sóng 5G.\n",
        encoding="utf-8",
    )
    build_index(settings, pipeline.embedder, progress=False, log=lambda m: None)
    new = pipeline.reload()
    assert "bao-cao-moi.txt" in new.documents
    question = "Có bao nhiêu trạm phát sóng 5G?"
    pinned = pipeline.search(question, 5, visible_documents=everything, snapshot=old)
    assert pinned and {h.chunk.document for h in pinned} == {"bao-cao-5g.txt"}
    turn = pipeline.turn(question, visible_documents=everything, snapshot=old)
    assert turn.snapshot is old
    assert {p.document for p in turn.answer(turn.retrieve()).retrieved} == {"bao-cao-5g.txt"}
    current = pipeline.search(question, 5, visible_documents=everything)
    assert "bao-cao-moi.txt" in {h.chunk.document for h in current}
