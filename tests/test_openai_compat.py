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
from tests.conftest import DOCUMENTS
from tests.server import running

openai = pytest.importorskip("openai")
KEY = "khoa-cong-thong-tin-0001"
BTS = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("openai")
    shutil.copytree(DOCUMENTS, root / "documents")
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
        messages=[{"role": "system", "content": "Bạn là trợ lý."}, {"role": "user", "content": BTS}],
    )
    content = done.choices[0].message.content
    assert "1.222" in content and "[1]" in content and "Nguồn:" in content
    assert done.choices[0].finish_reason == "stop" and done.object == "chat.completion"
    citations = done.model_extra["citations"]
    assert citations[0]["number"] == 1 and "1.222" in citations[0]["quote"]
    assert done.model_extra["figures"][0]["status"] == "verified"


def test_earlier_user_messages_are_the_conversation(client):
    done = client.chat.completions.create(
        model="tro-ly-quy-hoach",
        messages=[
            {"role": "user", "content": BTS},
            {"role": "assistant", "content": "1.222 trạm [1]."},
            {"role": "user", "content": [{"type": "text", "text": "còn năm 2020 thì sao?"}]},
        ],
    )
    assert done.choices[0].message.content and "1.222" not in done.choices[0].message.content.split("Nguồn")[0]


def test_streamed_chat_completion(client):
    stream = client.chat.completions.create(
        model="tro-ly-quy-hoach", stream=True, messages=[{"role": "user", "content": BTS}]
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert "1.222" in text and "[1]" in text
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].model_extra["citations"]


def test_errors_reach_the_client_in_its_format(client):
    bad = openai.OpenAI(base_url=client.base_url, api_key="sai", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as denied:
        bad.models.list()
    assert "Khóa API" in str(denied.value)
    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model="tro-ly-quy-hoach", messages=[{"role": "user", "content": "???"}])
