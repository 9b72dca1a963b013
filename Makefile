# Two commands set up a fresh machine: `make run` opens cableqa on the shipped seed,
# `make test` runs the test suite. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The CPU build of torch, installed before anything that depends on torch, so that
# pip never resolves a plain `torch` requirement to a multi-GB CUDA build.
TORCH ?= torch==2.13.0

.PHONY: run test lint bench install

$(BIN)/cableqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)"
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/cableqa

run: install
	$(BIN)/cableqa

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/bench_search.py
