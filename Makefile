# Two entry points for a newcomer: `make plan` (offline plan + policy review of ENV) and `make test`.
# Both bootstrap .venv from pyproject.toml on a fresh machine with Python 3.11+.
PYTHON ?= python3
ENV ?= dev
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: plan review test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
# Byte-compiled once here, so no command recompiles the sources where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q mlinfra components catalog policies stacks bootstrap
	touch $(STAMP)

plan: $(STAMP)
	mkdir -p plans
	$(BIN)/mlinfra plan $(ENV) --out plans/$(ENV).json
	$(BIN)/mlinfra review --deployment plans/$(ENV).json --env $(ENV)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/plan_review.py
	$(BIN)/python benchmarks/review_throughput.py
	$(BIN)/python benchmarks/replicated_series.py

clean:
	rm -rf $(VENV) plans
