# Two commands set everything up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: demo test test-corpora lint typecheck browser clean bench lock screenshots

# installs come from requirements.lock (exact versions, hashes); pyproject.toml keeps ranges for library users
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .  # the build backend comes from the lock too
	$(PY) -m compileall -q src/wasp  # an editable install is not byte-compiled; nor is any run under PYTHONDONTWRITEBYTECODE
	touch $(STAMP)

## demo: create the venv, install wasp, scan the embedded emulated account
demo: $(STAMP)
	$(VENV)/bin/wasp demo

## browser: Debian's headless Chromium for the web UI tests (no browser download from elsewhere)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: chromium could not be installed; browser tests will fail"; }

## lint: ruff on the package and the tests
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks docs/hooks $(wildcard scripts)

## docs: the manual (docs/, MkDocs with the Material theme) built with --strict into site/
.PHONY: docs
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict

typecheck: $(STAMP)
	$(VENV)/bin/mypy src/wasp

## test: lint, then the whole test suite on two workers (needs nothing beside the clone)
test: $(STAMP) browser lint
	$(PY) -m pytest -n 2 --dist loadfile -m "not corpora"

## test-corpora: wasp measured against the third-party corpora in ../shared/data (fails when it is absent)
test-corpora: $(STAMP)
	@test -d ../shared/data || { echo "test-corpora: ../shared/data not found (the corpora live beside the clone)"; exit 2; }
	$(PY) -m pytest -n 2 --dist loadfile -m corpora

## screenshots: re-take the dashboard screenshots the docs show (docs/img), through the browser test
screenshots: $(STAMP) browser
	WASP_SCREENSHOTS=1 $(PY) -m pytest -q tests/web/test_browser_context.py -k screenshots

## lock: re-resolve requirements.lock from pyproject.toml on purpose (newest versions), then reinstall
lock: $(STAMP)
	$(PY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra spark --generate-hashes --python-version 3.11.5 \
	  --upgrade --no-header -o requirements.lock
	$(PY) -m pip install -q --require-hashes -r requirements.lock
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
