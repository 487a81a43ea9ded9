"""Prometheus metrics of one server process (each worker exposes its own)."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "assistant_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "assistant_request_seconds",
            "Request latency",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.answers = Counter("assistant_answers", "Answers given", ["mode"], registry=self.registry)
        self.abstentions = Counter(
            "assistant_abstentions", "Questions the documents do not answer", registry=self.registry
        )
        self.documents = Gauge("assistant_index_documents", "Documents in the loaded index", registry=self.registry)
        self.chunks = Gauge("assistant_index_chunks", "Passages in the loaded index", registry=self.registry)

    def count_cache(self, lookups: Callable[[], tuple[int, int]]) -> None:
        """Report the answer cache's lookups (hits, misses so far, read when scraped)."""
        self.registry.register(_CacheLookups(lookups))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _CacheLookups:
    """``assistant_answer_cache_lookups_total{result="hit"|"miss"}``, read from the service."""

    def __init__(self, lookups: Callable[[], tuple[int, int]]) -> None:
        self._lookups = lookups

    def describe(self):
        return []

    def collect(self):
        hits, misses = self._lookups()
        family = CounterMetricFamily(
            "assistant_answer_cache_lookups", "Answer cache lookups (default mode)", labels=["result"]
        )
        family.add_metric(["hit"], hits)
        family.add_metric(["miss"], misses)
        yield family
