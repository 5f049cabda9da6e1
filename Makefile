# The two commands a new machine needs: `make demo` and `make test`. Both go through `make install`,
# which is idempotent: it (re)installs only when a requirements file or pyproject.toml changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
# Test processes (pytest-xdist). Each test file runs whole in one process (`--dist loadfile`): files that share
# an outside resource (a Redis database flushed before and after, a server on the file's own port) keep it to
# themselves. Three on two cores, because the slow tests mostly wait on servers, workers and the browser.
TEST_WORKERS ?= 3
PYTEST_PARALLEL := -n $(TEST_WORKERS) --dist loadfile

.PHONY: install install-dev demo serve test lint check clean prod-smoke

install: $(VENV)/.installed-runtime

$(VENV)/.installed-runtime: requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q --no-deps -e .
	@touch $@

install-dev: $(VENV)/.installed-dev

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	@touch $@

demo: install
	$(BIN)/relais migrate --noinput -v0
	$(BIN)/relais directory check
	$(BIN)/relais demo_data
	$(BIN)/relais serve --bind 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy relais tests bench
	$(BIN)/lint-imports
	$(BIN)/relais directory check
	$(BIN)/relais makemigrations --check --dry-run -v0

# The suite runs on SQLite; under CI=true (or with RELAIS_TEST_POSTGRES=1) it runs again on PostgreSQL.
# The pure DSA modules (priority, statements of reasons, appeals, misuse, flaggers, plain words) must keep 100 %
# branch coverage.
PURE_DSA_COV := $(foreach m,priority statement_of_reasons appeals misuse flaggers plain_words,--cov=relais.moderation.$(m))

test: lint
	$(BIN)/pytest -q -p no:cacheprovider tests/test_moderation_rules.py tests/test_plain_words.py $(PURE_DSA_COV) --cov-branch \
		--cov-report=term-missing:skip-covered --cov-fail-under=100 --no-header
	$(BIN)/pytest $(PYTEST_PARALLEL)
	@if [ "$${CI:-}" = "true" ] || [ -n "$${RELAIS_TEST_POSTGRES:-}" ]; then \
		echo "--- the same suite on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL=$(TEST_POSTGRES_URL) RELAIS_TEST_DATABASE=postgresql $(BIN)/pytest $(PYTEST_PARALLEL); \
	fi

# The production layout on this machine (PostgreSQL, Redis, gunicorn x 2, two task workers) and one story through
# it (docs/operations.md). Needs PostgreSQL and Redis on 127.0.0.1; about a minute; not part of `make test`.
prod-smoke: install
	$(BIN)/python bench/prod_smoke.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
