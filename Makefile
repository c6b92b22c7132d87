# The two commands: `make run` serves the demo, `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup run test lint format messages worker clean

$(BIN)/python:
	@python=$$(scripts/find-python) && echo "Using $$python" && "$$python" -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0

run: setup
	$(BIN)/python manage.py demo_data
	@echo "Serving on http://127.0.0.1:$(PORT)/"
	$(BIN)/uvicorn talk.asgi:application --host 127.0.0.1 --port $(PORT)

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the translation catalogs (needs GNU gettext); the compiled .mo
# files are committed so `make run` needs nothing but Python.
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

# A Celery worker for the full stack (REDIS_URL must be set).
worker: setup
	$(BIN)/celery -A talk worker --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
