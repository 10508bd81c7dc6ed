# lrs-bridge: `make run` serves on http://127.0.0.1:8080, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint bench install dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed

## Migrate ./var/lrs-bridge.sqlite3, print the demo credential once and a console sign-in link,
## serve with the scheduler.
## The data directory is ./var and the competency files are the editable copies in ./config.
run: export LRS_BRIDGE_DATA_DIR := $(CURDIR)/var
run: export LRS_BRIDGE_FRAMEWORK_FILE ?= $(CURDIR)/config/framework.json
run: export LRS_BRIDGE_COMPETENCY_MAP_FILE ?= $(CURDIR)/config/competency-map.yaml
run: install
	$(BIN)/lrs-bridge db upgrade
	$(BIN)/lrs-bridge credentials demo
	$(BIN)/lrs-bridge users demo
	$(BIN)/lrs-bridge serve

## The whole test suite (SQLite and PostgreSQL at 127.0.0.1:5432; the console in Debian's Chromium).
test: dev
	.ci/ensure-chromium
	$(BIN)/python -m pytest

lint: dev
	$(BIN)/ruff check lrs_bridge tests bench
	$(BIN)/ruff format --check lrs_bridge tests bench
	$(BIN)/mypy

## Benchmarks against a real server process; prints figures.
bench: dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/attachment_memory.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
