"""The wrk load client (``benchmarks/wrk.py``) against a real HTTP server on 127.0.0.1: the mix of
requests it sends, the Vietnamese bodies intact, and the statuses and latencies it reads back."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.wrk import run_wrk, script

QUESTIONS = ["Năm 2023 Trà Vinh có bao nhiêu trạm BTS?", 'Tỷ lệ "hồ sơ" trực tuyến ]] là bao nhiêu?']


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the service answers
    seen: Counter = Counter()
    bodies: list = []
    lock = threading.Lock()

    def _reply(self, status: int) -> None:
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.seen[self.path] += 1
            if len(self.bodies) < 200:
                self.bodies.append(json.loads(data.decode("utf-8")))
        self._reply(500 if self.path == "/api/v1/search" else 200)  # a failing route, to be counted

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.seen[self.path] += 1
        self._reply(200)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    _Recorder.seen, _Recorder.bodies = Counter(), []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_wrk_sends_the_mix_and_reads_back_statuses_and_latencies(recorder):
    mix = {"ask": 2, "search": 1, "documents": 1}
    out = asyncio.run(run_wrk(recorder, clients=4, seconds=1, mix=mix, pool=QUESTIONS))
    seen = _Recorder.seen
    assert out["client"] == "wrk" and out["requests"] > 20
    assert set(seen) == {"/api/v1/ask", "/api/v1/search", "/api/v1/documents"}  # no stream in this mix
    assert seen["/api/v1/ask"] > seen["/api/v1/search"] > 0  # weights 2 : 1
    # every search failed: counted as server errors, the rest as 2xx (wrk may count a request it cut
    # off at the end that the server still saw)
    assert out["server_errors"] == pytest.approx(seen["/api/v1/search"], abs=4)
    assert out["statuses"]["2xx"] == pytest.approx(seen["/api/v1/ask"] + seen["/api/v1/documents"], abs=4)
    assert out["errors"] >= out["server_errors"]
    assert 0 < out["p50_ms"] <= out["p95_ms"] <= out["p99_ms"] <= out["max_ms"]
    asked = {b.get("question") or b.get("query") for b in _Recorder.bodies}
    assert asked <= set(QUESTIONS) and asked  # the Vietnamese, the quotes and the "]]" arrive intact
    assert all(b["k"] == 10 for b in _Recorder.bodies if "query" in b)


def test_an_unknown_operation_is_refused():
    with pytest.raises(ValueError, match="unknown operation"):
        script({"upload": 1}, pool=QUESTIONS)
