"""Answers shared by a server's processes (assistant/answer_store.py): one process's answer is the
other's lookup on the same build, a new build's process prepares the last questions on it before
the workers swap it in, and a stored answer is always what the build itself would answer."""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest

from assistant.answer_store import AnswerStore, stored_question
from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import CHARGING, DOCUMENTS, INVENTED_DOCUMENT, INVENTED_TEXT

QUESTION = "Tổng chiều dài cáp quang ngầm trên địa bàn tỉnh Trà Vinh là bao nhiêu km?"
OTHER = "Năm 2022 có bao nhiêu hồ sơ trực tuyến?"


class Counting:
    """The real answerer, counting the answers it computes."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def answer(self, *args, **kwargs):
        self.calls += 1
        return self.real.answer(*args, **kwargs)


def _same(a, b) -> bool:
    """The same answer (all but what each request sets: the question as asked, build, timings)."""
    per_request = {"question", "build", "timings"}
    return a.model_dump(exclude=per_request) == b.model_dump(exclude=per_request)


@pytest.fixture
def settings(tmp_path):
    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=16, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return settings


def _worker(settings: Settings, **changes) -> Pipeline:
    """A pipeline as a server's worker process makes it: sharing the answer store."""
    return Pipeline(settings.model_copy(update=changes), HashingEmbeddings(), answer_store=settings.answer_store)


def _counting(pipeline: Pipeline) -> Counting:
    counting = Counting(pipeline.answerer("default"))
    pipeline._answerers["default"] = counting
    return counting


def test_an_answer_one_worker_computed_is_the_other_workers_lookup(settings):
    first, second = _worker(settings), _worker(settings)
    computed = first.ask(QUESTION)
    counting = _counting(second)
    shared = second.ask(QUESTION)
    assert counting.calls == 0 and second.snapshot().answers.hits == 1
    assert _same(shared, computed) and shared.build == computed.build
    assert shared.question == QUESTION and shared.timings["total_ms"] >= 0
    # It is now the second worker's own: asked again, no store read is needed to match it.
    assert _same(second.ask(QUESTION), computed) and counting.calls == 0
    # And it is what a worker without any cache computes on the same build.
    assert _same(shared, _worker(settings, answer_cache_size=0).ask(QUESTION))


def test_restricted_callers_and_llm_answers_are_not_shared(settings):
    first, second = _worker(settings), _worker(settings)
    one = sorted(first.snapshot().documents)[:2]
    first.ask(QUESTION, visible_documents=one)
    assert AnswerStore(settings.answer_store).count(first.snapshot().build) == 0
    counting = _counting(second)
    second.ask(QUESTION, visible_documents=one)
    assert counting.calls == 1  # computed again: the store holds no restricted caller's answer
    assert stored_question(("llm", None, None, None, 5)) is None


def test_filters_and_conversations_are_part_of_what_is_stored(settings):
    from assistant.filters import Filters

    first, second = _worker(settings), _worker(settings)
    narrowed = first.ask(QUESTION, filters=Filters.of(years=[2019]))
    follow_up = first.ask("Còn năm 2025 thì sao?", history=[CHARGING])
    counting = _counting(second)
    assert _same(second.ask(QUESTION, filters=Filters.of(years=[2019])), narrowed)
    assert _same(second.ask("Còn năm 2025 thì sao?", history=[CHARGING]), follow_up)
    assert counting.calls == 0
    second.ask(QUESTION)  # not filtered: another question
    second.ask("Còn năm 2025 thì sao?")  # without its conversation: another question
    assert counting.calls == 2


def test_a_damaged_or_unreadable_store_only_costs_a_computation(settings, tmp_path):
    first = _worker(settings)
    computed = first.ask(QUESTION)
    with sqlite3.connect(settings.answer_store) as db:
        db.execute("UPDATE answers SET answer = '{not json', hits = '[[\"no-such-chunk\", 1, null, null, 0]]'")
    second = _worker(settings)
    counting = _counting(second)
    assert _same(second.ask(QUESTION), computed) and counting.calls == 1
    # A store that cannot be opened at all (a directory where the file should be).
    settings = settings.model_copy(update={"data_dir": tmp_path / "elsewhere"})
    (settings.answer_store).mkdir(parents=True)
    worker = Pipeline(settings, HashingEmbeddings(), answer_store=settings.answer_store)
    shutil.copytree(tmp_path / "index", settings.index_dir)
    assert _same(worker.ask(QUESTION), computed)


