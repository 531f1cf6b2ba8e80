# order_truth: every target sets up what it needs (idempotently) from a bare Python 3.11.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DBT_PROFILES_DIR := $(CURDIR)

DEMO_ORDERS ?= 20000
DEMO_DATA ?= data
TEST_ORDERS ?= 3000
TEST_DATA ?= target/test-data
PORT ?= 8501
STATE ?= prod-artifacts

.PHONY: setup demo data build dashboard test lint test-changed docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "order_truth needs Python 3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,postgres]"
	touch $(STAMP)

data: setup
	test -f $(DEMO_DATA)/_generator.json || $(BIN)/order-truth generate --orders $(DEMO_ORDERS) --seed 42 --out $(DEMO_DATA)

build: data
	$(BIN)/order-truth build --data $(DEMO_DATA)

dashboard: setup
	$(BIN)/order-truth dashboard --port $(PORT)

demo: build dashboard

lint: setup
	$(BIN)/ruff check order_truth tests dashboard
	$(BIN)/sqlfluff lint models macros analyses --processes 2

test: setup
	$(BIN)/ruff check order_truth tests dashboard
	$(BIN)/sqlfluff lint models --processes 2
	rm -rf $(TEST_DATA)
	$(BIN)/order-truth generate --orders $(TEST_ORDERS) --seed 7 --out $(TEST_DATA)
	$(BIN)/order-truth build --data $(TEST_DATA)
	$(BIN)/pytest -q

# Slim CI for big projects: build only what changed, deferring the rest to production.
test-changed: setup
	$(BIN)/dbt build --select state:modified+ --defer --state $(STATE)

docs: setup
	$(BIN)/dbt docs generate

clean:
	rm -rf target published logs dbt_packages .pytest_cache
