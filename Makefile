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

# The Pulumi Node.js SDKs the TypeScript/JavaScript test programs run with (tests/node_programs/package-lock.json).
NODE_STAMP := tests/node_programs/node_modules/.installed
$(NODE_STAMP): tests/node_programs/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm (apt-get install nodejs npm)" >&2; exit 1; }
	cd tests/node_programs && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/plan_review.py
	$(BIN)/python benchmarks/review_throughput.py
	$(BIN)/python benchmarks/replicated_series.py

clean:
	rm -rf $(VENV) plans
