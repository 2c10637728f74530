# ocop-hub: every target sets up what it needs (venv from uv.lock) on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.RECIPEPREFIX := >

UV_VERSION := 0.13.8
# uv never downloads an interpreter here: use the first local Python >= 3.12 found.
PYTHON ?= $(shell for p in python3.12 python3.13 $$(ls -d /root/.pyenv/versions/3.1[23]*/bin/python3 2>/dev/null); do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null \
            && { command -v $$p; break; }; done)
# Looked up once per make run (a `?=` variable would run the search again at every use).
PYTHON := $(PYTHON)
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
        frontend-tools schema-lint schema-check codegen lint-python test-slow bench-compiled test-compiled-fuzz cluster test-cluster

help:
> @echo "make run    - set up, migrate, load demo data on first start, serve on $(HOST):$(PORT)"
> @echo "make test   - set up, lint, run the whole suite (SQLite, and PostgreSQL when OCOP_TEST_POSTGRES_DSN is set)"
> @echo "make test-slow - the slow tests (pytest -m slow): deploy/install.sh, then migrate + serve; stories of real server.py processes"
> @echo "make lint   - ruff + mypy + the GraphQL schema linter and breaking-change check (schema-lint, schema-check)"
> @echo "make schema-lint  - graphql-eslint on schema.graphql and examples/operations (rules: docs/frontend.md)"
> @echo "make schema-check - fail on a breaking change against the last released schema not listed in CHANGELOG.md"
> @echo "make codegen - run docs/frontend.md's quick start: graphql-codegen + tsc on the documented operations"
> @echo "make bench  - benchmarks: GraphQL products vs a plain floor, trace pages, loop lag under hostile requests, label printing (PDF/ZPL), a recall across two replicas"
> @echo "make bench-compiled - compiled GraphQL execution vs graphql-core: CPU per request, HTTP share of the floor"
> @echo "make test-compiled-fuzz - compiled execution's differential test on thousands of generated queries"
> @echo "make demo   - load the demo data set (idempotent)"
> @echo "make cluster - nginx round-robin over two replicas, a worker, PgBouncer, PostgreSQL, S3 (moto) on this machine, until Ctrl-C (CLUSTER_PORT, default 8080)"
> @echo "make test-cluster - the cluster's end-to-end stories (tests/test_cluster.py), through the balancer"
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

# The Python checks and the Node ones (whose first step on a fresh clone is `npm ci`, mostly waiting on the
# network and the disk) run side by side; each step's output is printed whole when it ends.
lint: setup
> @$(MAKE) --no-print-directory -j2 --output-sync=target lint-python schema-lint schema-check

# Run by `lint` once the venv is set up (not on its own: it sets up nothing).
lint-python:
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

# worksteal: a worker that runs out of tests takes some of the other's, so both end together (the suite's
# long tests would otherwise leave one worker finishing alone). PYTHONDONTWRITEBYTECODE is cleared for the
# suite: every worker and every process it starts (server.py verify, create-admin, replicas...) imports the
# whole application, and without bytecode caches (git-ignored __pycache__) each compiled it again, pytest's
# rewritten test modules too: seconds of CPU per process.
test: lint
> PYTHONDONTWRITEBYTECODE= $(VENV)/pytest -n $(TEST_WORKERS) --dist worksteal

# Left out of `make test` (pyproject's addopts: -m 'not slow'); .ci/run runs it after `make test`. The slow
# tests start real processes (a fresh venv, `server.py serve`/`migrate`/`worker`, PgBouncer): seconds of
# start-up each, which `make test` keeps under 5 minutes without.
test-slow: setup
> $(VENV)/pytest -n 0 -m slow

# Compiled execution's differential tests with thousands of generated queries (make test runs 120 per database).
test-compiled-fuzz: setup
> COMPILED_FUZZ_EXAMPLES=$${COMPILED_FUZZ_EXAMPLES:-3000} $(VENV)/pytest -n 0 -s tests/schema/test_compiled_differential.py -k generated

# Compiled execution against graphql-core: CPU per request in process, throughput through HTTP against the floor.
bench-compiled: setup
> $(VENV)/python benchmarks/compiled_bench.py

# A cluster on this machine (deploy/cluster/cluster.py; needs nginx and pgbouncer: apt-get install -y -q
# nginx-light pgbouncer) and its end-to-end stories, which `make test` leaves out (the `cluster` marker).
CLUSTER_PORT ?= 8080
cluster: setup
> $(VENV)/python deploy/cluster/cluster.py --port $(CLUSTER_PORT)

test-cluster: setup
> $(VENV)/pytest -n 0 -m cluster tests/test_cluster.py

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
