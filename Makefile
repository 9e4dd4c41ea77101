# capkit: two commands on a fresh machine with Python 3.11+, make and git.
#   make app    set up a virtual environment and serve the planner on 127.0.0.1
#   make test   set up, install Debian's chromium if missing (browser test), run every test
#   make lab    JupyterLab on notebooks/explore.ipynb, the library tour
#   make check  the edit-test loop: lint, then the unit and property tests (no browser, no
#               papermill, no notebooks; under a minute)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.capkit-installed

.PHONY: setup app lab test check lint bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

app: setup
	$(BIN)/capkit app

# JupyterLab on the library tour; no news feed or update check (LabApp options; the news
# prompt itself is off in capkit's settings overrides, installed with the package).
lab: setup
	$(BIN)/jupyter lab notebooks/explore.ipynb --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/ruff check capkit tests benchmarks
	$(BIN)/ruff format --check capkit tests benchmarks
	$(BIN)/python -m pytest

check: setup
	$(BIN)/ruff check capkit tests benchmarks
	$(BIN)/ruff format --check capkit tests benchmarks
	$(BIN)/python -m pytest tests -q -m "not browser and not load and not binder and not slow"

lint: setup
	$(BIN)/ruff check capkit tests benchmarks && $(BIN)/ruff format --check capkit tests benchmarks

bench: setup chromium
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_calibrate.py
	$(BIN)/python benchmarks/bench_app.py

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache
