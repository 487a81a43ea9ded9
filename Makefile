# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser wrk openmp run index test test-fast lint bench bench-quick profile eval baseline clean screenshots load train

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' \
		|| { echo "Cần Python 3.11 trở lên (đặt PYTHON=/đường/dẫn/python3.11)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# CPU-only torch first, so sentence-transformers does not pull CUDA wheels.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Debian's chromium for the browser tests and screenshots (installed only when missing).
browser:
	sh scripts/install-browser.sh

# Debian's wrk, the load generator in C of `scripts/soak.py --client wrk` (installed only when missing).
wrk:
	sh scripts/install-wrk.sh

# Debian's libgomp1, the OpenMP runtime of LightGBM (`assistant train`; installed only when missing).
openmp:
	sh scripts/install-openmp.sh

index: install
	$(BIN)/assistant index

run: index
	$(BIN)/assistant serve

test: install browser wrk openmp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not browser"

# The UI at desktop (1280×800) and phone (390×844) widths, into docs/screenshots/.
screenshots: install browser
	$(BIN)/python scripts/screenshots.py docs/screenshots

# The assistant beside the LangChain recipe (benchmarks/), in temp dirs: docs/benchmarks.md and plots.
BENCH_STAMP := $(VENV)/.bench-installed
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[bench]"
	touch $(BENCH_STAMP)

# make bench also runs the full load and soak test (make load) after the comparison.
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks
	$(BIN)/python scripts/soak.py

# The full load and soak test of a real `assistant serve` on 127.0.0.1 (about 3 minutes): 64 clients
# mixing ask, stream, search and documents for 60 s, then 60 s more while a document is uploaded,
# indexed and deleted in a loop; prints p50/p95/p99, 5xx and resident memory (docs/reliability.md).
# LOAD_ARGS="--clients 16 --seconds 20 --embedder hashing --json /tmp/soak.json" for a shorter run.
load: install wrk
	$(BIN)/python scripts/soak.py $(LOAD_ARGS)

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks --quick

profile: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.profile

# Rebuild the answerer's models from the question sets (deterministic; 110 min on 2 cores for round 19,
# cross-validation without leave-one-document-out; more with it): assistant/answering/trained/ and eval/reports/training/.
train: index openmp
	$(BIN)/assistant train

eval: index
	$(BIN)/assistant eval eval/datasets/dev.jsonl --out eval/reports/latest

clean:
	rm -rf $(VENV) index/current index/builds index/cache

# Run the dev set, commit-ready: the report in eval/reports/latest and a new eval/baseline.json.
baseline: index
	$(BIN)/assistant eval eval/datasets/dev.jsonl --out eval/reports/latest
	$(BIN)/python -c "import json; from assistant.evaluation.gate import baseline_from_metrics as b; \
m = json.load(open('eval/reports/latest/metrics.json')); \
json.dump(b(m, 'eval/datasets/dev.jsonl'), open('eval/baseline.json', 'w'), indent=2); print('eval/baseline.json cập nhật')"