def test_the_process_of_a_new_build_prepares_the_last_questions_on_it(settings):
    """``prefill`` answers, on the new build, what was answered on the old one, most recent first,
    and marks the build warm; each prepared answer is the new build's own (a document added
    in between changes one of them), and a worker that swaps it in computes none of them."""
    worker = _worker(settings)
    old = worker.snapshot().build
    before = {q: worker.ask(q) for q in (CHARGING, QUESTION, OTHER)}
    assert "1.345" not in before[CHARGING].answer
    (settings.documents_dir / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)

    builder = _worker(settings, prefill_seconds=60)  # the child process of the build
    store = builder.answer_store
    new = builder.snapshot().build
    assert store.warming(new) is None
    assert builder.prefill(old, new) == 3
    started, finished = store.warming(new)
    assert finished is not None and finished >= started
    assert [q.resolved.question for q, _ in store.recent(new, 10)] == [OTHER, QUESTION, CHARGING]

    counting = _counting(worker)
    fresh = worker.reload()
    assert fresh.build == new
    cold = _worker(settings, answer_cache_size=0)
    for question in before:
        assert _same(worker.ask(question), cold.ask(question))
    assert counting.calls == 0
    assert "1.345" in worker.ask(CHARGING).answer
    assert store.count(old) == 3 and store.count(new) == 3
    # Only the builds in use keep rows: once a worker moves on to a third, the first is gone.
    (settings.documents_dir / INVENTED_DOCUMENT).unlink()
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    third = worker.reload()
    assert third.build not in (old, new)
    assert store.count(old) == 0 and store.count(new) == 3


