# survey_app: `make run` serves the app, `make test` runs every test. Both build .venv first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app survey_app
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres lint typecheck check bench translations routes clean

# The install's output goes to .venv/install.log and is shown only when it fails.
$(STAMP): setup.cfg pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing survey_app and its dependencies into $(VENV) (log: $(VENV)/install.log)"
	@{ $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e '.[test]'; } \
		> $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; \
		echo "FAILED: the install (whole log in $(VENV)/install.log)"; exit 1; }
	@touch $(STAMP)

## run: migrate the SQLite database in instance/, publish the instruments, serve on 127.0.0.1:5000
run: $(STAMP)
	@echo "Migrating the database (instance/survey_app.db)"
	@$(FLASK) db upgrade 2> >(grep -v '^INFO  \[alembic' >&2)
	@echo "Publishing the instruments"
	@$(FLASK) instruments sync
	@$(FLASK) users ensure-dev-admin
	@echo "Serving on http://127.0.0.1:5000 (log in at /login; Ctrl-C stops)"
	@$(FLASK) run --host 127.0.0.1 --port 5000

## test: the whole suite on SQLite and on PostgreSQL (REQUIRE_POSTGRES=1: fail if absent), the two
## at once (TEST_JOBS=2, the default: each prints its log when both are done) or one after the other
## with live output (TEST_JOBS=1); the browser tests need /usr/bin/chromium (REQUIRE_BROWSER=1: fail
## if absent)
TEST_JOBS ?= 2
test: $(STAMP) lint typecheck
	@test -x /usr/bin/chromium || echo "NOTE: no /usr/bin/chromium: the browser tests (tests/e2e) will be SKIPPED (apt-get install chromium; REQUIRE_BROWSER=1 makes this fail)"
	@if url=$$($(PY) scripts/find_postgres.py); then pg="$$url"; \
	elif [ "$${REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "FAILED: REQUIRE_POSTGRES=1 and no PostgreSQL server answered"; exit 1; \
	else pg=""; echo "SKIPPING the PostgreSQL run (no server answered; set TEST_DATABASE_URL)"; fi; \
	PG_URL="$$pg" PY="$(PY)" TEST_JOBS="$(TEST_JOBS)" scripts/run_tests.sh $(PYTEST_ARGS)

## routes: every URL with its methods and who may reach it (the table in survey_app/access.py,
## which tests/auth/test_route_roles.py checks against every role)
routes: $(STAMP)
	@$(FLASK) access

lint: $(STAMP)
	$(VENV)/bin/ruff check survey_app tests scripts bench
	$(VENV)/bin/ruff format --check survey_app tests scripts bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

## bench: survey_app under gunicorn vs bare Flask on SQLite and PostgreSQL, then the export
## benchmark (5,000 and 20,000 mothers), then the research pages with 100,000 participants on
## both databases (plans in bench/results/explain-<db>.txt), then the Report page (300 mothers);
## results in bench/results/latest.json.
## BENCH_ARGS=--quick for a short run, BENCH_ARGS="--only research" for one part (bench/run.py --help).
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

## translations: after changing the respondent pages' words, or the Welsh in
## survey_app/translations/cy/LC_MESSAGES/messages.po: extract the messages (babel.cfg), merge
## them into the catalogue, compile messages.mo. Commit messages.po and messages.mo together.
PYBABEL := $(VENV)/bin/pybabel
translations: $(STAMP)
	@mkdir -p build
	$(PYBABEL) extract -F babel.cfg -k english -k welsh -c TRANSLATORS: --no-wrap --sort-by-file \
		--project=survey_app --version=0.1.0 -o build/messages.pot .
	$(PYBABEL) update -i build/messages.pot -d survey_app/translations --no-wrap --no-fuzzy-matching
	$(PYBABEL) compile -d survey_app/translations --statistics

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
