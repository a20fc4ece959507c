# coopfood — `make run`, `make test`, `make lint`, `make i18n`.
# The virtual environment .venv is created on first use and re-installed only
# when pyproject.toml changes (stamp file .venv/.installed).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# One test process per core (pytest-xdist): the suite runs twice, SQLite then PostgreSQL.
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto $(PYTEST_ARGS)

.PHONY: run test lint venv i18n

# The window on a demo co-op kept in the checkout (built on the first run); a
# co-op's own data lives in the default database: `.venv/bin/python main.py`.
DEMO_DB := sqlite:///$(CURDIR)/demo.sqlite

run: $(STAMP)
	@test -f demo.sqlite || $(PY) main.py --db "$(DEMO_DB)" demo --size small
	$(PY) main.py --db "$(DEMO_DB)"

# The whole suite on SQLite; then again on PostgreSQL if COOPFOOD_TEST_PG_URL is set.
test: $(STAMP)
	@echo "== Tests sur SQLite"
	env -u COOPFOOD_TEST_PG_URL $(PYTEST)
	@if [ -n "$$COOPFOOD_TEST_PG_URL" ]; then \
		echo "== Tests sur PostgreSQL ($$COOPFOOD_TEST_PG_URL)"; \
		echo "$(PYTEST)"; \
		$(PYTEST); \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

venv: $(STAMP)

# The gettext catalogues: extract the French texts, merge them into each language's
# .po, compile the .mo (the .po and .mo are committed; a test checks they agree).
i18n: $(STAMP)
	$(PY) tools/i18n.py all

$(STAMP): pyproject.toml
	$(PYTHON) tools/bootstrap_venv.py $(VENV)
	$(PY) -m pip install -e '.[test]'
	touch $@
