# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PIP     = $(BIN)/pip
STAMP_RUN = $(VENV)/.installed-run
STAMP_DEV = $(VENV)/.installed-dev
STAMP_BENCH = $(VENV)/.installed-bench

.PHONY: demo test lint typecheck pytest bench bench-small clean

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

test: $(STAMP_DEV) lint typecheck pytest

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

clean:
	rm -rf $(VENV) .intelgraph .pytest_cache .mypy_cache .ruff_cache .coverage
