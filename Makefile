# Crestline — developer commands. `make demo` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= demo
BENCH_SCALE ?= enterprise
DB ?= crestline.db

.PHONY: help venv system-deps demo-deps apt-deps demo serve test test-fast lint format bench screenshots clean

help:
	@echo "make demo    - demo world into $(DB), then the web app on http://$(HOST):$(PORT)"
	@echo "make test    - lint and the whole test suite (SQLite, PostgreSQL, headless Chromium)"
	@echo "make lint    - ruff check, ruff format --check, mypy --strict, import contracts"
	@echo "make bench   - demo generation and import benchmarks at enterprise scale (BENCH_SCALE=demo: quick)"
	@echo "make screenshots - the browser tests, then their pictures copied to docs/img"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages: Graphviz draws org charts (demo and tests); the tests also need a PostgreSQL
# server and Chromium. Each is installed only when missing.
system-deps:
	@$(MAKE) --no-print-directory apt-deps WANT="graphviz postgresql chromium"

demo-deps:
	@$(MAKE) --no-print-directory apt-deps WANT="graphviz"

apt-deps:
	@missing=""; \
	case " $(WANT) " in *" graphviz "*) [ -x /usr/bin/dot ] || missing="$$missing graphviz fonts-dejavu-core";; esac; \
	case " $(WANT) " in *" postgresql "*) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql";; esac; \
	case " $(WANT) " in *" chromium "*) [ -x /usr/bin/chromium ] || missing="$$missing chromium";; esac; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

demo: $(STAMP) demo-deps
	$(BIN)/crestline --db $(DB) demo --scale $(SCALE) --host $(HOST) --port $(PORT)

serve: $(STAMP) demo-deps
	$(BIN)/crestline --db $(DB) serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: $(STAMP) system-deps lint
	$(BIN)/pytest

test-fast: $(STAMP)
	$(BIN)/pytest -x -q -m "not e2e and not postgres"

bench: $(STAMP) system-deps
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python benchmarks/bench_demo.py --scale $(BENCH_SCALE) --keep bench-results/world-$(BENCH_SCALE).db
	$(BIN)/python benchmarks/bench_paths.py --db bench-results/world-$(BENCH_SCALE).db
	$(BIN)/python benchmarks/bench_workers.py --db bench-results/world-$(BENCH_SCALE).db --workers 2
	$(BIN)/python benchmarks/bench_pages.py --db bench-results/world-$(BENCH_SCALE).db --in-place
	rm -f bench-results/world-$(BENCH_SCALE).db*
	$(BIN)/python benchmarks/bench_import.py --scale $(BENCH_SCALE)
	$(BIN)/python benchmarks/bench_decision_makers.py --scale demo
	$(BIN)/python benchmarks/bench_paths.py --scale $(BENCH_SCALE)
	$(BIN)/python benchmarks/bench_titles.py
	$(BIN)/python benchmarks/bench_load.py --backend both --saturate

# The browser tests write their pictures to test-artifacts/ only; this copies the docs' ones.
screenshots: $(STAMP) system-deps
	rm -rf test-artifacts/docs-img
	$(BIN)/pytest -q -m e2e tests/e2e
	cp test-artifacts/docs-img/*.png docs/img/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts bench-results
