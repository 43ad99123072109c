# troubadour — two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup system demo test bench clean

setup: system $(STAMP)

system:
	@PYTHON=$(PYTHON) sh scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	@$(VENV)/bin/troubadour make "a gritty country song about walking my own walk, rugged baritone, mid-tempo" \
		--seed 7 -o out/demo --force
	@echo "Your demo song is in out/demo/ (play out/demo/master.wav)"

test: setup
	@$(PY) -m pytest -n 2 -q

bench: setup
	@$(PY) bench/run.py

clean:
	rm -rf $(VENV) out bench/out .pytest_cache
