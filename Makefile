# Two commands set everything up on a fresh machine:
#   make site   build the example site from plans/ (for now: validate plans/)
#   make test   run the whole test suite
# Each creates .venv and installs what it needs; nothing is installed globally.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: site test clean docs

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/plangen validate plans site_config

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) dist build .pytest_cache .hypothesis

# Regenerate docs/rules.md from the rule registry (a test fails when it drifts).
docs: $(STAMP)
	$(BIN)/plangen lint --list-rules > docs/rules.md
