# lapak: `make demo` runs the whole pipeline on built-in sample data; `make test` runs every check.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.spark-stamp
MANIFEST := dbt_project/target/manifest.json
export LAPAK_HOME ?= $(CURDIR)/data
export LAPAK_LANDING ?= $(LAPAK_HOME)/landing
export DAGSTER_HOME ?= $(LAPAK_HOME)/dagster

.PHONY: setup spark demo run test check system-deps lint ui dashboard sample bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# the Spark extra (pyspark, dbt-spark) only where Spark is used: `lapak run --engine spark` and its test
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev,spark]"
	touch $(SPARK_STAMP)

spark: $(SPARK_STAMP)

$(MANIFEST): $(STAMP) $(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .

setup: $(STAMP) $(MANIFEST)

# the home as `lapak run` creates it (owner-only unless LAPAK_HOME_MODE says otherwise; lapak's dagster.yaml),
# before anything else writes into it
HOME_READY := $(BIN)/python -c "import os, pathlib; from orchestration.dagster_home import prepare_instance; prepare_instance(pathlib.Path(os.environ['LAPAK_HOME']))"

sample: setup
	@$(HOME_READY)
	@if [ -z "$$(ls -A $(LAPAK_LANDING) 2>/dev/null)" ]; then \
		$(BIN)/lapak generate --out $(LAPAK_LANDING) --shops 3 --days 120 --end-date yesterday; \
	else echo "sample exports already in $(LAPAK_LANDING)"; fi

demo: sample
	$(BIN)/lapak run

run: setup
	$(BIN)/lapak run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models

# the browser and Spark tests need Chromium and Java 17+ (scripts/ensure-system-deps); SKIP_SYSTEM_TESTS=1 runs the rest
SYSTEM_TESTS := tests/test_dashboard_browser.py tests/test_spark.py

system-deps:
	@scripts/ensure-system-deps

test: $(if $(SKIP_SYSTEM_TESTS),,system-deps $(SPARK_STAMP)) lint
	$(BIN)/pytest -q $(if $(SKIP_SYSTEM_TESTS),$(addprefix --ignore=,$(SYSTEM_TESTS)))

# the fast subset while working: no whole-pipeline runs (marked e2e), no browser, no Spark
check: lint
	$(BIN)/pytest -q -m "not e2e" $(addprefix --ignore=,$(SYSTEM_TESTS))

ui: setup
	$(HOME_READY) && mkdir -p $(DAGSTER_HOME) && $(BIN)/dagster dev -w workspace.yaml

dashboard: setup
	$(BIN)/python -m dashboard

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf data dbt_project/target dbt_project/logs .pytest_cache
