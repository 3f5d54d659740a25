# nummus — the two commands that matter: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo serve test test-all browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel setuptools

# Re-install when the project's requirements change: everything (all extras) and the test tools.
# torch/torchvision come from constraints.txt (the pair that lies on the machines' local disk).
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -c constraints.txt -e '.[all,test]'
	touch $(STAMP)

install: $(STAMP)

# the whole pipeline on a generated sample auction; exits when done (then: make serve)
demo: install
	$(BIN)/nummus demo --no-serve

serve: install
	$(BIN)/nummus serve

# Debian's Chromium for the browser test (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else echo "chromium missing: apt-get install chromium (browser tests skip; under CI=true they fail)"; fi; }

test: install browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

# everything, the slow end-to-end tests included
test-all: install browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m ''

clean:
	rm -rf nummus-data dbt/target dbt/logs .pytest_cache
