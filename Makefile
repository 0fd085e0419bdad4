# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP := $(BIN)/pip install --disable-pip-version-check --quiet
# Python's own bytecode caches (__pycache__, ignored by git) even where the shell turns them off: each
# test process (pytest and every xdist worker) would otherwise compile the app and its tests again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast test-browser test-server test-postgres setup-db chromium bench lint lock check-html clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt -r requirements-dev.txt
	touch $@

## run: install, create or upgrade the SQLite database, import the seed into an empty one, serve.
run: setup-db
	BOARD_ENV=$${BOARD_ENV:-development} PORT=$(PORT) exec $(BIN)/gunicorn --config gunicorn.conf.py "app:create_app()"

setup-db: $(VENV)/.runtime-installed
	BOARD_ENV=$${BOARD_ENV:-development} $(BIN)/flask --app app setup-db

## test: install test tools and Debian's chromium, then run the whole suite and check the HTML.
# Both stages run on every core (pytest-xdist); each browser test has its own server and browser context.
test: test-fast test-browser test-server
	$(BIN)/python scripts/check_html.py

## test-fast: the Flask test-client tests (no browser, no server process), spread over the machine's cores.
test-fast: $(VENV)/.dev-installed
	$(BIN)/pytest -n auto -m "not browser and not server"

## test-browser: the Playwright tests, driving Debian's chromium.
test-browser: $(VENV)/.dev-installed chromium
	$(BIN)/pytest -n auto -m browser

## test-server: the tests starting gunicorn (load tests against four workers) or the flask command as an
## operator types it; a stage of their own, so gunicorn's workers and Chromium do not share the cores.
test-server: $(VENV)/.dev-installed
	$(BIN)/pytest -n auto -m server

## test-postgres: the same suite against a throwaway PostgreSQL cluster (installed when missing).
test-postgres: $(VENV)/.dev-installed chromium
	bash scripts/with-postgres.sh bash -c '$(BIN)/pytest -p no:cacheprovider -n auto -m "not browser and not server" && \
	  $(BIN)/pytest -p no:cacheprovider -n auto -m browser && $(BIN)/pytest -p no:cacheprovider -n auto -m server'

chromium:
	@bash scripts/ensure-chromium.sh

## bench: board latency and size for 88 and 880 cards, served by gunicorn.
bench: $(VENV)/.dev-installed
	bash scripts/with-postgres.sh $(BIN)/python bench/board_bench.py

## lint: style and errors (ruff), and unused code (vulture; false positives listed in vulture_allowlist.py).
lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	@mkdir -p .lint && $(BIN)/python scripts/template_names.py > .lint/template_names.py
	$(BIN)/vulture --min-confidence 60 app.py board models vulture_allowlist.py .lint/template_names.py \
	  --ignore-decorators "@*.get,@*.post,@*.route,@*.command,@*.errorhandler,@*.user_loader,@*.url_value_preprocessor,@*.context_processor,@*.listens_for,@*.before_request,@*.after_request"

## check-html: every kind of page through the W3C Nu HTML checker (Java); htmx's hx-* attributes allowed.
check-html: $(VENV)/.dev-installed
	$(BIN)/python scripts/check_html.py

## lock: recompile the pinned installs (requirements*.txt) from their top-level lists (requirements*.in).
lock: $(VENV)/.dev-installed
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras --annotation-style=line \
	  --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras --annotation-style=line \
	  --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) .pytest_cache
