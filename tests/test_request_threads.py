"""How many requests compute at once in a server process (``request_threads``, the pipeline's gate):
a real server on 127.0.0.1, concurrent real requests, and a query embedder slowed down to see who is
inside the pipeline at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.settings import Settings
from tests.conftest import INVENTED_DOCUMENT, INVENTED_TEXT, invented_pipeline
from tests.server import running

CLIENTS = 6


class Recording(HashingEmbeddings):
    """The hashing embedder, whose queries take 0.5 s and record how many were being embedded at once
    and in what order they started (each search embeds its query once: they differ)."""

    def __init__(self, delay: float = 0.5):
        super().__init__()
        self.delay = delay
        self._guard = threading.Lock()
        self.inside = 0
        self.most = 0
        self.started: list[str] = []

    def embed_query(self, text):
        with self._guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.started.append(text)
        try:
            time.sleep(self.delay)
            return super().embed_query(text)
        finally:
            with self._guard:
                self.inside -= 1


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    return invented_pipeline(tmp_path_factory.mktemp("threads"), {INVENTED_DOCUMENT: INVENTED_TEXT})


def _service(indexed, threads: int, delay: float = 0.5) -> tuple[Service, Recording]:
    settings = indexed.settings.model_copy(update={"request_threads": threads, "rate_limit_per_minute": 0})
    embedder = Recording(delay)
    return Service(settings, Pipeline(settings, embedder)), embedder


def _concurrent_searches(indexed, threads: int) -> Recording:
    service, embedder = _service(indexed, threads)
    app = create_app(service.settings, service=service, ui=False)
    with running(app) as url, httpx.Client(base_url=url, timeout=60) as c:

        def search(i: int) -> int:
            time.sleep(0.15 * i)  # arrive in order, well apart
            return c.post("/api/v1/search", json={"query": f"điểm sạc xe điện {i}", "k": 3}).status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            codes = list(pool.map(search, range(CLIENTS)))
    assert codes == [200] * CLIENTS
    return embedder


def test_requests_beyond_the_limit_wait_their_turn_in_order(indexed):
    embedder = _concurrent_searches(indexed, 2)
    assert embedder.most == 2
    asked = [q for q in embedder.started if "điểm sạc xe điện" in q]
    assert len(asked) == CLIENTS and asked == sorted(asked, key=lambda q: int(q.rsplit(" ", 1)[1]))


def test_the_limit_is_the_setting(indexed):
    assert _concurrent_searches(indexed, 3).most == 3  # about 4 without the gate (0.15 s apart, 0.5 s each)


def test_the_setting_is_bounded():
    with pytest.raises(ValueError):
        Settings(request_threads=0, _env_file=None)


def test_health_is_answered_while_every_request_thread_is_busy(indexed):
    service, _ = _service(indexed, 1)
    with (
        running(create_app(service.settings, service=service, ui=False)) as url,
        httpx.Client(base_url=url, timeout=60) as c,
    ):
        with ThreadPoolExecutor(3) as pool:
            busy = [pool.submit(c.post, "/api/v1/search", json={"query": f"điểm sạc {i}", "k": 3}) for i in range(3)]
            time.sleep(0.1)  # the first search holds the one place for 0.5 s, two more wait behind it
            started = time.perf_counter()
            health, ready = c.get("/healthz"), c.get("/readyz")
            waited = time.perf_counter() - started
            assert [f.result().status_code for f in busy] == [200] * 3
    assert health.json() == {"status": "ok"} and ready.json()["status"] == "ready"
    assert waited < 0.5  # not queued behind ~1.4 s of searches
