"""Schemathesis against the server's own OpenAPI schema: no input yields a server error."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.indexing.builder import build_index
from assistant.pipeline import Pipeline
from assistant.retrieval.embeddings import HashingEmbeddings
from assistant.service.app import create_app
from assistant.service.service import Service
from assistant.settings import Settings
from tests.conftest import DOCUMENTS
from tests.server import running

pytest.importorskip("schemathesis")
READER = "khoa-doc-kiem-thu-00001"


def test_no_server_errors_on_any_generated_request(tmp_path):
    shutil.copy(
        DOCUMENTS / "tra-vinh-ke-hoach-ktxh-tttt-2021.txt",
        (tmp_path / "documents").mkdir() or tmp_path / "documents" / "ke-hoach-2021.txt",
    )
    settings = Settings(
        data_dir=tmp_path,
        embedder="hashing",
        rate_limit_per_minute=0,
        api_keys=[{"key": READER, "role": "reader"}],
        _env_file=None,
    )
    embedder = HashingEmbeddings()
    build_index(settings, embedder, progress=False, log=lambda m: None)
    app = create_app(settings, service=Service(settings, Pipeline(settings, embedder)), ui=False)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    with running(app) as url:
        run = subprocess.run(
            [
                str(schemathesis),
                "run",
                f"{url}/openapi.json",
                "--checks",
                "not_a_server_error",
                "--max-time",
                "30",
                "--phases",
                "examples,coverage,fuzzing",
                "--header",
                f"X-API-Key: {READER}",
                "--suppress-health-check",
                "all",
                "--workers",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    generated = re.search(r"(\d+) generated", run.stdout)
    assert generated and int(generated.group(1)) >= 300, run.stdout[-2000:]
    assert "Tested: 16" in run.stdout  # every operation of the schema
