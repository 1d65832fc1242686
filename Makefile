# Two commands: `make run` serves the sample graph, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make run serves where the service's own settings say: SUPPLYGRAPH_HOST, SUPPLYGRAPH_PORT and
# SUPPLYGRAPH_STORE from the environment, else these defaults (make run PORT=8012 works too).
STORE ?= $(or $(SUPPLYGRAPH_STORE),./var/store)
HOST ?= $(or $(SUPPLYGRAPH_HOST),127.0.0.1)
PORT ?= $(or $(SUPPLYGRAPH_PORT),8000)
# The browser tests and README screenshots drive Debian's chromium (never Playwright's download).
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck pytest bench docs clean chromium vendor test-engines

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

pytest: $(STAMP) chromium
	$(BIN)/pytest

# Installs chromium for tests/browser/ when it is missing and we may (root with apt-get); otherwise
# says why those tests will be skipped.  Never fails the build.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		(apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)) >/dev/null 2>&1 \
			|| echo "chromium could not be installed: the browser tests (tests/browser/) will be skipped" >&2; \
	else \
		echo "no chromium at $(CHROMIUM) and installing it needs root with apt-get:" \
			"the browser tests (tests/browser/) will be skipped" >&2; \
	fi

# The remote-backend tests against a second engine, Virtuoso from Debian (installed when missing; needs root).
test-engines: $(STAMP)
	command -v virtuoso-t >/dev/null || (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource)
	SUPPLYGRAPH_TEST_ENGINE=virtuoso $(BIN)/pytest tests/remote -rxX

bench: $(STAMP)
	$(BIN)/python -m bench

docs: $(STAMP) chromium
	$(BIN)/cog -r README.md
	$(BIN)/python scripts/screenshots.py docs/img

# Refreshes service/static/vendor/ from web/package-lock.json (needs npm; the result is committed).
vendor:
	scripts/vendor-assets

clean:
	rm -rf $(VENV) var .mypy_cache .pytest_cache .ruff_cache web/node_modules
