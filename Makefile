# Two commands for a fresh machine with Python 3.11+:
#   make run   set up and serve the demo on http://127.0.0.1:8000 (SQLite, Celery eager)
#   make test  lint, type-check and run the whole suite on a real PostgreSQL and Redis started for the run
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint audit install install-dev clean bench bench-quick loadtest system-libs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# WeasyPrint (the PDF briefing) needs Pango from Debian: installed when missing and we are root.
system-libs:
	@ldconfig -p | grep -q libpangoft2-1.0.so.0 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango for the PDF briefing ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation >/dev/null; \
	  else echo "Pango is missing, so PDF briefings will fail: apt-get install libpango-1.0-0 libpangoft2-1.0-0" >&2; fi; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python system-libs
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python system-libs
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy agencies audits macfa

# Known vulnerabilities in the dependencies (pip-audit); says so and skips where PyPI cannot be reached.
audit: install-dev
	BIN=$(BIN) scripts/audit-dependencies

test: install-dev lint
	scripts/with-services $(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Benchmarks against DESIGN.md's bars on a throwaway PostgreSQL, through gunicorn (docs/benchmarks.md says how).
# They write docs/benchmarks.md and docs/benchmarks.json. Sizes in findings; BENCH_LOAD_SECONDS=0 skips Locust.
BENCH_SIZES ?= 1000000
BENCH_LOAD_SECONDS ?= 60
bench: install-dev
	BENCH_SIZES=$(BENCH_SIZES) BENCH_LOAD_SECONDS=$(BENCH_LOAD_SECONDS) BENCH_COMMAND="make bench" \
	  scripts/with-services $(BIN)/python bench/run.py

# 10,000 and 100,000 findings, no load test: under ten minutes on two cores.
bench-quick: install-dev
	BENCH_SIZES=10000,100000 BENCH_LOAD_SECONDS=0 BENCH_COMMAND="make bench-quick" \
	  scripts/with-services $(BIN)/python bench/run.py

# Locust as the four roles against gunicorn on 127.0.0.1, bounded in time (BENCH_LOAD_SECONDS, default 60).
loadtest: install-dev
	BENCH_ONLY_LOAD=1 BENCH_SIZES=$(BENCH_SIZES) BENCH_LOAD_SECONDS=$(BENCH_LOAD_SECONDS) BENCH_COMMAND="make loadtest" \
	  scripts/with-services $(BIN)/python bench/run.py
