# Two entry points: `make run` (all notebooks) and `make test` (unit tests + nbval).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PARAMS ?= params/default.yaml

.PHONY: run test lint gtzan bench store-outputs clean-venv

$(VENV)/installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

## run: execute notebooks 01.. in order with papermill (PARAMS=params/seed.yaml to switch)
run: $(VENV)/installed
	$(PY) -m helpers.runner --params $(PARAMS)

## test: unit tests, doctests, then the notebooks under nbval with params/quick.yaml
test: $(VENV)/installed
	$(PY) -m pytest -q tests --doctest-modules helpers; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc
	TUTORIAL_PARAMS=params/quick.yaml $(PY) -m pytest -q --nbval-lax notebooks; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ] || exit $$rc

## gtzan: download GTZAN (1.2 GB, resumable, checksum-verified) into data/gtzan/
gtzan: $(VENV)/installed
	$(PY) -m helpers.download

## bench: measure extraction, memory, training and notebook times (about 10 min on 2 cores)
bench: $(VENV)/installed
	$(PY) bench/bench.py

## store-outputs: keep figures and nbval-checked outputs of the last `make run` in notebooks/
store-outputs: $(VENV)/installed
	$(PY) scripts/store_outputs.py data/outputs/$(basename $(notdir $(PARAMS)))

lint: $(VENV)/installed
	$(PY) -m ruff check helpers tests bench scripts

clean-venv:
	rm -rf $(VENV)
