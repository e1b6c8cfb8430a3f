# The README's two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PBI_DB ?= data/party_building.duckdb
export PBI_DB

.PHONY: run test lint demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## make run: install (with the Chinese font the PDF meeting material embeds: scripts/system-packages), create the
## demo database (and one demo account per role) on first run, show where the demo accounts are, serve the app on
## http://localhost:8501 (serve.py: app.py, its pages' caches warmed from the server's start)
run: $(VENV)/.runtime
	scripts/system-packages
	$(BIN)/python -m analytics demo --db "$(PBI_DB)" --if-missing --accounts data/demo_accounts.txt
	$(BIN)/python -m streamlit run serve.py --server.port 8501

## make test: lint, then the whole suite (unit, AppTest, headless Chromium via Debian's /usr/bin/chromium), on two
## worker processes (pytest-xdist); each test file stays on one worker, so its module fixtures are built once, and
## the files that drive Chromium run one after another on one worker (tests/conftest.py, pytest_xdist_make_scheduler)
test: $(VENV)/.dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(VENV)/.dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

demo: $(VENV)/.runtime
	$(BIN)/python -m analytics demo --db "$(PBI_DB)" --force

bench: $(VENV)/.dev
	$(BIN)/python bench/demo_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build
