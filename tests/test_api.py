"""The HTTP API, through real requests to a server on 127.0.0.1 (keys off: a local run)."""

from __future__ import annotations

import json
import shutil
import threading

import httpx
import pytest

from assistant.indexing.builder import build_index
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.app import create_app
from assistant.service.state import StateStore
from assistant.settings import Settings
from tests.conftest import CHARGING, DOCUMENTS, INVENTED_DOCUMENT, INVENTED_TEXT
from tests.server import running, wait_for_job

BTS = "Năm 2023 toàn tỉnh có bao nhiêu trạm BTS?"
INVENTED = (
    "BÁO CÁO\n\nTình hình phủ sóng 5G tỉnh Trà Vinh năm 2026\n\n"
    "I. KẾT QUẢ\n\n- Toàn tỉnh có 4.321 trạm phát sóng 5G, phủ sóng 87,5% dân số.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    shutil.copytree(DOCUMENTS, root / "documents")
    (root / "documents" / INVENTED_DOCUMENT).write_text(INVENTED_TEXT, encoding="utf-8")
    settings = Settings(data_dir=root, embedder="hashing", rate_limit_per_minute=0, _env_file=None)
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    from assistant.pipeline import Pipeline
    from assistant.service.service import Service

    service = Service(settings, Pipeline(settings, embedder))
    with running(create_app(settings, service=service, ui=False)) as url:
        yield url, settings, service


@pytest.fixture
def client(server):
    with httpx.Client(base_url=server[0], timeout=60) as c:
        yield c


def test_health_readiness_and_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["build"]
    client.post("/api/v1/ask", json={"question": BTS})
    metrics = client.get("/metrics").text
    assert "assistant_requests_total" in metrics and 'route="/api/v1/ask"' in metrics
    assert "assistant_index_documents 6.0" in metrics and "assistant_request_seconds_bucket" in metrics


def _lookups(client) -> dict[str, float]:
    lines = client.get("/metrics").text.splitlines()
    found = {}
    for line in lines:
        for result in ("hit", "miss"):
            if line.startswith(f'assistant_answer_cache_lookups_total{{result="{result}"}}'):
                found[result] = float(line.split()[-1])
    return found


def test_answer_cache_lookups_are_counted_across_a_reload(client, server):
    question = "Tỷ lệ hồ sơ trực tuyến của Trà Vinh năm 2022 là bao nhiêu phần trăm?"
    before = _lookups(client)
    client.post("/api/v1/ask", json={"question": question})
    client.post("/api/v1/ask", json={"question": question})
    after = _lookups(client)
    assert after["miss"] - before["miss"] >= 1 and after["hit"] - before["hit"] >= 1
    # What the old snapshots counted stays, counted once, however many reloads are asked for at
    # once (they run one after the other); a new snapshot is warmed with the questions last asked
    # (warming counts no lookup), so the question asked again is a hit on it.
    pipeline = server[2].pipeline
    reloads = [threading.Thread(target=pipeline.reload, kwargs={"warm": True}) for _ in range(3)]
    for t in reloads:
        t.start()
    for t in reloads:
        t.join()
    assert _lookups(client) == after
    client.post("/api/v1/ask", json={"question": question})
    assert _lookups(client) == {"hit": after["hit"] + 1, "miss": after["miss"]}


def test_ask_returns_a_cited_verified_answer(client):
    r = client.post("/api/v1/ask", json={"question": CHARGING})
    assert r.status_code == 200
    a = r.json()
    assert a["value"] == 1345 and "1.345" in a["answer"] and not a["abstained"] and len(a["id"]) == 32
    c = a["citations"][0]
    assert "[1]" in a["answer"] and c["number"] == 1 and c["document"] == INVENTED_DOCUMENT and "1.345" in c["quote"]
    span = client.get(c["url"]).json()  # the citation opens the document at that place
    assert span["text"] == c["quote"] and span["start"] == c["quote_start"] and span["document"]["id"] == c["document"]
    assert {"text": "1.345", "status": "verified", "citation": 1}.items() <= a["figures"][0].items()
    assert len(a["retrieved"]) == 10 and a["retrieved"][0]["rank"] == 1 and a["timings"]["total_ms"] > 0


def test_ask_with_history_and_filters(client):
    follow = client.post("/api/v1/ask", json={"question": "còn năm 2020 thì sao?", "history": [BTS]}).json()
    assert follow["question"] == "còn năm 2020 thì sao?"
    only = client.post(
        "/api/v1/ask", json={"question": BTS, "filters": {"documents": ["tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"]}}
    )
    assert {p["document"] for p in only.json()["retrieved"]} == {"tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"}


def test_stream_sends_passages_answer_citations_verification(client):
    with client.stream("POST", "/api/v1/ask/stream", json={"question": CHARGING}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = []
        kind = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[6:])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "passages" and kinds[-4:] == ["answer", "citations", "verification", "done"]
    assert set(kinds[1:-4]) == {"delta"}
    answer = dict(events)["answer"]
    assert "".join(d["text"] for k, d in events if k == "delta") == answer["answer"] and answer["value"] == 1345
    assert any(p["document"] == INVENTED_DOCUMENT for p in dict(events)["passages"]["passages"])
    citation = dict(events)["citations"]["citations"][0]
    assert citation["number"] == 1 and citation["document"] == INVENTED_DOCUMENT
    assert {"text": "1.345", "status": "verified"}.items() <= dict(events)["verification"]["figures"][0].items()


def test_search_and_figures(client):
    passages = client.post("/api/v1/search", json={"query": "trạm BTS", "k": 3}).json()["passages"]
    assert len(passages) == 3 and [p["rank"] for p in passages] == [1, 2, 3]
    figures = client.get("/api/v1/figures", params={"q": "trạm BTS", "limit": 500}).json()
    assert figures["total"] >= 2 and any(f["value"] == 1222 for f in figures["figures"])
    years = {f["year"] for f in client.get("/api/v1/figures", params={"q": "trạm", "year": 2023}).json()["figures"]}
    assert years == {2023}


def test_documents_and_spans(client):
    docs = client.get("/api/v1/documents").json()["documents"]
    assert len(docs) == 6 and all(d["passages"] > 0 and d["title"] for d in docs)
    signers = {d["id"]: d["signer"] for d in docs}  # read from the signature block
    assert signers["tra-vinh-ke-hoach-ktxh-tttt-2024.txt"] == "Giám đốc Nguyễn Văn Này"
    assert signers["tien-giang-bao-cao-10-nam-nghi-quyet-36.txt"] is None  # none signs it
    first = docs[0]["id"]
    span = client.get(f"/api/v1/documents/{first}", params={"start": 10, "end": 40}).json()
    assert span["end"] - span["start"] == 30 and len(span["text"]) == 30
    assert client.get("/api/v1/documents/khong-co.txt").status_code == 404
    bad = client.get(f"/api/v1/documents/{first}", params={"start": 50, "end": 10})
    assert bad.status_code == 422 and "start" in bad.json()["error"]["message"]


def test_calculate_and_feedback(client, server):
    r = client.post("/api/v1/calculate", json={"expression": "72524 - 39217.236"}).json()
    assert r["result"] == pytest.approx(33306.764) and r["text"] == "33.306,764"
    bad = client.post("/api/v1/calculate", json={"expression": "__import__('os')"})
    assert bad.status_code == 422 and bad.json()["error"]["message"]
    answer = client.post("/api/v1/ask", json={"question": BTS}).json()
    fb = client.post("/api/v1/feedback", json={"answer_id": answer["id"], "rating": "down", "comment": "sai năm"})
    assert fb.status_code == 201
    rows = StateStore(server[1].state_dir / "state.db").feedback()
    row = next(r for r in rows if r["id"] == fb.json()["id"])
    assert row["rating"] == -1 and row["comment"] == "sai năm" and row["question"] == BTS


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/api/v1/ask", {"question": ""}, 422),
        ("POST", "/api/v1/ask", {"question": "???"}, 422),
        ("POST", "/api/v1/ask", {"question": "trạm " * 600}, 422),
        ("POST", "/api/v1/ask", {"question": 5}, 422),
        ("POST", "/api/v1/ask", {"question": "x", "mode": "foo"}, 422),
        ("POST", "/api/v1/search", {"query": "trạm", "k": 0}, 422),
        ("POST", "/api/v1/ask", {"question": "trạm", "filters": {"years": [34848600303]}}, 422),
        ("GET", "/api/v1/khong-co", None, 404),
        ("DELETE", "/api/v1/ask", None, 405),
    ],
)
def test_errors_are_vietnamese_json(client, method, path, body, status):
    r = client.request(method, path, json=body)
    assert r.status_code == status
    error = r.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]


