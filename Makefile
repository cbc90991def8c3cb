# Booking Desk — the two commands you need are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= $(or $(STREAMLIT_SERVER_PORT),8501)
# Only this machine by default (clinical data); ADDRESS=0.0.0.0 make run to serve the network, behind TLS.

.PHONY: run test test-fast lint bench install install-dev chromium pg-client node-tools migrate seed dispatch audit clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## run: install, migrate, seed the demo practice if the database is empty, serve on :8501
run: install
	$(PY) -m lib migrate
	$(PY) -m lib seed-demo --if-empty
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT) --server.address $(or $(ADDRESS),127.0.0.1)

## chromium: the browser the end-to-end tests drive (Debian's package)
chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## pg-client: pg_dump, pg_restore and psql for `backup`/`restore` on PostgreSQL (Debian's, version 15 like the server)
pg-client:
	@command -v pg_dump >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client)

## node-tools: axe-core, the accessibility engine the browser tests inject (package.json, pinned in package-lock.json)
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	npm ci --no-audit --no-fund --silent
	touch $@

node-tools: node_modules/.installed

## test: everything — unit, integration (SQLite + PostgreSQL + SMTP + Twilio), pages, browser
test: install-dev chromium pg-client node-tools
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

## lint: ruff (style, unused code), import-linter (the layers in pyproject.toml), mypy on lib/
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports pyproject.toml
	$(VENV)/bin/mypy

## test-fast: unit tests and page tests only
test-fast: install-dev
	$(PY) -m pytest -q -m "not e2e and not postgres" $(PYTEST_ARGS)

## bench: the speed figures, measured side by side in one run
bench: install-dev chromium
	$(PY) -m bench $(BENCH_ARGS)

## audit: known vulnerabilities in the pinned requirements
audit: install-dev
	$(PY) -m pip_audit -r requirements.txt --progress-spinner off

migrate: install
	$(PY) -m lib migrate

dispatch: install
	$(PY) -m lib dispatch

clean:
	rm -rf $(VENV) .pytest_cache node_modules
