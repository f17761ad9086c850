# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/pip
STAMP_RUN = $(VENV)/.installed-run
STAMP_DEV = $(VENV)/.installed-dev
STAMP_BENCH = $(VENV)/.installed-bench

WEB_STAMP = frontend/node_modules/.installed

.PHONY: demo test lint typecheck pytest bench bench-small bench-ui clean web web-check browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip==26.3

$(STAMP_RUN): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(STAMP_DEV): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $@ $(STAMP_RUN)

$(STAMP_BENCH): pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -e '.[bench]'
	touch $@

demo: $(STAMP_RUN)
	$(BIN)/intelgraph demo

test: $(STAMP_DEV) lint typecheck web-check browser pytest

# The web UI: its source is frontend/, its production build is committed into the Python
# package, so running IntelGraph never needs Node.js. Node.js is only for changing the UI.
$(WEB_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Rebuild the committed UI (src/intelgraph/web/app) after changing frontend/.
web: $(WEB_STAMP)
	cd frontend && npm run build

# Types, unit tests, and the committed build matching a fresh build of the source.
web-check: $(WEB_STAMP)
	cd frontend && npm run typecheck && npm test && npm run check-build

# The end-to-end tests drive Debian's chromium; install it when missing (as root).
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  apt-get install -y -q chromium >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || echo "chromium is not installed: the browser tests will be skipped (CI fails)"

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP_DEV)
	$(BIN)/mypy

pytest: $(STAMP_DEV)
	$(BIN)/pytest --cov --cov-report=term

bench: $(STAMP_BENCH)
	$(BIN)/python bench/graph_bench.py

bench-small: $(STAMP_BENCH)
	$(BIN)/python bench/graph_bench.py --small

bench-ui: $(STAMP_DEV) browser
	$(BIN)/python bench/ui_bench.py

clean:
	rm -rf $(VENV) .intelgraph .pytest_cache .mypy_cache .ruff_cache .coverage frontend/node_modules test-artifacts
