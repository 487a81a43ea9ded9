"""The wrk load client (``benchmarks/wrk.py``) against real HTTP servers on 127.0.0.1: the mix of
requests it sends and in what proportions, the Vietnamese bodies intact, the statuses and
latencies it reads back, and a server that never answers counted as a failure."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.wrk import _threads, run_wrk, script

QUESTIONS = [
    "Năm 2023 Trà Vinh có bao nhiêu trạm BTS?",
    'Tỷ lệ "hồ sơ" trực tuyến ]] là bao nhiêu?',
    "Dòng ]====] và [[ngoặc]] có vỡ chuỗi không?",  # Lua's long-string closers
]


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the service answers
    seen: Counter = Counter()
    bodies: list = []
    types: set = set()
    lock = threading.Lock()

    def setup(self) -> None:
        super().setup()  # headers and body go out in separate writes: without this, Nagle's delay
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionError:  # wrk closes its connections mid-response when the time is up
            pass

    def _reply(self, status: int) -> None:
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self) -> None:  # server-sent events, chunked, as /ask/stream
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for event in (b'data: {"delta": "M\xe1\xbb\x99t"}\n\n', b"data: [DONE]\n\n"):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
        self.wfile.write(b"0\r\n\r\n")

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.seen[self.path] += 1
            self.types.add(self.headers.get("Content-Type"))
            if len(self.bodies) < 500:
                self.bodies.append(json.loads(data.decode("utf-8")))
        if self.path == "/api/v1/ask/stream":
            self._stream()
        else:
            self._reply(500 if self.path == "/api/v1/search" else 200)  # a failing route, to be counted

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.seen[self.path] += 1
        self._reply(200)

    def log_message(self, *args) -> None:
        pass


class _Hung(BaseHTTPRequestHandler):
    """Reads the request and never answers within the run."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802
        time.sleep(5)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args) -> None:
        pass


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def recorder():
    _Recorder.seen, _Recorder.bodies, _Recorder.types = Counter(), [], set()
    server, url = _serve(_Recorder)
    yield url
    server.shutdown()
    server.server_close()


def test_wrk_sends_the_mix_and_reads_back_statuses_and_latencies(recorder):
    mix = {"ask": 4, "stream": 2, "search": 2, "documents": 1}
    out = asyncio.run(run_wrk(recorder, clients=4, seconds=1, mix=mix, pool=QUESTIONS))
    seen = _Recorder.seen
    assert out["client"] == "wrk" and out["requests"] > 200
    assert set(seen) == {"/api/v1/ask", "/api/v1/ask/stream", "/api/v1/search", "/api/v1/documents"}
    total = sum(seen.values())
    for path, op in (("/api/v1/ask", "ask"), ("/api/v1/ask/stream", "stream"), ("/api/v1/search", "search")):
        assert seen[path] / total == pytest.approx(mix[op] / sum(mix.values()), abs=0.06)  # by weight
    # every search failed: counted as server errors, the rest as 200 (wrk drops the requests in
    # flight when the time is up: at most one per client, which the server saw)
    assert 0 <= out["unfinished"] <= 4
    assert out["server_errors"] == pytest.approx(seen["/api/v1/search"], abs=4)
    assert out["statuses"]["500"] == out["server_errors"]
    assert out["statuses"]["200"] == pytest.approx(total - seen["/api/v1/search"], abs=4)
    assert out["errors"] == out["server_errors"] and not out["connection_errors"]
    assert 0 < out["p50_ms"] <= out["p95_ms"] <= out["p99_ms"] <= out["max_ms"] < 1000
    assert out["p50_ms"] < 50  # milliseconds, not wrk's microseconds
    assert out["p99_ms"] <= out["p99_bound_ms"]  # the dropped requests counted as the slowest
    asked = {b.get("question") or b.get("query") for b in _Recorder.bodies}
    assert asked == set(QUESTIONS)  # the Vietnamese, the quotes and Lua's closers arrive intact
    assert all(b["k"] == 10 for b in _Recorder.bodies if "query" in b)
    assert _Recorder.types == {"application/json"}


def test_a_server_that_never_answers_is_a_failure_not_a_pass():
    server, url = _serve(_Hung)
    try:
        out = asyncio.run(run_wrk(url, clients=2, seconds=1, mix={"ask": 1}, pool=QUESTIONS))
    finally:
        server.shutdown()
        server.server_close()
    assert out["requests"] == 0 and out["p99_ms"] is None and out["p99_bound_ms"] is None
    assert out["connection_errors"]["no response"] == 2 and out["unfinished"] == 2
    assert out["errors"] >= 2


def test_each_wrk_thread_gets_the_same_number_of_connections():
    assert [_threads(2, c) for c in (64, 5, 1, 16)] == [2, 1, 1, 2]


def test_an_unknown_operation_is_refused():
    with pytest.raises(ValueError, match="unknown operation"):
        script({"upload": 1}, pool=QUESTIONS)
