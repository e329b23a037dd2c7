# The portal's everyday commands. `make help` lists them.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help venv install install-test run migrate demo test test-fast mutation bench-http bench-pages lint format rules messages graph clean

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

install: $(PY) ## Install the portal into .venv
	$(PIP) install --quiet -e .

install-test: $(PY) ## Install the portal and the test tools into .venv
	$(PIP) install --quiet -e ".[test]"

migrate: install ## Create or update the database (SQLite by default, DATABASE_URL otherwise)
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo data (idempotent) and print the log-ins
	$(PY) manage.py seed_demo

run: demo ## Set everything up; serve the portal with demo data on http://$(HOST), with a worker and the scheduler
	DEBUG=$${DEBUG:-1} $(PY) scripts/serve.py $(HOST)

test: install-test ## Install the test tools and run the whole suite
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

test-fast: ## Run the suite without reinstalling
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} $(PYTEST_ARGS)

MUTATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/certportal_mutation

mutation: install-test ## Mutation testing of the KPI verdict (mutmut on PostgreSQL; see docs/testing.md)
	$(PIP) install --quiet -e ".[test,mutation]"
	rm -rf mutants
	DATABASE_URL=$(MUTATION_DATABASE_URL) $(PY) -m pytest -q -p no:xdist --create-db \
		tests/kpi/test_numbers.py::test_the_seeded_targets_are_the_regulations
	DATABASE_URL=$(MUTATION_DATABASE_URL) $(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results

BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/certportal_bench_http
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/12
BENCH_ARGS ?=

bench-http: install-test ## Public pages against a bare view: gunicorn + wrk, 3 rounds, ratios (PostgreSQL)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) scripts/bench_http.py $(BENCH_ARGS)

bench-pages: install-test ## Server time (median, p95) of the lists at 10,000 requests and 1,000 certified solutions
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) scripts/bench_http.py --pages $(BENCH_ARGS)

lint: ## ruff check, format check and the apps' layers (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

rules: ## List each rule of the regulation with the tests that prove it
	$(PY) scripts/rules_report.py

messages: ## Update and compile the Russian catalogue
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=staticfiles --ignore=mutants --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=mutants

graph: ## Draw the request's state machine (needs graphviz for images)
	$(PY) manage.py graph_transitions workflow

clean: ## Remove the virtual environment and the local database
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles var
