# The team's everyday commands. `make run` and `make test` work on a fresh clone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# The test suite runs on real PostgreSQL and Redis; point these elsewhere if yours differ.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: system-deps install run test lint format typecheck migrations-check pytest bench bench-http bench-ws bench-judge serve-pg clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## system-deps: what the code judge's sandbox needs from Debian (bubblewrap), and the browser
##              the page tests drive (Debian's chromium; never `playwright install`, which
##              downloads a browser of its own); the compilers and runtimes (gcc, g++, Java 17,
##              Node.js with npm, python3) come with the machine.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-deps:
	@set -- $$(command -v bwrap >/dev/null 2>&1 || echo bubblewrap) $$([ -x /usr/bin/chromium ] || echo chromium); \
	[ $$# -eq 0 ] || { echo "apt-get install $$*"; $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@" >/dev/null; }

## The accessibility checker the page tests inject (axe-core, pinned in package-lock.json).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## run: the embedded default (SQLite, in-memory layer, eager Celery) with the demo contest.
##      Set DATABASE_URL and REDIS_URL to run on PostgreSQL and Redis instead.
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/daphne -b 127.0.0.1 -p 8000 quizserver.asgi:application

## test: lint, type check, migrations check, then pytest against PostgreSQL and Redis.
test: system-deps install lint typecheck migrations-check pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install $(AXE)
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

## bench: the benchmarks below, on PostgreSQL and Redis (see docs/PERFORMANCE.md).
bench: bench-http bench-ws bench-judge

## bench-http: k6 over HTTP (teams join, claim, answer); figures in docs/PERFORMANCE.md.
bench-http: install
	$(TEST_ENV) ./k6/run.sh

## bench-ws: 2,000 sockets on one contest while answers arrive (k6/ws_run.sh).
bench-ws: install
	$(TEST_ENV) ./k6/ws_run.sh

## bench-judge: one judge worker (2 boxes at a time): verdicts per second, then submit-to-verdict
##              latency at half that rate (k6/judge_run.sh). Runs as root; Redis db of its own.
JUDGE_REDIS_URL ?= redis://127.0.0.1:6379/10
bench-judge: system-deps install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(JUDGE_REDIS_URL) ./k6/judge_run.sh

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
