"""Benchmarks (not part of the product): ``python -m benchmarks`` runs the assistant beside the
LangChain recipe of issue 12 and writes docs/benchmarks.md; ``python -m benchmarks.profile``
profiles the build and the answer path."""
