# One entry point for people and CI. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install lock run demo test lint format bench seed-bench bench-smoke eval worker beat clean mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package, transitive ones included, at the version of the lock file that CI tested; the
# project itself is then linked in without letting pip resolve anything again.
$(VENV)/.installed: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed  ## create the virtual environment and install everything

lock: | $(BIN)/python  ## re-resolve the lock files after a change to pyproject.toml's pins
	$(BIN)/python -m pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev --extra bench -o requirements-dev.lock pyproject.toml

demo: install  ## migrate and load the IRS–ICE MOU demo data
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo

run: demo  ## install, migrate, load the demo data and serve on http://127.0.0.1:8000/
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# One worker per core (pytest-xdist); each test file stays on one worker, so a module's shared
# fixtures are built once. PYTEST_ARGS="-n 0" runs in one process.
test: install  ## the whole test suite (browser tests need Debian's chromium)
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: install  ## ruff, Django's checks, no missing migrations, lock files in step with pyproject.toml
	$(BIN)/python scripts/check_lock.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The bench extra is part of requirements-dev.lock (CI runs the bench smoke).
$(VENV)/.bench-installed: $(VENV)/.installed
	touch $@

SCALE ?= medium
seed-bench: $(VENV)/.bench-installed  ## fill DATABASE_URL (PostgreSQL) with SCALE=small|medium|large data
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_bench --scale $(SCALE) --reset --corpus $(or $(CORPORA),../shared/corpora)/scrapinghub-aeb

bench: $(VENV)/.bench-installed  ## every page and endpoint vs the raw limit, on the seeded DATABASE_URL
	$(BIN)/python -m bench --scale $(SCALE) $(BENCH_ARGS)

bench-smoke: $(VENV)/.bench-installed  ## CI: small scale into DATABASE_URL, a quick run that fails on errors
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_bench --scale small --reset
	$(BIN)/python -m bench --quick

eval: install  ## extraction quality on ../shared/corpora (or CORPORA=path)
	$(BIN)/python manage.py evaluate_extraction $(or $(CORPORA),../shared/corpora)

worker: install
	$(BIN)/celery -A policytracker worker --loglevel=info

beat: install
	$(BIN)/celery -A policytracker beat --loglevel=info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache mutants mutation-results

mutation: install  ## mutation testing of the critical modules (scripts/mutation.py; see README)
	$(BIN)/python scripts/mutation.py $(MUTATION_ARGS)
