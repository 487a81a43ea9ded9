"""A question asked again on the same build is answered from the snapshot's answer cache — never
across builds, never across callers who see different documents, never in LLM mode."""

from __future__ import annotations

import shutil

import pytest

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.settings import Settings
from tests.conftest import DOCUMENTS

QUESTION = "Tổng chiều dài cáp quang ngầm trên địa bàn tỉnh Trà Vinh là bao nhiêu km?"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("answer-cache")
    shutil.copytree(DOCUMENTS, root / "documents")
    settings = Settings(data_dir=root, embedder="hashing", answer_cache_size=3, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    return settings


def _pipeline(settings: Settings, **changes) -> Pipeline:
    return Pipeline(settings.model_copy(update=changes), HashingEmbeddings())


def _same(a, b) -> bool:
    keep = {"question", "answer", "abstained", "value", "unit", "citations", "figures", "calculation", "retrieved"}
    return a.model_dump(include=keep) == b.model_dump(include=keep)


def test_a_repeated_question_is_answered_from_the_cache_with_the_same_answer(built):
    pipeline = _pipeline(built)
    first = pipeline.ask(QUESTION)
    cache = pipeline.snapshot().answers
    assert (cache.hits, cache.misses, len(cache)) == (0, 1, 1)
    again = pipeline.ask(QUESTION)
    assert cache.hits == 1
    assert _same(first, again)
    assert again.build == first.build and again.timings["total_ms"] >= 0
    # What a caller does to its answer does not reach the next one.
    again.answer, again.citations = "đã sửa", []
    third = pipeline.ask(QUESTION)
    assert _same(first, third)


def test_the_cache_matches_a_fresh_computation(built):
    cached = _pipeline(built)
    fresh = _pipeline(built, answer_cache_size=0)
    for question in (QUESTION, "Năm 2022 có bao nhiêu hồ sơ trực tuyến?", QUESTION):
        assert _same(cached.ask(question), fresh.ask(question))
    assert len(fresh.snapshot().answers) == 0 and fresh.snapshot().answers.hits == 0
    assert cached.snapshot().answers.hits == 1


def test_a_caller_who_sees_other_documents_gets_an_answer_of_their_own(built):
    pipeline = _pipeline(built)
    everyone = pipeline.ask(QUESTION)
    cited = {c.document for c in everyone.citations}
    assert cited, everyone.answer
    others = sorted(set(pipeline.snapshot().documents) - cited)
    restricted = pipeline.ask(QUESTION, visible_documents=others)
    assert not {c.document for c in restricted.citations} & cited
    assert not {p.document for p in restricted.retrieved} & cited
    assert pipeline.snapshot().answers.hits == 0  # two keys, two computations


def test_filters_and_conversations_are_part_of_the_key(built):
    from assistant.filters import Filters

    pipeline = _pipeline(built)
    pipeline.ask(QUESTION)
    narrowed = pipeline.ask(QUESTION, filters=Filters.of(years=[2019]))
    pipeline.ask("Còn năm 2022 thì sao?", history=[QUESTION])
    cache = pipeline.snapshot().answers
    assert cache.hits == 0 and cache.misses == 3
    assert all(p.document for p in narrowed.retrieved)


def test_the_cache_is_bounded_and_a_new_build_starts_empty(built):
    pipeline = _pipeline(built)
    questions = [QUESTION, "trạm BTS năm 2023", "dịch vụ công trực tuyến mức 4", "Tiền Giang xếp hạng bao nhiêu"]
    for q in questions:
        pipeline.ask(q)
    old = pipeline.snapshot()
    assert len(old.answers) == 3  # answer_cache_size=3: the first question was dropped
    pipeline.ask(questions[-1])
    pipeline.ask(questions[0])
    assert (old.answers.hits, old.answers.misses) == (1, 5)
    fresh = pipeline.reload()
    assert fresh is not old and len(fresh.answers) == 0
    pipeline.ask(questions[-1])
    assert fresh.answers.hits == 0 and fresh.answers.misses == 1


def test_llm_answers_are_never_kept(built):
    pipeline = _pipeline(built, llm_base_url="http://127.0.0.1:9/v1")
    assert pipeline.turn(QUESTION, mode="llm").key is None
    assert pipeline.turn(QUESTION).key is not None


def test_a_new_build_is_warmed_with_the_questions_last_asked(tmp_path):
    """A reload with ``warm`` answers the old build's recent questions on the new one before the
    swap: asked again, they are lookups, and their answers are the new build's own (a document
    added in between answers one of them)."""
    from tests.conftest import CHARGING, INVENTED_DOCUMENT, INVENTED_TEXT

    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=8, warm_seconds=60, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, HashingEmbeddings())
    asked = [QUESTION, CHARGING]
    before = [pipeline.ask(q) for q in asked]
    follow_up = pipeline.ask("Còn năm 2025 thì sao?", history=[CHARGING])
    one = sorted(pipeline.snapshot().documents)[:1]
    pipeline.ask(QUESTION, visible_documents=one)  # a restricted caller's question is not warmed
    assert "1.345" not in before[1].answer and "1.102" not in follow_up.answer

    (tmp_path / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    fresh = pipeline.reload(warm=True)
    assert len(fresh.answers) == 3 and fresh.answers.misses == 0
    cold = Pipeline(settings.model_copy(update={"answer_cache_size": 0}), HashingEmbeddings())
    for q in asked:
        assert _same(pipeline.ask(q), cold.ask(q))
    again = pipeline.ask("Còn năm 2025 thì sao?", history=[CHARGING])
    assert fresh.answers.hits == 3 and fresh.answers.misses == 0
    assert "1.345" in pipeline.ask(CHARGING).answer and "1.102" in again.answer
    pipeline.ask(QUESTION, visible_documents=one)
    assert fresh.answers.misses == 1


def test_warming_is_bounded_by_its_budget(tmp_path):
    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=8, warm_seconds=0, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, HashingEmbeddings())
    pipeline.ask(QUESTION)
    old = pipeline.snapshot()
    fresh = pipeline.reload(warm=True)
    assert fresh is not old and len(fresh.answers) == 0  # no time to warm: nothing answered


