# Two commands set everything up on a fresh machine:
#   make site   build the example site from plans/ into site/
#   make test   run the whole test suite
# Each creates .venv and installs what it needs: Python packages into .venv,
# Mermaid (pinned, checked) from the npm registry into .cache/, and, for the
# browser tests, Debian's chromium through apt.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export PLANGEN_CACHE := $(CURDIR)/.cache/plangen
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test docs docs-site browser clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/plangen build --out site
	@echo "Open site/index.html through a web server, e.g.: $(BIN)/python -m http.server -d site"

browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Regenerate docs/rules.md from the rule registry and docs/reference.md from
# the models (a test fails when either drifts).
docs: $(STAMP)
	$(BIN)/plangen lint --list-rules > docs/rules.md
	$(BIN)/plangen schema --markdown > docs/reference.md

# The project's own documentation (docs/, mkdocs.yml) into build/docs/.
docs-site: $(STAMP)
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) dist build site site-src .cache .pytest_cache .hypothesis
