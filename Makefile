# Zabuni: `make run` serves the portal with demo content; `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# axe-core, from the npm registry, for the accessibility tests (never served).
AXE := node_modules/axe-core/axe.min.js
# Settings refuse to start without DJANGO_ENV (portal/settings/base.py): say which one.
export DJANGO_ENV ?= development
# Test processes for `make test` (pytest-xdist): three on two cores, since much of a
# run waits on browsers, servers and workers (measured: 2 processes 685 s, 3 515 s, 4 704 s).
TEST_PROCESSES ?= 3

.PHONY: run test install lint format migrate demo worker clean messages

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm not found: the accessibility tests will be skipped (and fail under REQUIRE_SERVICES=1)"; fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo_content

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://127.0.0.1:8000 (admin: http://127.0.0.1:8000/admin/), with a Celery worker and beat."
	VENV=$(VENV) ./scripts/run-dev

test: export DJANGO_ENV := test
test: lint $(AXE)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist load --maxschedchunk 1

# Style, then the layering of the apps (import-linter contracts in pyproject.toml).
lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DJANGO_ENV=test $(PY) scripts/check_messages.py

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The Swahili catalogue: gather every message of the code into locale/sw (new ones
# empty, to translate; see docs/glossary-sw.md), then compile it. Needs GNU gettext.
MESSAGE_IGNORES := -i ".venv/*" -i "var/*" -i "test-artifacts/*" -i "tests/*" -i "bench/*" \
	-i "docs/*" -i "scripts/*" -i "node_modules/*"
messages: install
	$(PY) manage.py makemessages -l sw --no-location $(MESSAGE_IGNORES)
	$(PY) manage.py compilemessages -l sw -i ".venv" -i "node_modules"

clean:
	rm -rf var/ $(VENV) node_modules/
