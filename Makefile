# The two commands: `make run` serves the demo, `make test` runs the suite.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=
# The addresses of the proxy in front, whose X-Forwarded-For uvicorn believes.
# None by default: uvicorn's own default trusts 127.0.0.1, so anyone on this
# host could claim any address and guess passwords without end.
FORWARDED_ALLOW_IPS ?=

.PHONY: setup run test lint format messages worker lock clean

$(BIN)/python:
	@python=$$(scripts/find-python) && echo "Using $$python" && "$$python" -m venv $(VENV)

# Development installs the dev lock (the runtime packages plus the test tools);
# the Docker image installs only requirements.lock.
$(VENV)/.installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@touch $@

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0

run: setup
	$(BIN)/python manage.py demo_data
	@echo "Serving on http://127.0.0.1:$(PORT)/"
	$(BIN)/uvicorn talk.asgi:application --host 127.0.0.1 --port $(PORT) --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)'

test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

# mypy checks the modules listed under [tool.mypy] files in pyproject.toml.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

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

# Both locks from pyproject.toml, hashed, keeping the versions already pinned
# (add --upgrade to move them); needs uv (pip install uv).
lock:
	UV_PYTHON_DOWNLOADS=never uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --generate-hashes -q -o requirements-dev.lock
	UV_PYTHON_DOWNLOADS=never uv pip compile pyproject.toml --universal --python-version 3.12 --generate-hashes -q -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles db.sqlite3* .mypy_cache