def test_preparing_is_bounded_by_its_budget_and_never_done_twice(settings):
    worker = _worker(settings)
    old = worker.snapshot().build
    worker.ask(QUESTION)
    (settings.documents_dir / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    new = _worker(settings).snapshot().build
    assert _worker(settings, prefill_seconds=0).prefill(old, new) == 0  # turned off
    builder = _worker(settings, prefill_seconds=1e-9)
    assert builder.prefill(old, new) == 0  # no time: nothing answered, but the build is marked done
    assert builder.answer_store.warming(new)[1] is not None
    assert builder.prefill(new, new) == 0  # the build replaced by itself: nothing


def test_a_build_another_one_followed_is_not_prepared(settings):
    """Two builds made one after the other (two workers' jobs): the first one's process finds its
    build no longer published and prepares nothing on it (its workers will never serve it)."""
    worker = _worker(settings)
    old = worker.snapshot().build
    worker.ask(QUESTION)
    (settings.documents_dir / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    first = build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    (settings.documents_dir / INVENTED_DOCUMENT).unlink()
    second = build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    assert first.previous == old and second.previous == first.build != second.build
    builder = _worker(settings, prefill_seconds=60)
    assert builder.prefill(old, first.build) == 0
    assert builder.answer_store.count(first.build) == 0
    assert builder.answer_store.warming(second.build) is None  # the other build's mark is not touched


def test_warming_in_a_worker_does_not_make_old_questions_look_recent(settings):
    """A worker that warms a new build in memory answers its old questions again; that is not
    asking them: what a later build's process prepares is still only what was asked lately."""
    worker = _worker(settings, warm_seconds=60)
    worker.ask(QUESTION)
    worker.ask(OTHER)
    with sqlite3.connect(settings.answer_store) as db:
        db.execute("UPDATE answers SET used = ?", (time.time() - 3600,))
    (settings.documents_dir / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    fresh = worker.reload(warm=True)
    assert len(fresh.answers) == 2  # warmed in memory
    assert worker.answer_store.recent(fresh.build, 10, time.time() - 900) == []


def test_the_files_are_readable_by_their_owner_only(settings):
    import os
    import stat

    old = os.umask(0o022)
    try:
        worker = _worker(settings)
        worker.ask(QUESTION)
        worker.ask(OTHER)
        store = settings.answer_store
        files = [store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")]
        assert all(f.exists() for f in files)
        assert [oct(stat.S_IMODE(f.stat().st_mode)) for f in files] == ["0o600"] * 3
        # A file an older version left readable by others is narrowed when it is opened.
        for f in files:
            os.chmod(f, 0o644)
        _worker(settings).ask(QUESTION)
        assert [oct(stat.S_IMODE(f.stat().st_mode)) for f in files] == ["0o600"] * 3
    finally:
        os.umask(old)


def test_old_builds_rows_are_dropped_and_each_build_is_bounded(tmp_path):
    from assistant.answer_store import StoredQuestion
    from assistant.conversation import Resolved
    from assistant.filters import Filters
    from assistant.models import Answer

    store = AnswerStore(tmp_path / "answers.db", limit=3, prune_every=1)
    answer = Answer(question="q", answer="a")
    for build in ("b1", "b2", "b3"):
        for i in range(5):
            store.put(build, StoredQuestion(Resolved(f"q{i}", f"q{i}"), Filters(), 5), [], answer, used=float(i))
    assert [store.count(b) for b in ("b1", "b2", "b3")] == [3, 3, 3]
    assert [q.resolved.question for q, _ in store.recent("b1", 10)] == ["q4", "q3", "q2"]
    store.start_warming("b4")  # another process is preparing it
    store.keep_only({"b3"})
    assert [store.count(b) for b in ("b1", "b2", "b3")] == [0, 0, 3]
    assert store.warming("b4") is not None


def test_a_worker_waits_for_a_build_being_prepared_but_not_for_ever(settings):
    """A worker swaps in a build another process published once its preparation is done, or its
    time is up; a build nobody prepares (one from the command line) after a short grace."""
    from assistant.service import service as service_module
    from assistant.service.service import Service

    settings = settings.model_copy(update={"prefill_seconds": 30})
    service = Service(settings, _worker(settings))
    store = service.pipeline.answer_store
    now = time.monotonic()
    store.start_warming("being-prepared")
    assert not service._warm_enough("being-prepared", now)
    store.finish_warming("being-prepared")
    assert service._warm_enough("being-prepared", now)
    with sqlite3.connect(settings.answer_store) as db:  # started long ago: its time is up
        db.execute("INSERT INTO warming (build, started) VALUES ('stuck', ?)", (time.time() - 40,))
    assert service._warm_enough("stuck", now)
    assert not service._warm_enough("from-the-command-line", now)
    assert service._warm_enough("from-the-command-line", now + service_module.PREFILL_GRACE_SECONDS)
    off = settings.model_copy(update={"prefill_seconds": 0})
    unprepared = Service(off, _worker(off))
    assert unprepared._warm_enough("from-the-command-line", now)


def test_what_is_prepared_is_what_was_asked_lately(settings):
    """A question answered long ago and not asked since is not prepared; one asked again (a hit in
    a worker's memory) is, and is marked so in the store at most once a minute."""
    worker = _worker(settings)
    old = worker.snapshot().build
    worker.ask(QUESTION)
    worker.ask(OTHER)
    with sqlite3.connect(settings.answer_store) as db:  # both answered an hour ago
        db.execute("UPDATE answers SET used = ?", (time.time() - 3600,))
    worker.ask(OTHER)  # asked again now: found in memory, marked in the store
    assert [q.resolved.question for q, _ in worker.answer_store.recent(old, 10, time.time() - 60)] == [OTHER]
    with sqlite3.connect(settings.answer_store) as db:
        db.execute("UPDATE answers SET used = ?", (time.time() - 3600,))
    worker.ask(OTHER)  # again within the minute: not written again
    assert worker.answer_store.recent(old, 10, time.time() - 60) == []
    second = _worker(settings)
    second.snapshot()

    (settings.documents_dir / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    assert second.snapshot().build == old  # the other worker, still on the old build,
    second.ask(QUESTION)  # finds the answer in the store: asked now
    builder = _worker(settings, prefill_seconds=60)
    assert builder.snapshot().build != old
    assert builder.prefill(old, builder.snapshot().build) == 1  # only what was asked in the last quarter of an hour
    assert [q.resolved.question for q, _ in builder.answer_store.recent(builder.snapshot().build, 10)] == [QUESTION]
