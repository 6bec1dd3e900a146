# Two commands: `make dev` brings the platform up, `make test` runs the whole suite.
# Both set themselves up from nothing but Python 3.11+ and are quick the second time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NBA_HOME ?= $(CURDIR)/.nba_home
export DAGSTER_HOME ?= $(NBA_HOME)/dagster
HOST ?= 127.0.0.1
PORT ?= 3000

.PHONY: dev test setup audit lint format bench clean-home

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.installed
	@$(BIN)/nba-assets db migrate
	@mkdir -p $(DAGSTER_HOME)
	@ln -sf $(CURDIR)/dagster.yaml $(DAGSTER_HOME)/dagster.yaml

dev: setup
	$(BIN)/dagster dev -w workspace.yaml -h $(HOST) -p $(PORT)

test: setup audit
	$(BIN)/pytest

# Known vulnerabilities in the installed dependencies fail the build unless
# audit-ignore.toml explains them.
audit: $(VENV)/.installed
	$(BIN)/python scripts/audit_dependencies.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-home:
	rm -rf $(NBA_HOME)
