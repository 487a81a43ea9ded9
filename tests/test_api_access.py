"""Keys, roles, document groups and limits, through a real server on 127.0.0.1 with keys on.

One test walks every route with two reader keys: a restricted document never shows to the key
outside its group — not in search, ask, streams, citations, figures, document listings or the
OpenAI-compatible route."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import httpx
import pytest

from assistant.errors import ConfigurationError
from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.access import KeyRing
from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.service.state import StateStore
from assistant.settings import Settings
from tests.conftest import DOCUMENTS
from tests.server import running, wait_for_job

SECRET = "mat-ha-tang-2026.txt"
SECRET_TEXT = (
    "BÁO CÁO MẬT\n\nHạ tầng viễn thông tỉnh Trà Vinh năm 2026\n\n"
    "I. KẾT QUẢ\n\n- Năm 2026 toàn tỉnh có 7.777 trạm BTS mới, kinh phí 123.456 triệu đồng.\n"
)
ADMIN = "admin-khoa-thu-nghiem-0001"
INSIDER = "doc-trong-nhom-mat-000001"
OUTSIDER = "doc-ngoai-nhom-mat-00001"
QUESTION = "Năm 2026 toàn tỉnh có bao nhiêu trạm BTS mới?"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("keys")
    shutil.copytree(DOCUMENTS, root / "documents")
    (root / "documents" / SECRET).write_text(SECRET_TEXT, encoding="utf-8")
    (root / "documents" / f"{SECRET}.meta.yaml").write_text("groups: [so-tttt-mat]\n", encoding="utf-8")
    keys = [
        {"key": ADMIN, "role": "admin"},
        {"key": INSIDER, "role": "reader", "groups": ["so-tttt-mat"]},
        {"key": OUTSIDER, "role": "reader", "groups": ["khac"]},
    ]
    settings = Settings(
        data_dir=root, embedder="hashing", api_keys=keys, require_keys=True, rate_limit_per_minute=600, _env_file=None
    )
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    service = Service(settings, Pipeline(settings, embedder))
    with running(create_app(settings, service=service, ui=False)) as url:
        yield url, settings


def _client(server, key: str | None, bearer: bool = False) -> httpx.Client:
    headers = {} if key is None else ({"Authorization": f"Bearer {key}"} if bearer else {"X-API-Key": key})
    return httpx.Client(base_url=server[0], headers=headers, timeout=60)


def _walk(client: httpx.Client) -> str:
    """Everything a caller can read through every route, as one text."""
    seen = [
        client.get("/api/v1/documents").text,
        client.get(f"/api/v1/documents/{SECRET}", params={"start": 0, "end": 300}).text.replace(SECRET, "<id>"),
        client.get("/api/v1/figures", params={"q": "trạm BTS", "limit": 1000}).text,
        client.get("/api/v1/figures", params={"document": SECRET}).text,
        client.post("/api/v1/search", json={"query": QUESTION, "k": 50}).text,
        client.post("/api/v1/search", json={"query": "báo cáo mật", "filters": {"documents": [SECRET]}}).text,
        client.post("/api/v1/ask", json={"question": QUESTION}).text,
        client.post("/api/v1/ask", json={"question": QUESTION, "filters": {"documents": [SECRET]}}).text,
        client.post("/api/v1/ask/stream", json={"question": QUESTION}).text,
        client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}).text,
        client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}], "stream": True}
        ).text,
    ]
    return "\n".join(seen)


def test_a_restricted_document_never_shows_outside_its_group(server):
    with _client(server, OUTSIDER) as outsider, _client(server, INSIDER) as insider:
        hidden = _walk(outsider)
        shown = _walk(insider)
    for secret in (SECRET, "7.777", "123.456", "BÁO CÁO MẬT"):
        assert secret not in hidden
        assert secret in shown or secret == "BÁO CÁO MẬT"
    with _client(server, OUTSIDER) as outsider:
        assert len(outsider.get("/api/v1/documents").json()["documents"]) == 5  # not even the count
        hidden_doc = outsider.get(f"/api/v1/documents/{SECRET}")
        absent_doc = outsider.get("/api/v1/documents/khong-ton-tai.txt")
        assert hidden_doc.status_code == absent_doc.status_code == 404  # the same as a document that never was
        assert hidden_doc.json()["error"]["message"].replace(SECRET, "X") == absent_doc.json()["error"][
            "message"
        ].replace("khong-ton-tai.txt", "X")


def test_keys_are_required_and_checked(server):
    with _client(server, None) as anonymous:
        r = anonymous.post("/api/v1/ask", json={"question": QUESTION})
        assert r.status_code == 401 and "X-API-Key" in r.json()["error"]["message"]
        assert anonymous.get("/healthz").status_code == 200  # liveness needs no key
        assert anonymous.get("/metrics").status_code == 401
    with _client(server, "tl_00000000_sai-hoan-toan") as wrong:
        assert wrong.get("/api/v1/documents").status_code == 401
    with _client(server, INSIDER, bearer=True) as bearer:
        assert bearer.get("/api/v1/documents").status_code == 200


def test_readers_cannot_manage_documents_or_read_metrics(server):
    with _client(server, INSIDER) as reader:
        up = reader.post("/api/v1/documents", files={"file": ("a.txt", b"Tram BTS.", "text/plain")})
        assert up.status_code == 403 and up.json()["error"]["code"] == "permission_denied"
        assert reader.delete(f"/api/v1/documents/{SECRET}").status_code == 403
        assert reader.get("/metrics").status_code == 403
    with _client(server, ADMIN) as admin:
        assert admin.get("/metrics").status_code == 200


def test_keys_from_the_store_and_revocation(server):
    settings = server[1]
    ring = KeyRing(StateStore(settings.state_dir / "state.db"), settings)
    key, key_id = ring.create("cong-thong-tin", "reader", ["so-tttt-mat"])
    assert key.startswith("tl_") and key_id in key
    stored = StateStore(settings.state_dir / "state.db").key(key_id)
    assert key.split("_", 2)[2] not in json.dumps(dict(stored))  # only the hash is stored
    with _client(server, key) as c:
        assert SECRET in c.get("/api/v1/documents").text
        assert StateStore(settings.state_dir / "state.db").revoke_key(key_id)
        assert c.get("/api/v1/documents").status_code == 401


def test_cli_creates_lists_and_revokes_keys(server):
    env = {"ASSISTANT_DATA_DIR": str(server[1].data_dir), "PATH": ""}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "assistant.cli", "keys", *args],  # noqa: E731
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    made = run("create", "--name", "thu-nghiem", "--role", "admin")
    assert made.returncode == 0 and "tl_" in made.stdout
    key_id = made.stdout.split("Đã tạo khóa ")[1].split()[0]
    assert key_id in run("list").stdout
    assert run("revoke", key_id).returncode == 0 and run("revoke", key_id).returncode == 2
    assert run("create", "--name", "x", "--role", "vua").returncode == 2


def test_upload_with_groups_is_restricted(server):
    with _client(server, ADMIN) as admin, _client(server, OUTSIDER) as outsider, _client(server, INSIDER) as insider:
        job = admin.post(
            "/api/v1/documents",
            data={"groups": "so-tttt-mat"},
            files={"file": ("noi-bo.txt", "Năm 2026 có 31.337 điểm wifi nội bộ.".encode(), "text/plain")},
        )
        assert job.status_code == 202 and wait_for_job(admin, job.json()["url"])["status"] == "done"
        assert "noi-bo.txt" in insider.get("/api/v1/documents").text
        assert "noi-bo.txt" not in outsider.get("/api/v1/documents").text
        assert "31.337" not in outsider.post("/api/v1/search", json={"query": "điểm wifi nội bộ"}).text
        assert outsider.get(job.json()["url"]).status_code == 404  # another key's job
        wait_for_job(admin, admin.delete("/api/v1/documents/noi-bo.txt").json()["url"])


def test_rate_limit_answers_429_with_retry_after(tmp_path):
    shutil.copy(
        DOCUMENTS / "tra-vinh-ke-hoach-ktxh-tttt-2021.txt",
        (tmp_path / "documents").mkdir() or tmp_path / "documents" / "a.txt",
    )
    settings = Settings(data_dir=tmp_path, embedder="hashing", rate_limit_per_minute=3, _env_file=None)
    build_index(settings, HashingEmbeddings(), progress=False, log=lambda m: None)
    with running(create_app(settings, ui=False)) as url, httpx.Client(base_url=url) as c:
        codes = [c.get("/api/v1/documents").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
        r = c.get("/api/v1/documents")
        assert int(r.headers["Retry-After"]) >= 1 and "giây" in r.json()["error"]["message"]


def test_keys_are_required_off_loopback(tmp_path):
    settings = Settings(data_dir=tmp_path, embedder="hashing", host="0.0.0.0", _env_file=None)
    with pytest.raises(ConfigurationError, match="khóa"):
        create_app(settings, ui=False)
