# kakeuri_ar developer commands. Odoo 18.0 must be importable by $(PYTHON).
PYTHON ?= python3
DEV := $(PYTHON) tools/dev.py

.PHONY: demo demo-reset test test-odoo lint bench help

help:
	@echo "make demo        create (once) and serve the demo database on http://localhost:8069 (admin/admin; PORT=8070 for another port)"
	@echo "make demo-reset  drop the demo database"
	@echo "make test        fresh database, install kakeuri_ar with demo data, run the tests"
	@echo "make test-odoo   Odoo's sale and account tests with kakeuri_ar, compared with a database without it"
	@echo "make lint        ruff and pylint-odoo on the addon"
	@echo "make bench       run the benchmarks under bench/"

demo:
	$(DEV) demo $(if $(PORT),--port $(PORT),)

demo-reset:
	$(DEV) demo-reset

test:
	@$(DEV) check
	@$(PYTHON) -c "import pytest_odoo" 2>/dev/null || $(PYTHON) -m pip install -q -r requirements-test.txt
	$(DEV) test $(if $(TESTS),-- $(TESTS),)

# Odoo's browser tests (tours) skip themselves without websocket-client; Chrome runs them.
test-odoo:
	@$(DEV) check
	@$(PYTHON) -c "import websocket" 2>/dev/null || $(PYTHON) -m pip install -q websocket-client
	$(DEV) test-odoo

lint:
	@$(PYTHON) -c "import pylint_odoo, ruff" 2>/dev/null || $(PYTHON) -m pip install -q -r requirements-test.txt
	$(PYTHON) -m ruff check kakeuri_ar bench tools
	$(PYTHON) -m ruff format --check kakeuri_ar bench tools
	$(PYTHON) -m pylint --rcfile=.pylintrc kakeuri_ar
	$(PYTHON) tools/check_shape.py

bench:
	$(DEV) bench $(BENCH)
