# bilateral-facts: `make run` serves the API with the fixtures; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint migrate fixtures venv clean bench bench-suggest vendor

$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed (set PYTHON=python3.11)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,dev]"
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/facts db upgrade

fixtures: migrate
	$(BIN)/facts load-fixtures

# gunicorn.conf.py picks the process model: with the default memory:// rate-limit storage,
# one worker process with threads, so the stated limits hold (see docs/configuration.md).
run: fixtures
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# On every core (pytest-xdist); each worker's PostgreSQL schemas carry its own tag.
test: venv
	$(BIN)/pytest -n auto

# The benchmark (not part of `make test`): a 1,000,000-fact dataset in SQLite (and in
# PostgreSQL when BENCH_PG_URL is set), then every scenario; results in bench/RESULTS.md.
BENCH_DB ?= bench/data/bench.db
bench: venv
	test -f $(BENCH_DB) || $(BIN)/python bench/generate.py --url sqlite:///$(BENCH_DB)
	$(BIN)/facts --help >/dev/null && FACTS_DATABASE_URL=sqlite:///$(BENCH_DB) $(BIN)/facts db upgrade
	if [ -n "$$BENCH_PG_URL" ]; then FACTS_DATABASE_URL="$$BENCH_PG_URL" $(BIN)/facts db current | grep -q "current: none" \
	  && $(BIN)/python bench/generate.py --url "$$BENCH_PG_URL"; FACTS_DATABASE_URL="$$BENCH_PG_URL" $(BIN)/facts db upgrade; fi
	$(BIN)/python bench/run.py --db $(BENCH_DB)

# The quality of suggested facts on the annotated corpus bench/suggest_corpus/ (not part of
# `make test`): span recall, type, parties, date and value accuracy, precision.
bench-suggest: venv
	$(BIN)/python bench/suggest.py

# The explorer's front-end files (Chart.js, Pico CSS; axe-core for the browser tests) from
# the npm registry at the versions pinned in the script; needs npm (make run never does).
vendor:
	sh api/web/static/vendor/refresh.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache *.egg-info
