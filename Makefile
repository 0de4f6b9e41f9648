# Itinera: `make run` serves the demo, `make test` runs lint and the whole test suite
# on PostgreSQL and on SQLite.
# Both create .venv and install what they need; nothing else is required but Python 3.11+.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test lint install install-dev messages clean

$(BIN)/activate:
	$(PYTHON) -c 'import sys; sys.exit("Itinera needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py demo_users
	$(BIN)/honcho --procfile Procfile.dev start --port 8000  # web on :8000, as the README says

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The whole suite on PostgreSQL (DATABASE_URL, or its standard local port), then again on
# SQLite, the database of `make run` (in memory; the tests marked postgresql are deselected).
test: install-dev lint
	$(BIN)/pytest
	DATABASE_URL=sqlite://:memory: $(BIN)/pytest

messages: install-dev
	$(PY) manage.py makemessages --locale de --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
