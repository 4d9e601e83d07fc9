# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck check bench clean install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the whole local stack (sandbox systems, subgraphs, gateway) with embedded defaults.
run: $(STAMP)
	$(BIN)/retail-gateway stack

## Run the whole test suite (starts its own Redis server).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## Benchmark our gateway against Apollo Gateway and Hive Gateway, then our whole stack on the apps'
## operations (the retail scenario), in one run (bench/README.md). It installs its own tools into
## bench/.cache; e.g. `make bench BENCH_DURATION=10s BENCH_WARMUP=3s`, `BENCH_ARGS=--no-retail`.
BENCH_DURATION ?= 60s
BENCH_WARMUP ?= 10s
BENCH_VUS ?= 50
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python -m bench run --duration $(BENCH_DURATION) --warmup $(BENCH_WARMUP) --vus $(BENCH_VUS) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