def test_malformed_and_oversized_bodies(client):
    r = client.post("/api/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]["message"]
    huge = client.post(
        "/api/v1/ask", content=b"{" + b" " * (2 << 20) + b"}", headers={"content-type": "application/json"}
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "too_large"


def test_upload_ask_delete_an_invented_fact(client, server):
    files = {"file": ("Báo cáo 5G (2026).txt", INVENTED.encode(), "text/plain")}
    job = client.post("/api/v1/documents", files=files)
    assert job.status_code == 202 and job.json()["document"] == "bao-cao-5g-2026.txt"
    assert wait_for_job(client, job.json()["url"])["status"] == "done"
    question = "Năm 2026 Trà Vinh có bao nhiêu trạm phát sóng 5G?"
    a = client.post("/api/v1/ask", json={"question": question}).json()
    assert a["value"] == 4321 and a["citations"][0]["document"] == "bao-cao-5g-2026.txt"
    assert client.post("/api/v1/documents", files=files).status_code == 409  # already there
    gone = client.delete("/api/v1/documents/bao-cao-5g-2026.txt")
    assert gone.status_code == 202 and wait_for_job(client, gone.json()["url"])["status"] == "done"
    after = client.post("/api/v1/ask", json={"question": question}).json()
    assert all(p["document"] != "bao-cao-5g-2026.txt" for p in after["retrieved"]) and after["value"] != 4321
    assert len(client.get("/api/v1/documents").json()["documents"]) == 6
    assert list((server[1].state_dir / "trash").rglob("bao-cao-5g-2026.txt"))  # nothing is lost


def test_bad_uploads_leave_the_corpus_as_it_was(client, server):
    settings = server[1]
    before = sorted(p.name for p in settings.documents_dir.iterdir())
    build = client.get("/readyz").json()["build"]
    corrupt = client.post(
        "/api/v1/documents", files={"file": ("hong.pdf", b"%PDF-1.4 hong hoan toan", "application/pdf")}
    )
    assert corrupt.status_code == 202
    failed = wait_for_job(client, corrupt.json()["url"])
    assert failed["status"] == "failed" and "hong.pdf" in failed["message"]
    unsupported = client.post("/api/v1/documents", files={"file": ("x.exe", b"MZ", "application/octet-stream")})
    assert unsupported.status_code == 422 and ".docx" in unsupported.json()["error"]["message"]
    nameless = client.post("/api/v1/documents", files={"file": ("???.txt", b"tram BTS", "text/plain")})
    assert nameless.status_code == 422
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == before
    assert client.get("/readyz").json()["build"] == build  # no new build was published
    assert not list((settings.state_dir / "uploads").iterdir())  # staging cleaned up
    assert client.get("/api/v1/jobs/khong-co").status_code == 404


def test_a_file_name_is_never_a_path(client, server):
    job = client.post("/api/v1/documents", files={"file": ("../../etc/passwd.txt", b"Tram BTS moi.", "text/plain")})
    assert job.status_code == 202 and job.json()["document"] == "passwd.txt"
    assert wait_for_job(client, job.json()["url"])["status"] == "done"
    assert (server[1].documents_dir / "passwd.txt").is_file()
    assert wait_for_job(client, client.delete("/api/v1/documents/passwd.txt").json()["url"])["status"] == "done"


def test_a_stream_that_fails_unexpectedly_ends_with_an_error_event(client, monkeypatch):
    """The headers are sent before the answer: an error nobody foresaw is the stream's last event
    (and the OpenAI-compatible stream's last chunk before [DONE]), not a dropped connection."""
    from assistant.pipeline import Turn

    def broken(self, hits):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(Turn, "answer", broken)
    question = "Một câu hỏi chưa từng được hỏi về trạm BTS?"
    with client.stream("POST", "/api/v1/ask/stream", json={"question": question}) as r:
        lines = [line for line in r.iter_lines() if line]
    assert r.status_code == 200 and lines[0] == "event: passages" and lines[-2] == "event: error"
    assert json.loads(lines[-1][6:])["error"]["code"] == "internal"
    body = {"model": "tro-ly-quy-hoach", "stream": True, "messages": [{"role": "user", "content": question}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as r:
        lines = [line for line in r.iter_lines() if line]
    assert lines[-1] == "data: [DONE]" and json.loads(lines[-2][6:])["error"]["code"] == "internal"
