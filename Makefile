# Two entry points: `make run` (all notebooks) and `make test` (unit tests + nbval).
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PARAMS ?= params/default.yaml
# Optional extras of pyproject.toml to install beside the notebooks' own packages: EXTRAS=gpu adds
# TensorFlow's CUDA wheels (Linux, NVIDIA GPU), EXTRAS=gpu-jax JAX's (then KERAS_BACKEND=jax).
# `make run` installs only what running the notebooks needs; `make test` adds the dev extra
# (pytest, ruff, JAX, Playwright, ...). One stamp per choice, so switching never reinstalls.
EXTRAS ?=
comma := ,
RUN_EXTRAS := $(EXTRAS)
TEST_EXTRAS := dev$(if $(EXTRAS),$(comma)$(EXTRAS))
RUN_INSTALLED := $(VENV)/installed-run-$(or $(RUN_EXTRAS),base)
INSTALLED := $(VENV)/installed-$(TEST_EXTRAS)

$(RUN_INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.$(if $(RUN_EXTRAS),[$(RUN_EXTRAS)])'
	touch $@

# (the dev install holds everything `make run` needs too, so it stamps that as done)
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[$(TEST_EXTRAS)]'
	touch $@ $(RUN_INSTALLED)

## weights: musicnn's pretrained weights for notebook 06, fetched once into ~/.cache (a no-op after)
weights: $(RUN_INSTALLED)
	$(PY) -m helpers.musicnn.weights

## run: execute notebooks 01.. in order with papermill (PARAMS=params/seed.yaml to switch)
run: $(RUN_INSTALLED) weights
	$(PY) -m helpers.notebook.runner --params $(PARAMS)

## test: the notebooks under nbval with params/quick.yaml, notebook 03 again on the JAX backend (and
## on PyTorch where torch is installed), then unit tests and doctests. The notebooks go first, as a
## person runs them before opening JupyterLab: they fill data/ (dataset, caches, models), so the
## browser test among the unit tests opens notebooks whose data exist, as the README's steps do.
## The unit tests end with their 25 slowest (where make test's time goes; see README's Performance).
NBVAL := TUTORIAL_PARAMS=params/quick.yaml $(PY) -m pytest -q --nbval-lax
test: $(INSTALLED) weights lint browser-deps
	$(NBVAL) notebooks || [ $$? -eq 5 ]
	KERAS_BACKEND=jax $(NBVAL) notebooks/03_train_model.ipynb
	@if $(PY) -c "import torch" 2>/dev/null; then \
		KERAS_BACKEND=torch $(NBVAL) notebooks/03_train_model.ipynb; \
	else echo "torch is not installed: skipping notebook 03 on the PyTorch backend (see README)"; fi
	$(PY) -m pytest -q --durations=25 tests --doctest-modules helpers bench || [ $$? -eq 5 ]

## sweep: notebook 03 over a grid of settings, metrics collected in data/outputs/sweep/
## (notebook 07 reads the augmentation comparison: SWEEP="augment=none,specaugment seed=0,1,2,3,4")
SWEEP ?= window_frames=150,300 learning_rate=0.001,0.003
sweep: $(RUN_INSTALLED)
	$(PY) -m helpers.notebook.runner --params $(PARAMS) --sweep $(SWEEP)

## results: the measured table the docs quote (docs/results/runs.csv, with its provenance): notebook 03
## over seeds 0-4 with augment none and specaugment and with the random split, then the docs'
## results blocks rewritten from it (scripts/results_docs.py). About 30 min on 2 cores.
RESULTS_SEEDS := seed=0,1,2,3,4
results: $(RUN_INSTALLED)
	$(PY) -m helpers.notebook.runner --params params/default.yaml --sweep augment=none,specaugment $(RESULTS_SEEDS)
	$(PY) -m helpers.notebook.runner --params params/default.yaml --sweep split=random $(RESULTS_SEEDS)
	$(PY) scripts/results_table.py
	$(PY) scripts/results_docs.py

## browser-deps: Debian's chromium for the JupyterLab browser test (tests/test_browser.py),
## installed when missing and possible (root with apt-get); elsewhere that test is skipped
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing and cannot be installed here: the browser test will be skipped"; fi

## gtzan: download GTZAN (1.2 GB, resumable, checksum-verified) into data/gtzan/
gtzan: $(RUN_INSTALLED)
	$(PY) -m helpers.gtzan

## bench: measure extraction, memory and training against their baselines, the ways to run musicnn
## on a CPU against the bound its arithmetic sets, and where generating the set spends its time
## (about 15 min on 2 cores); then bench-scale and bench-fresh
bench: bench-parts bench-scale bench-fresh
bench-parts: $(INSTALLED)
	$(PY) bench/bench.py
	$(PY) bench/musicnn_options.py
	$(PY) bench/synth_render.py

## bench-scale: every notebook cold at 400 and 1,000 clips (GTZAN's size): time and peak memory
## (about an hour on 2 cores)
bench-scale: $(INSTALLED)
	$(PY) bench/scale.py

## bench-fresh: the README's two commands in a fresh clone of the last commit, timed against the
## speed targets (about 70 min on 2 cores)
bench-fresh: $(INSTALLED)
	$(PY) bench/fresh_clone.py

## links: Binder/Colab badges in README.md and each notebook's Colab cell, from pyproject.toml's URL
links: $(INSTALLED)
	$(PY) scripts/links.py

## store-outputs: keep figures and nbval-checked outputs of the last `make run` in notebooks/, and the
## README's two figures in docs/images/
store-outputs: $(RUN_INSTALLED)
	$(PY) scripts/store_outputs.py data/outputs/$(basename $(notdir $(PARAMS)))

## lint: ruff, and notebooks free of metadata noise (what .pre-commit-config.yaml runs)
lint: $(INSTALLED)
	$(PY) -m ruff check helpers tests bench scripts
	$(VENV)/bin/nbstripout --verify --keep-output --keep-count --keep-id notebooks/*.ipynb

clean-venv:
	rm -rf $(VENV)
