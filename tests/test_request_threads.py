"""How many requests' Python runs at once in a server process (``request_threads``): a real server on
127.0.0.1, concurrent real requests, and a search slowed down to see who is inside at the same time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.settings import Settings
from tests.conftest import INVENTED_DOCUMENT, INVENTED_TEXT, invented_pipeline
from tests.server import running

CLIENTS = 6


class Recording(Service):
    """A service whose searches take 0.5 s and record how many were running at once and in what order
    they started."""

    def __init__(self, settings, pipeline):
        super().__init__(settings, pipeline)
        self._guard = threading.Lock()
        self.inside = 0
        self.most = 0
        self.started: list[str] = []

    def search(self, caller, query, k, filters=None):
        with self._guard:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.started.append(query)
        try:
            time.sleep(0.5)
            return super().search(caller, query, k, filters)
        finally:
            with self._guard:
                self.inside -= 1


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    return invented_pipeline(tmp_path_factory.mktemp("threads"), {INVENTED_DOCUMENT: INVENTED_TEXT})


def _concurrent_searches(pipeline, threads: int) -> Recording:
    settings = pipeline.settings.model_copy(update={"request_threads": threads, "rate_limit_per_minute": 0})
    service = Recording(settings, pipeline)
    with running(create_app(settings, service=service, ui=False)) as url, httpx.Client(base_url=url, timeout=60) as c:

        def search(i: int) -> int:
            time.sleep(0.15 * i)  # arrive in order, well apart
            return c.post("/api/v1/search", json={"query": f"điểm sạc xe điện {i}", "k": 3}).status_code

        with ThreadPoolExecutor(CLIENTS) as pool:
            codes = list(pool.map(search, range(CLIENTS)))
    assert codes == [200] * CLIENTS
    return service


def test_requests_beyond_the_limit_wait_their_turn_in_order(pipeline):
    service = _concurrent_searches(pipeline, 2)
    assert service.most == 2
    assert service.started == [f"điểm sạc xe điện {i}" for i in range(CLIENTS)]


def test_the_limit_is_the_setting(pipeline):
    assert _concurrent_searches(pipeline, 3).most == 3  # 6 with the pool's default of 40


def test_the_setting_is_bounded():
    with pytest.raises(ValueError):
        Settings(request_threads=0, _env_file=None)


def test_health_is_answered_while_every_request_thread_is_busy(pipeline):
    settings = pipeline.settings.model_copy(update={"request_threads": 1, "rate_limit_per_minute": 0})
    service = Recording(settings, pipeline)
    with running(create_app(settings, service=service, ui=False)) as url, httpx.Client(base_url=url, timeout=60) as c:
        with ThreadPoolExecutor(3) as pool:
            busy = [pool.submit(c.post, "/api/v1/search", json={"query": "điểm sạc", "k": 3}) for _ in range(3)]
            time.sleep(0.1)  # the first search holds the one thread for 0.5 s, two more wait behind it
            started = time.perf_counter()
            health, ready = c.get("/healthz"), c.get("/readyz")
            waited = time.perf_counter() - started
            assert [f.result().status_code for f in busy] == [200] * 3
    assert health.json() == {"status": "ok"} and ready.json()["status"] == "ready"
    assert waited < 0.5  # not queued behind ~1.4 s of searches
