# Itinera: `make run` serves the demo, `make test` runs lint and the whole test suite
# on PostgreSQL and on SQLite.
# Both create .venv and install what they need; nothing else is required but Python 3.11+.
# They install the exact releases of the lock files, checked against their hashes
# (requirements.lock for the app, requirements-dev.lock adds the tools and tests);
# `make lock` writes both again after a change to pyproject.toml's dependencies.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test lint install install-dev lock messages screenshots clean

$(BIN)/activate:
	$(PYTHON) -c 'import sys; sys.exit("Itinera needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/activate
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# `make run` and `make messages` use the local settings; manage.py and celery default to
# production's, which need every secret set.
run messages: export DJANGO_SETTINGS_MODULE = config.settings.local

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
# Two processes, each with its own test database, take a test file at a time: the tests
# wait on browsers, workers and servers much of the time (on 2 cores: 11 -> 7 minutes).
PYTEST := $(BIN)/pytest -n 2 --dist loadfile
test: install-dev lint
	$(PYTEST)
	DATABASE_URL=sqlite://:memory: $(PYTEST)

# Every main page at 390 and 1,280 px, in English and German, from the demo data in a
# throwaway SQLite database: artifacts/screenshots/, and README.md's in docs/screenshots/.
screenshots: install-dev
	$(PY) -m tests.browser.screenshots

# The build backend (setuptools) is locked too, so the project itself installs from
# hashed releases only (--no-build-isolation above).
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--strip-extras --no-emit-index-url --no-emit-find-links

lock: install-dev
	$(PIP_COMPILE) --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --output-file requirements-dev.lock pyproject.toml

messages: install-dev
	$(PY) manage.py makemessages --locale de --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var
