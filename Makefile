# Two commands do all set-up: `make lab` and `make test`. PYTHON picks the interpreter,
# VENV the environment folder (use one per interpreter: make test PYTHON=python3.13 VENV=.venv313).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.conclab-installed
TMPSTATE := $(CURDIR)/.grader/state
ROOT_FLAG := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300 -p no:randomly
# Keep Jupyter, IPython and matplotlib state of test runs out of the home folder.
TEST_ENV := JUPYTER_CONFIG_DIR=$(TMPSTATE)/jupyter-config JUPYTER_DATA_DIR=$(TMPSTATE)/jupyter-data \
	JUPYTER_RUNTIME_DIR=$(TMPSTATE)/jupyter-runtime IPYTHONDIR=$(TMPSTATE)/ipython \
	MPLCONFIGDIR=$(TMPSTATE)/matplotlib MPLBACKEND=Agg

.PHONY: install lab test test-fast test-notebooks lint format flaky mutate bench clean

install: $(STAMP)

$(STAMP): pyproject.toml tools/lab-overrides.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# An editable install leaves the project's own modules uncompiled; where bytecode is not
	@# written (PYTHONDONTWRITEBYTECODE), every grading process would compile them again.
	$(BIN)/python -m compileall -q grader conclab
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp tools/lab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" notebooks/00-start-here.ipynb

test: $(STAMP)
	$(BIN)/python -m ruff check grader conclab tests tools exercises solutions hidden benchmarks
	$(TEST_ENV) $(BIN)/python -m pytest tests
	$(MAKE) test-notebooks

test-fast: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest tests -m "not slow and not browser"

test-notebooks: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest $(NBVAL) notebooks
	$(TEST_ENV) CONCLAB_START_METHOD=spawn $(BIN)/python -m pytest $(NBVAL) notebooks

bench: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m benchmarks

flaky: $(STAMP)
	$(BIN)/python tools/flaky.py

# Mutation testing of the checks: every mutant of each reference solution, graded with its
# exercise's public and hidden checks (about 20 minutes on 2 cores). Survivors that are
# equivalent are explained in hidden/NN_slug/mutants.toml; MUTATE=03 picks exercises.
mutate: $(STAMP)
	$(BIN)/python tools/mutate.py $(MUTATE)

lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check grader conclab tests tools

format: $(STAMP)
	$(BIN)/python -m ruff format grader conclab tests tools
	$(BIN)/python -m ruff check --fix grader conclab tests tools

clean:
	rm -rf $(VENV) .grader
