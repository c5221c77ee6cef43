# Two entry points for a fresh clone: `make run` (the main job) and `make test` (the tests).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install run test report clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

run: install
	-@$(MAKE) --no-print-directory node_modules/.installed
	$(BIN)/ocgate run

test: install
	$(BIN)/pytest

report: install node_modules/.installed
	$(BIN)/ocgate report
