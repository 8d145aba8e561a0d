# One entry point for people and CI. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run demo test lint format bench eval worker beat clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed  ## create the virtual environment and install everything

demo: install  ## migrate and load the IRS–ICE MOU demo data
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

run: demo  ## install, migrate, load the demo data and serve on http://127.0.0.1:8000/
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install  ## the whole test suite (browser tests need Debian's chromium)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install  ## ruff, Django's checks, and no missing migrations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: install  ## extraction quality on ../shared/corpora (or CORPORA=path)
	$(BIN)/python manage.py evaluate_extraction $(or $(CORPORA),../shared/corpora)

worker: install
	$(BIN)/celery -A policytracker worker --loglevel=info

beat: install
	$(BIN)/celery -A policytracker beat --loglevel=info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
