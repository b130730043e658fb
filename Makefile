# mobsim: `make run` and `make test` set everything up themselves (a .venv in this folder).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/sweden_spring2020.toml

.PHONY: run test test-long test-mesa35 test-docs fuzz lint bench figures calibrate validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mobsim run $(SCENARIO)

# the test files share the two cores (pytest-xdist): each file runs whole, in order, in one of two processes, so a
# document's code blocks and a module's fixtures stay together; MOBSIM_TEST_PROCESSES=1 runs them in this process
MOBSIM_TEST_PROCESSES ?= 2
# (make test's and make test-mesa35's: which Mesa and Python the tests run on, and the tests of under 10 s)
VERSIONS := -c "import mesa, sys; print(f'Mesa {mesa.__version__}, Python {sys.version.split()[0]}')"
QUICK_TESTS := -m pytest -q -m "not long" $(if $(filter 1,$(MOBSIM_TEST_PROCESSES)),,-n $(MOBSIM_TEST_PROCESSES) --dist loadfile)
test: $(STAMP)
	$(BIN)/python $(VERSIONS)
	$(BIN)/ruff check sim tests benchmarks tools conftest.py
	$(BIN)/python $(QUICK_TESTS)

# the tests of 10 s or more each (marker `long`: fault injection with subprocesses and Dask clusters, the fuzzer's
# valid scenarios, a second dashboard in the browser, the PDF reports, the float32 docking; ≈6 min): CI runs them after
# `make test`
test-long: $(STAMP)
	$(BIN)/python -m pytest -q -m long

# `make test`'s and `make test-long`'s tests again on Mesa 3.5 under Python 3.12 or newer (≈7 min; Mesa 3.5 needs
# Python >= 3.12, and .venv's Python 3.11 gets Mesa 3.3): a second environment, .venv-mesa35, with the Python
# tools/newer_python.sh finds (PYTHON_NEW=... to choose one when the environment is made; remove .venv-mesa35 to make it
# anew with another); CI runs it after `make test-long`
VENV_NEW := .venv-mesa35
$(VENV_NEW)/.installed: pyproject.toml
	@py=$$(sh tools/newer_python.sh) || { echo "test-mesa35: no Python 3.12 or newer found; set PYTHON_NEW=/path/to/python3.12" >&2; exit 2; }; \
	echo "$$py -m venv $(VENV_NEW)"; "$$py" -m venv $(VENV_NEW)
	$(VENV_NEW)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_NEW)/bin/python -m pip install --quiet -e ".[test]" "mesa==3.5.*"
	touch $@

test-mesa35: $(VENV_NEW)/.installed
	$(VENV_NEW)/bin/python $(VERSIONS)
	$(VENV_NEW)/bin/python $(QUICK_TESTS)
	$(VENV_NEW)/bin/python -m pytest -q -m long

# every code block of README.md and docs/guide.md, the long ones too (full-scale runs, many replications: tens of
# minutes on 2 cores; the README alone took 24 min while five other test suites shared the machine);
# `make test` runs the same blocks but skips those marked `<!-- skip: next if(quick, ...) -->` (conftest.py)
test-docs: $(STAMP)
	MOBSIM_DOCS=all $(BIN)/python -m pytest -q README.md docs/guide.md tests/test_docs.py

# property-based fuzzing of scenario and experiment files (tests/test_fuzz.py) with many more, fresh random examples (≈2 min)
fuzz: $(STAMP)
	MOBSIM_FUZZ=1 $(BIN)/python -m pytest -q tests/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks tools conftest.py
	$(BIN)/ruff format --check sim tests benchmarks tools conftest.py

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py

# the README's figures: Sweden spring 2020 as it happened against no action, 10 replications at full scale (≈1 min);
# and validation.md's regional admissions: both waves, 4 replications at full scale (≈50 s); Stockholm's ICU staff by status
# through both waves (one run at full scale, seed 0)
figures: $(STAMP)
	$(BIN)/mobsim compare scenarios/no_action.toml scenarios/sweden_spring2020.toml --replications 10 --workers 2 --out results/readme_figures --quiet
	$(BIN)/mobsim report results/readme_figures --strategy sweden_spring2020 --figures docs/figures/sweden
	$(BIN)/mobsim compare scenarios/sweden_2020_2021.toml --replications 4 --workers 2 --out results/both_waves_figures --quiet
	$(BIN)/python -c "from sim import figures, report; figures.save(figures.regional_admissions(report.load('results/both_waves_figures').runs), 'docs/figures/regional_admissions', formats=('png',))"
	$(BIN)/python -c "import sim; from sim import figures; figures.save(figures.icu_staff_at_work(sim.run('scenarios/sweden_2020_2021.toml', seed=0), 'stockholm'), 'docs/figures/icu_staff_stockholm', formats=('png',))"

# Calibration (issue #7): ABC-SMC with pyabc (the `calibration` extra), then copy the medians into the baseline
calibrate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,calibration]"
	$(BIN)/python tools/calibrate.py

# Validation against Sweden 2020: full scale, 10 replications; rewrites docs/validation.md
validate: $(STAMP)
	$(BIN)/python tools/validate.py

clean:
	rm -rf $(VENV) $(VENV_NEW) build *.egg-info .pytest_cache .ruff_cache
