# order_truth: every target sets up what it needs, idempotently, from a bare Python 3.11.
#   make demo   generate demo data (once), build + publish the warehouse, serve the dashboard
#   make test   lint, build a small generated dataset (tests included), run pytest
#   make test-engines   the same dataset on DuckDB, PostgreSQL and Spark, marts compared
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The first of python3.11 / python3 that really is Python 3.11.
PYTHON ?= $(shell for p in python3.11 python3; do \
	  command -v $$p >/dev/null 2>&1 && \
	  $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null && \
	  { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the dependency declaration changes.
STAMP := $(VENV)/.order-truth-installed
SPARK_STAMP := $(VENV)/.order-truth-spark-installed

export DBT_PROFILES_DIR := .
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

DEMO_ORDERS ?= 20000
DEMO_DATA ?= data
PORT ?= 8501
TEST_ORDERS ?= 3000
TEST_DATA ?= target/test-data
# make test builds and publishes into its own files (database, dbt artifacts, published
# copy), so it never replaces the demo's warehouse or mixes its results with another build.
TEST_BUILD_DB ?= target/test-build.duckdb
TEST_PUBLISHED ?= target/test-published/warehouse.duckdb
TEST_DBT_TARGET ?= target/test-dbt
# Slim CI: the directory holding production's manifest.json.
STATE ?= target/prod-state
TARGET ?= duckdb
# Engine equivalence (make test-engines): one dataset per engine, built on DuckDB too.
ENGINE_SEED ?= 7
PG_ORDERS ?= 5000
PG_DATA ?= target/engines/data-postgres
SPARK_ORDERS ?= 2000
SPARK_DATA ?= target/engines/data-spark
# sqlfluff's dbt templater compiles the project; keep its artifacts and database apart.
LINT_ENV := ORDER_TRUTH_DUCKDB_PATH=target/sqlfluff/lint.duckdb DBT_TARGET_PATH=target/sqlfluff

.PHONY: help setup setup-spark demo data build dashboard test lint lint-sql lint-python \
	test-data test-changed prod-state docs bench clean distclean test-postgres test-spark \
	test-engines test-equivalence

help:
	@echo "make demo          generate demo data, build + publish, serve the dashboard"
	@echo "make test          lint, build a small dataset with every dbt test, pytest"
	@echo "make setup         create .venv and install (idempotent)"
	@echo "make lint          sqlfluff + ruff"
	@echo "make test-engines  build one dataset on DuckDB, PostgreSQL and Spark; compare marts"
	@echo "make test-postgres / make test-spark   one engine's build and export"
	@echo "make test-changed  slim CI: dbt build --select state:modified+ (STATE=dir)"
	@echo "make docs          dbt docs generate"
	@echo "make bench         order-truth bench --orders \$$(ORDERS) (default 100000)"
	@echo "make clean         remove build output (keeps data/ and .venv)"

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "order_truth needs Python 3.11 (python3.11 or python3)" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e ".[dev,postgres]"
	@touch $(STAMP)

# Spark is optional (pyspark and a JVM are large): its own extra and stamp.
setup-spark: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-c constraints.txt -e ".[dev,postgres,spark]"
	@touch $(SPARK_STAMP)

data: setup
	@test -f $(DEMO_DATA)/_generator.json || \
		$(BIN)/order-truth generate --orders $(DEMO_ORDERS) --seed 42 --out $(DEMO_DATA)

build: data
	$(BIN)/order-truth build --data $(DEMO_DATA)

dashboard: setup
	$(BIN)/order-truth dashboard --port $(PORT)

demo: build
	$(BIN)/order-truth dashboard --port $(PORT)

lint-sql: setup
	@mkdir -p target/sqlfluff
	$(LINT_ENV) $(BIN)/sqlfluff lint models --processes 2

lint-python: setup
	$(BIN)/ruff check order_truth tests dashboard

lint: lint-sql lint-python

test-data: setup
	rm -rf $(TEST_DATA)
	$(BIN)/order-truth generate --orders $(TEST_ORDERS) --seed 7 --out $(TEST_DATA)

test: lint test-data
	ORDER_TRUTH_DUCKDB_PATH=$(TEST_BUILD_DB) ORDER_TRUTH_PUBLISHED=$(TEST_PUBLISHED) \
		DBT_TARGET_PATH=$(TEST_DBT_TARGET) $(BIN)/order-truth build --data $(TEST_DATA) --full-refresh
	ORDER_TRUTH_TEST_PUBLISHED=$(TEST_PUBLISHED) $(BIN)/pytest -m "not engines"

# Engine equivalence. Each engine target generates its dataset, builds it on DuckDB and
# on the engine (a throwaway PostgreSQL from scripts/pg-local; a local Spark session)
# and exports every public mart; test-engines then compares them row by row.
test-postgres: setup
	rm -rf $(PG_DATA)
	$(BIN)/order-truth generate --orders $(PG_ORDERS) --seed $(ENGINE_SEED) --out $(PG_DATA)
	scripts/pg-local -- scripts/engine-build postgres $(PG_DATA)

test-spark: setup-spark
	rm -rf $(SPARK_DATA)
	$(BIN)/order-truth generate --orders $(SPARK_ORDERS) --seed $(ENGINE_SEED) \
		--out $(SPARK_DATA)
	scripts/engine-build spark $(SPARK_DATA)

test-equivalence: setup
	$(BIN)/pytest -m engines -p no:cacheprovider -v -s tests/python/test_engine_equivalence.py

test-engines: test-postgres test-spark
	$(MAKE) --no-print-directory test-equivalence

ORDERS ?= 100000
SEED ?= 42

bench: setup
	$(BIN)/order-truth bench --orders $(ORDERS) --seed $(SEED)

# Slim CI for large projects: build only what changed (and its children), deferring
# unchanged parents to production. Needs production's manifest.json in $(STATE).
test-changed: setup
	@test -f $(STATE)/manifest.json || { echo "make test-changed: no $(STATE)/manifest.json; \
	copy production's dbt manifest there (or 'make prod-state' after a good build), or \
	pass STATE=dir" >&2; exit 2; }
	@test -f $(TEST_DATA)/_generator.json || $(MAKE) test-data
	ORDER_TRUTH_DATA=$(TEST_DATA) $(BIN)/dbt build --target $(TARGET) \
		--select state:modified+ --defer --state $(STATE)

# Keep the last build's manifest as the comparison state for test-changed.
prod-state:
	@test -f target/manifest.json || { echo "make prod-state: run a build first" >&2; exit 2; }
	mkdir -p $(STATE)
	cp target/manifest.json $(STATE)/manifest.json

docs: data
	ORDER_TRUTH_DATA=$(DEMO_DATA) $(BIN)/dbt docs generate
	@echo "docs written to target/index.html; serve with: $(BIN)/dbt docs serve --host 127.0.0.1"

clean:
	rm -rf target published logs dbt_packages .pytest_cache .ruff_cache

distclean: clean
	rm -rf $(VENV) $(DEMO_DATA)
