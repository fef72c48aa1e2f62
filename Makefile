# The kit's commands. `make help` lists them. Everything runs from the repository root and
# uses the project's own virtual environment in .venv (created on first use).

SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PYTHON ?= python3
VENV := $(ROOT)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := $(ROOT)/node_modules/.installed
# holds the path of the Chromium the browser test drives (found or installed by make setup)
BROWSER_STAMP := $(VENV)/.chromium
WEB_PORT ?= 8000
NPM := $(shell command -v npm 2>/dev/null)
TARGET ?= local
REGION ?= us-east-1
LOCALCLOUD_PORT ?= 4566
export LOCALCLOUD_PORT
export LOCALCLOUD_HOME := $(ROOT)/.localcloud

.PHONY: help setup test lint format up down status lab bench lock tutorial teardown record clean web

help: ## list the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

$(STAMP): $(ROOT)/requirements.lock $(ROOT)/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "setting up .venv from requirements.lock (first run takes a minute or two)"
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(ROOT)/requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e $(ROOT)
	@touch $(STAMP)

# newman (Postman's runner) from package-lock.json, when npm is there; without npm, one line says
# so and the newman check is reported as not run.
$(NODE_STAMP): $(ROOT)/package.json $(ROOT)/package-lock.json
	@if [ -n "$(NPM)" ]; then \
		echo "installing newman from package-lock.json (npm ci)"; \
		cd $(ROOT) && npm ci --no-audit --no-fund --loglevel=error && touch $(NODE_STAMP); \
	else \
		echo "npm not found: newman is not installed, so the Postman collection will not be run (install Node.js 16+ and run make setup)"; \
	fi

# Chromium for the real-browser test (tests/web), driven by Playwright as the system browser: found
# on PATH, else installed as root with apt-get where there is apt; where neither works, one line
# says so and the browser test is reported as not run (a failure under CI=true).
$(BROWSER_STAMP): $(STAMP)
	@found=$$(command -v chromium || command -v chromium-browser || command -v google-chrome || true); \
	if [ -z "$$found" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Chromium for the browser test (apt-get install chromium; a minute or two)"; \
		log=$(VENV)/chromium-install.log; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >$$log 2>&1 || tail -n 3 $$log; \
		found=$$(command -v chromium || true); \
	fi; \
	if [ -n "$$found" ]; then \
		echo "$$found" > $@; \
	else \
		echo "Chromium not found: the browser test will be reported as not run, or fail under CI=true (install it, e.g. sudo apt-get install chromium, then run make setup)"; \
	fi

setup: $(STAMP) $(NODE_STAMP) $(BROWSER_STAMP) ## create .venv (and node_modules/ for newman) from the lock files; find or install Chromium

NBVAL := -p tests.notebooks.nbval_cloud --nbval --nbval-current-env \
	--nbval-sanitize-with tests/notebooks/sanitize.cfg

test: setup ## lint; unit, integration, series, newman and browser tests (one worker per core); then nbval
	@cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check .
	@cd $(ROOT) && $(BIN)/python -m pytest -n auto --dist loadfile
	@echo "nbval: replaying notebooks/ on a fresh local cloud and comparing with the recorded outputs"
	@cd $(ROOT) && $(BIN)/python -m pytest $(NBVAL) notebooks

lint: setup ## ruff check and format check
	@cd $(ROOT) && $(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup ## format and fix with ruff
	@cd $(ROOT) && $(BIN)/ruff format . && $(BIN)/ruff check --fix .

up: setup ## start the local cloud in the background (port: LOCALCLOUD_PORT, default 4566; AWS_TIMING=1: AWS's delays and throttles)
	@$(BIN)/python -m localcloud up $(if $(filter 1,$(AWS_TIMING)),--aws-timing)

down: setup ## stop the local cloud
	@$(BIN)/python -m localcloud down

status: setup ## say whether the local cloud runs, and where
	@$(BIN)/python -m localcloud status || true

web: setup ## serve the sign-in page web/ for the stack's API on 127.0.0.1:$(WEB_PORT) (Ctrl-C stops it)
	@cd $(ROOT) && WEB_PORT=$(WEB_PORT) $(BIN)/python -m tools.web --target $(TARGET) --region $(REGION)

lab: up ## open JupyterLab on notebooks/ with the local cloud running
	@mkdir -p $(ROOT)/notebooks
	@cd $(ROOT) && $(BIN)/jupyter lab --notebook-dir=$(ROOT)/notebooks \
		$(if $(filter 0,$(shell id -u)),--allow-root)

bench: setup ## measure the local cloud, the notebook series and IAM enforcement
	@cd $(ROOT) && $(BIN)/python -m tools.bench.localcloud_bench && $(BIN)/python -m tools.bench.series_bench

lock: setup ## re-resolve requirements.lock from pyproject.toml's ranges
	@cd $(ROOT) && $(BIN)/pip-compile --quiet --extra=dev --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file=requirements.lock pyproject.toml
	@echo "requirements.lock updated; commit it."

tutorial: setup ## set up, start the local cloud, run notebooks 00-08 headless into runs/$(TARGET)/
	@$(if $(filter local,$(TARGET)),$(BIN)/python -m localcloud up &&) cd $(ROOT) && \
		$(BIN)/python -m tools.series tutorial --target $(TARGET) --region $(REGION)

teardown: setup ## delete everything the series created (runs notebook 99; the local cloud keeps running)
	@cd $(ROOT) && $(BIN)/python -m tools.series teardown --target $(TARGET) --region $(REGION)

record: setup ## refresh the outputs committed in notebooks/ (all notebooks, on a throwaway local cloud)
	@cd $(ROOT) && $(BIN)/python -m tools.record

clean: ## remove .venv, node_modules, logs and run outputs (the local cloud is stopped first)
	-@test -x $(BIN)/python && $(BIN)/python -m localcloud down
	rm -rf $(VENV) $(ROOT)/node_modules $(ROOT)/.localcloud $(ROOT)/runs $(ROOT)/.pytest_cache $(ROOT)/.ruff_cache
