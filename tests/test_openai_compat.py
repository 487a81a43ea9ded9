"""The OpenAI-compatible routes, driven by the official ``openai`` client against a real server."""

from __future__ import annotations

import shutil

import pytest

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.settings import Settings
from tests.conftest import CHARGING, DOCUMENTS, INVENTED_DOCUMENT, INVENTED_TEXT
from tests.server import running

openai = pytest.importorskip("openai")
KEY = "khoa-cong-thong-tin-0001"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("openai")
    shutil.copytree(DOCUMENTS, root / "documents")
    (root / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    settings = Settings(
        data_dir=root,
        embedder="hashing",
        api_keys=[{"key": KEY, "role": "reader"}],
        rate_limit_per_minute=0,
        _env_file=None,
    )
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    app = create_app(settings, service=Service(settings, Pipeline(settings, embedder)), ui=False)
    with running(app) as url:
        yield openai.OpenAI(base_url=f"{url}/v1", api_key=KEY, max_retries=0, timeout=60)


def test_models_are_listed(client):
    assert {m.id for m in client.models.list()} == {"tro-ly-quy-hoach", "tro-ly-quy-hoach-llm"}


def test_chat_completion_answers_with_citations(client):
    done = client.chat.completions.create(
        model="tro-ly-quy-hoach",
        messages=[{"role": "system", "content": "Bạn là trợ lý."}, {"role": "user", "content": CHARGING}],
    )
    content = done.choices[0].message.content
    assert "1.345" in content and "[1]" in content and "Nguồn:" in content
    assert done.choices[0].finish_reason == "stop" and done.object == "chat.completion"
    citations = done.model_extra["citations"]
    assert citations[0]["number"] == 1 and "1.345" in citations[0]["quote"]
    assert citations[0]["document"] == INVENTED_DOCUMENT
    assert {"text": "1.345", "status": "verified"}.items() <= done.model_extra["figures"][0].items()


def test_earlier_user_messages_are_the_conversation(client):
    done = client.chat.completions.create(
        model="tro-ly-quy-hoach",
        messages=[
            {"role": "user", "content": CHARGING},
            {"role": "assistant", "content": "1.345 điểm [1]."},
            {"role": "user", "content": [{"type": "text", "text": "còn năm 2025 thì sao?"}]},
        ],
    )
    # read as the charging question about 2025 (alone, "còn năm 2025 thì sao?" names nothing to count)
    said = done.choices[0].message.content.split("Nguồn")[0]
    assert "1.102" in said and "1.345" not in said


def test_streamed_chat_completion(client):
    stream = client.chat.completions.create(
        model="tro-ly-quy-hoach", stream=True, messages=[{"role": "user", "content": CHARGING}]
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "1.345" in text and "[1]" in text
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"][0]["document"] == INVENTED_DOCUMENT


def test_errors_reach_the_client_in_its_format(client):
    bad = openai.OpenAI(base_url=client.base_url, api_key="sai", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        bad.models.list()
    assert "Khóa API" in str(denied.value)
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="tro-ly-quy-hoach", messages=[{"role": "user", "content": "???"}])
