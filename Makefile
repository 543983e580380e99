# Two commands (see README): `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
#: Where `make run` serves; HOST=0.0.0.0 lets a phone in the same network open the demo.
HOST   ?= 127.0.0.1
PORT   ?= 5000
#: How the lock file is made (`make lock`, `make upgrade`): every extra, every platform, hashes.
LOCK    = $(BIN)/uv pip compile pyproject.toml - --all-extras --universal --python-version 3.11 \
          --generate-hashes --custom-compile-command "make lock" --quiet -o requirements.lock

.PHONY: run test lint lock upgrade bench clean system-packages

run: $(STAMP)
	$(BIN)/survey db upgrade
	$(BIN)/survey demo --host $(HOST) --port $(PORT)
	$(BIN)/survey serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/survey check --strict
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Exactly the locked versions, checked against their hashes; then the project itself.
# setuptools (the build backend) is locked too, so nothing is fetched unpinned.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# After changing dependencies in pyproject.toml: add what is new, keep every other pin.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5'
	echo 'setuptools>=69' | $(LOCK)
	$(MAKE) test

# Deliberately move every package to the newest release its range allows, then run the suite.
upgrade: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5'
	echo 'setuptools>=69' | $(LOCK) --upgrade
	$(MAKE) test

# Debian packages for printing (fonts) and for the tests that read PDFs and scan QR codes
# (the list .ci/run installs). Run as root.
system-packages:
	apt-get install -y --no-install-recommends $$(grep -v '^\s*#' .ci/apt-packages)

clean:
	rm -rf $(VENV) build *.egg-info
