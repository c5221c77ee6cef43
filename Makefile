# Two entry points for a fresh clone: `make run` (the main job) and `make test` (the tests).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install deps run test report

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

# Node's Allure 3 for the HTML report and Chromium to check that it renders.
deps:
	bash scripts/ci-deps.sh

run: install deps
	$(BIN)/ocgate run

test: install deps
	$(BIN)/pytest

report: install deps
	$(BIN)/ocgate report
