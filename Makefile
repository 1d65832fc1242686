# Two commands: `make run` serves the sample graph, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STORE ?= ./var/store
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck pytest bench docs clean test-engines

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/supplygraph load --sample --if-empty --store $(STORE)
	$(BIN)/supplygraph serve --store $(STORE) --host $(HOST) --port $(PORT)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# The remote-backend tests against a second engine, Virtuoso from Debian (installed when missing; needs root).
test-engines: $(STAMP)
	command -v virtuoso-t >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource)
	SUPPLYGRAPH_TEST_ENGINE=virtuoso $(BIN)/pytest tests/remote -rxX

bench: $(STAMP)
	$(BIN)/python -m bench

docs: $(STAMP)
	$(BIN)/cog -r README.md

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache
