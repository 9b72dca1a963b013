# Two commands set up a fresh machine: `make run` opens cableqa on the shipped seed,
# `make test` runs the test suite. Both create .venv on first use.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The CPU build of torch, from PyTorch's CPU wheel index, installed before anything that
# depends on torch, so that pip never resolves a plain `torch` requirement to a multi-GB
# CUDA build. Only torch itself comes from that index (--no-deps): its requirements come
# from the usual index with the project's. A machine whose pip configuration offers a local
# torch wheel (find-links) is served from it when the index cannot be reached.
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: run test lint bench install

$(BIN)/cableqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps --index-url $(TORCH_INDEX) "$(TORCH)"
	$(BIN)/pip install --quiet -e '.[test,ray]'  # ray: so the --ray tests run, not skip
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
