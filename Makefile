# Two commands set up a fresh machine: `make run` opens cableqa on the shipped seed,
# `make test` runs the test suite. Both create .venv on first use: `make run` installs what
# the chat needs and nothing else, `make test` adds the test tools and Ray (the `test` and
# `ray` extras) to it.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# The CPU build of torch, installed before anything that depends on torch, so that pip never
# resolves a plain `torch` requirement to a multi-GB CUDA build. Only torch itself is installed
# this way (--no-deps): its requirements come from the usual index with the project's.
# A wheel pip already has at hand (find-links in pip's configuration, e.g. /opt/wheels) is
# tried first, offline (--no-index): it fails at once when there is none that satisfies the
# pin, and then PyTorch's CPU index serves. The other way round, an unreachable index cost
# five retries (9-20 s) before pip fell back to the local wheel.
TORCH ?= torch==2.13.0
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
# Installed by `make test` on top of the chat's own install (ray: so the --ray tests run, not skip).
TEST_EXTRAS := test,ray

.PHONY: run test lint bench install install-test

$(BIN)/cableqa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps --no-index "$(TORCH)" 2>/dev/null \
		|| $(BIN)/pip install --quiet --no-deps --index-url $(TORCH_INDEX) "$(TORCH)"
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/cableqa
	$(BIN)/pip install --quiet -e '.[$(TEST_EXTRAS)]'
	touch $@

install: $(BIN)/cableqa

install-test: $(VENV)/.test-extras

run: install
	$(BIN)/cableqa

test: install-test
	$(BIN)/python -m pytest -q

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python benchmarks/bench_search.py