def test_a_build_published_by_another_process_is_followed_in_the_background(tmp_path):
    """The request that notices a new build is not held up: the worker loads and warms it in a
    thread and swaps it in; a build already loaded is not loaded again."""
    from assistant.service.service import Service
    from tests.conftest import CHARGING, INVENTED_DOCUMENT, INVENTED_TEXT

    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=8, warm_seconds=60, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    service = Service(settings, Pipeline(settings, HashingEmbeddings()))
    pipeline = service.pipeline
    pipeline.ask(CHARGING)
    old = pipeline.snapshot()
    assert pipeline.reload(unless=old.build) is old  # already loaded: nothing done

    (tmp_path / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    service._checked_at = 0.0
    service.follow_published_build()
    follower = service._follower
    assert follower is not None
    follower.join(timeout=120)
    fresh = pipeline.snapshot()
    assert fresh is not old and fresh.build != old.build and len(fresh.answers) == 1
    assert "1.345" in pipeline.ask(CHARGING).answer and fresh.answers.hits == 1


class _FailingOnce:
    """An answerer that fails on the first question it is asked, then answers as the real one."""

    def __init__(self, real):
        self.real, self.failed = real, False

    def answer(self, question, hits, corpus, context=""):
        if not self.failed:
            self.failed = True
            raise RuntimeError("hỏng khi trả lời trước")
        return self.real.answer(question, hits, corpus, context)


def test_a_question_that_fails_while_warming_never_holds_up_the_swap(tmp_path):
    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=8, warm_seconds=60, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, HashingEmbeddings())
    asked = [QUESTION, "trạm BTS năm 2023"]
    for q in asked:
        pipeline.ask(q)
    old = pipeline.snapshot()
    pipeline._answerers["default"] = _FailingOnce(pipeline.answerer())
    fresh = pipeline.reload(warm=True)
    assert pipeline.snapshot() is fresh is not old
    assert len(fresh.answers) == 1  # the most recent failed, the other was warmed
    assert fresh.answers.recent()[0][1].question == QUESTION


def test_a_build_that_fails_to_load_is_not_retried_at_every_request(tmp_path):
    from assistant.service.service import Service

    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", warm_seconds=0, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    service = Service(settings, Pipeline(settings, HashingEmbeddings()))
    old = service.pipeline.snapshot()
    broken = settings.index_dir / "builds" / "20990101T000000-broken"
    broken.mkdir(parents=True)
    current = settings.index_dir / "current"
    target = current.readlink()
    current.unlink()
    current.symlink_to(broken.relative_to(settings.index_dir) if not target.is_absolute() else broken)
    service._checked_at = 0.0
    service.follow_published_build()
    service._follower.join(timeout=60)
    assert service.pipeline.snapshot() is old and service._failed[0] == broken.name
    first = service._follower
    service._checked_at = 0.0
    service.follow_published_build()
    assert service._follower is first  # not tried again at once


def test_a_caller_who_saw_every_old_document_never_gets_a_warmed_answer_from_a_new_one_hidden_from_them(tmp_path):
    """Before the new build, the caller saw every document (their key was "everything"); the
    document added is hidden from them, so the answer warmed for "everything" is not theirs."""
    from tests.conftest import CHARGING, INVENTED_DOCUMENT, INVENTED_TEXT

    shutil.copytree(DOCUMENTS, tmp_path / "documents")
    settings = Settings(data_dir=tmp_path, embedder="hashing", answer_cache_size=8, warm_seconds=60, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    pipeline = Pipeline(settings, HashingEmbeddings())
    theirs = sorted(pipeline.snapshot().documents)  # every document there is, for now
    pipeline.ask(CHARGING, visible_documents=theirs)
    assert pipeline.snapshot().answers.recent()[0][2] is None  # kept as "sees everything"

    (tmp_path / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    fresh = pipeline.reload(warm=True)
    assert len(fresh.answers) == 1
    warmed = pipeline.ask(CHARGING)  # a caller who sees the new document: the warmed answer
    assert fresh.answers.hits == 1 and "1.345" in warmed.answer
    answer = pipeline.ask(CHARGING, visible_documents=theirs)
    assert fresh.answers.hits == 1  # not the warmed answer: computed for what they see
    assert INVENTED_DOCUMENT not in {c.document for c in answer.citations} | {p.document for p in answer.retrieved}
    assert "1.345" not in answer.answer
