# Parley: `make run` sets up and serves; `make test` runs every check and test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint pytest desktop-test audit setup seed web clean

run: $(STAMP) web
	$(BIN)/parley serve

# The desktop tests build the web client first, so the server tests can check it is served.
test: $(STAMP) lint desktop-test pytest audit

setup: $(STAMP)

$(STAMP): pyproject.toml
	@echo "parley: creating the virtual environment in $(VENV) and installing Parley"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

lint: $(STAMP)
	@echo "parley: ruff check, ruff format --check, mypy, lint-imports (the layers)"
	$(BIN)/ruff check src tests bench fixtures
	$(BIN)/ruff format --check src tests bench fixtures
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: $(STAMP)
	@echo "parley: server tests on SQLite and MariaDB"
	$(BIN)/pytest -q

# The desktop/web client: unit, main-process and security checks, then end to end in
# Debian's Chromium against a real `parley serve`.
desktop-test: $(STAMP)
	@echo "parley: desktop client tests (Vitest, node --test, Electronegativity, Playwright e2e)"
	cd desktop && ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
	cd desktop && npm test
	cd desktop && PARLEY_BIN=$(CURDIR)/$(BIN)/parley npm run test:e2e

# Known vulnerabilities in the installed Python packages (pip-audit) and the desktop
# app's npm tree. Needs the advisory services; says so, without failing, if they are out of
# reach. Findings fail unless SECURITY.md explains them.
audit: $(STAMP)
	@echo "parley: dependency audit (pip-audit, npm audit --omit=dev)"
	$(BIN)/python .ci/audit.py

seed: $(STAMP)
	$(BIN)/parley seed

# The web client is optional for the server: built when Node.js is available.
web:
	@if [ -f desktop/package.json ] && command -v npm >/dev/null 2>&1; then \
		if [ ! -f desktop/dist/web/index.html ]; then \
			echo "parley: building the web client (desktop/dist/web)"; \
			cd desktop && ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund && npm run build:web; \
		fi; \
	else \
		echo "parley: no Node.js/npm found; serving the API without the web client"; \
	fi

clean:
	rm -rf $(VENV) data desktop/node_modules desktop/dist
