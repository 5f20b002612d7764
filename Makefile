# Two commands on a fresh Debian machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LINTED := app db ui server cli bench main.py tests scripts

.PHONY: run test fuzz deps lint bench screenshots clean bundle

$(STAMP): requirements.txt requirements-dev.txt scripts/system-deps.txt
	bash scripts/ensure-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

deps: $(STAMP)

## Install everything and open the Gatepost window (demo camera when no webcam).
run: $(STAMP)
	$(PY) main.py gui $(ARGS)

## Install everything and run the whole test suite offscreen.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

## Fuzz every parser a stranger can feed for long (the short runs are part of `make test`).
FUZZ_EXAMPLES ?= 5000
FUZZ_KILLS ?= 1000
fuzz: $(STAMP)
	GATEPOST_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) GATEPOST_KILLS=$(FUZZ_KILLS) QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m fuzz tests/hostile $(PYTEST_ARGS)

## ruff (lint + format), mypy on app/ and db/ (config in pyproject.toml), import contracts.
lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

## The one-folder app (#16): dist/Gatepost/Gatepost; `bash scripts/bundle-smoke.sh` checks it.
bundle: $(STAMP)
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist packaging/gatepost.spec

bench: $(STAMP)
	for b in bench/*_bench.py; do $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache build dist
