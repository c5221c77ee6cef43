# Two entry points for a fresh clone: `make run` (the main job) and `make test` (the tests).
# `make run` needs Python >= 3.11 and Node, and no root; only `make test` may install
# system packages (a browser for the render check), and only as root or with passwordless sudo.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: install deps test-deps run test report

install: $(VENV)/.installed

# A clear line instead of pip's resolver error when python3 is too old.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "make: ocgate needs Python >= 3.11; '$(PYTHON)' is not (run e.g. make PYTHON=python3.11 ...)" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The Allure 3 command line (npm ci) for the HTML report; Node must already be installed.
deps:
	bash scripts/deps.sh

# deps, plus Node and Chromium for the report tests when they can be installed.
test-deps:
	bash scripts/test-deps.sh

run: install deps
	$(BIN)/ocgate run

test: install test-deps
	$(BIN)/ruff check .
	$(BIN)/pytest

report: install deps
	$(BIN)/ocgate report
