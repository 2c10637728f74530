# ocop-hub: every target sets up what it needs (venv from uv.lock) on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.RECIPEPREFIX := >

UV_VERSION := 0.13.8
# uv never downloads an interpreter here: use the first local Python >= 3.12 found.
PYTHON ?= $(shell for p in python3.12 python3.13 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null); do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null \
            && { command -v $$p; break; }; done)
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
VENV := .venv/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT
# pytest-xdist workers for `make test`: one per core of the 2-core machines the suite is timed on. Each
# worker is its own test session, with its own SQLite file, PostgreSQL schema and media directory.
TEST_WORKERS ?= 2

.PHONY: help setup runtime run serve demo migrate test lint format bench schema clean worker demo-catalog graphiql-assets \
        frontend-tools schema-lint schema-check codegen test-slow

help:
> @echo "make run    - set up, migrate, load demo data on first start, serve on $(HOST):$(PORT)"
> @echo "make test   - set up, lint, run the whole suite (SQLite, and PostgreSQL when OCOP_TEST_POSTGRES_DSN is set)"
> @echo "make test-slow - the slow tests (pytest -m slow): deploy/install.sh in a clean directory, then migrate + serve"
> @echo "make lint   - ruff + mypy + the GraphQL schema linter and breaking-change check (schema-lint, schema-check)"
> @echo "make schema-lint  - graphql-eslint on schema.graphql and examples/operations (rules: docs/frontend.md)"
> @echo "make schema-check - fail on a breaking change against the last released schema not listed in CHANGELOG.md"
> @echo "make codegen - run docs/frontend.md's quick start: graphql-codegen + tsc on the documented operations"
> @echo "make bench  - benchmarks: GraphQL products vs a plain floor, trace pages, loop lag under hostile requests, label printing (PDF/ZPL), a recall across two replicas"
> @echo "make demo   - load the demo data set (idempotent)"
> @echo "make worker - run background jobs (catalog renders): procrastinate on PostgreSQL, a local loop otherwise"
> @echo "make demo-catalog - the demo fair's catalog as var/catalog-hoi-cho-ocop-du-lich-2019-vi-A4.pdf"
> @echo "make schema - re-export schema.graphql"
> @echo "make graphiql-assets - re-fetch GraphiQL, React and React DOM (pinned in scripts/vendor_graphiql.sh) from the npm registry into static/graphiql/"

$(UV):
> @test -n "$(PYTHON)" || { echo "Python >= 3.12 is required (set PYTHON=...)"; exit 1; }
> $(PYTHON) -m venv .tools
> .tools/bin/pip install --quiet uv==$(UV_VERSION)

.venv/.synced: uv.lock pyproject.toml | $(UV)
> $(UV) sync --frozen --python $(PYTHON)
> @touch $@

setup: .venv/.synced

# The runtime alone (no pytest, ruff, mypy) for the targets that only run the server or its commands;
# --inexact keeps the dev tools of a venv `make setup` already made.
.venv/.synced-runtime: uv.lock pyproject.toml | $(UV)
> $(UV) sync --frozen --no-dev --inexact --python $(PYTHON)
> @touch $@

runtime: .venv/.synced-runtime

migrate: runtime
> $(VENV)/python server.py migrate

run: runtime
> $(VENV)/python server.py migrate --demo-if-empty
> $(VENV)/python server.py serve

demo: runtime
> $(VENV)/python server.py migrate
> $(VENV)/python server.py demo

lint: setup schema-lint schema-check
> $(VENV)/ruff check .
> $(VENV)/ruff format --check .
> $(VENV)/mypy .

# The Node tools of the GraphQL contract (graphql-eslint, graphql-inspector, graphql-codegen, typescript),
# installed from tools/frontend/package-lock.json into tools/frontend/node_modules (git-ignored).
FRONTEND := tools/frontend
$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
> cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
> @touch $@

frontend-tools: $(FRONTEND)/node_modules/.installed

schema-lint: frontend-tools
> $(FRONTEND)/node_modules/.bin/eslint --config $(FRONTEND)/eslint.config.mjs --max-warnings 0 schema.graphql examples/operations

schema-check: frontend-tools
> node $(FRONTEND)/schema-check.mjs

codegen: frontend-tools
> node $(FRONTEND)/quickstart.mjs

format: setup
> $(VENV)/ruff check --fix .
> $(VENV)/ruff format .

worker: runtime
> $(VENV)/python server.py migrate
> $(VENV)/python server.py worker

demo-catalog: runtime
> $(VENV)/python server.py migrate
> $(VENV)/python server.py demo
> $(VENV)/python server.py catalog --fair hoi-cho-ocop-du-lich-2019 -o var/catalog-hoi-cho-ocop-du-lich-2019-vi-A4.pdf

test: lint
> $(VENV)/pytest -n $(TEST_WORKERS)

# Left out of `make test` (pyproject's addopts: -m 'not slow'); .ci/run runs it after `make test`.
test-slow: setup
> $(VENV)/pytest -n 0 -m slow

schema: setup
> $(VENV)/python server.py export-schema --output schema.graphql

bench: setup
> $(VENV)/python benchmarks/run.py && $(VENV)/python benchmarks/trace_bench.py && $(VENV)/python benchmarks/loop_lag.py && $(VENV)/python benchmarks/labels_bench.py && $(VENV)/python benchmarks/catalog_bench.py && $(VENV)/python benchmarks/spreadsheet_bench.py && $(VENV)/python benchmarks/replicas.py && $(VENV)/python benchmarks/observability_bench.py

clean:
> rm -rf .venv .tools var/*.sqlite3* .pytest_cache .mypy_cache .ruff_cache

# The explorer's browser files, vendored so GraphiQL works without internet; versions pinned in the script,
# sizes and sha384 integrity written to static/graphiql/manifest.json (tests/api/test_graphiql.py checks them).
graphiql-assets:
> scripts/vendor_graphiql.sh
