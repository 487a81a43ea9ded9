"""Debian's chromium driven by Playwright, and a demo server for it (tests and screenshots).

The browser is the system one (``scripts/install-browser.sh`` installs it); nothing is downloaded."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.settings import Settings
from tests.server import running

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def launch(playwright):
    if not CHROMIUM.exists():
        raise RuntimeError(f"Không có {CHROMIUM}. Hãy chạy: sh scripts/install-browser.sh (make test tự chạy).")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)


@contextmanager
def demo_server(root: Path, extra: dict[str, str] | None = None, **settings):
    """The five real documents (and ``extra`` files: name → text) indexed with the hashing embedder,
    served with the UI on 127.0.0.1; yields (url, settings, service)."""
    shutil.copytree(ROOT / "documents", root / "documents")
    for name, text in (extra or {}).items():
        (root / "documents" / name).write_text(text, encoding="utf-8")
    options = {"embedder": "hashing", "rate_limit_per_minute": 0, **settings}
    config = Settings(data_dir=root, _env_file=None, **options)
    embedder = HashingEmbeddings()
    build_index(config, embedder, progress=False, log=lambda m: None)
    service = Service(config, Pipeline(config, embedder))
    with running(create_app(config, service=service)) as url:
        yield url, config, service
