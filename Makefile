# lazulite: `make demo` and `make test` set up everything they need on a fresh machine.
# One release build serves the Rust tests, the Python extension and the benchmarks.

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.deps-stamp
BSTAMP  := $(VENV)/.bench-stamp
CARGO   ?= cargo
export CARGO_TERM_COLOR ?= never

.PHONY: all demo test rust-test py-test build venv bench lint fmt clean

all: test

$(STAMP): python/requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r python/requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Build the Python extension (release) into the venv.
build: $(STAMP)
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
	  maturin develop --release --quiet -m python/Cargo.toml

## Build everything and run the main example.
demo: build
	$(PY) examples/quickstart.py

## Build and run every test: Rust (unit, property, cross-crate) then Python (pytest + Hypothesis).
test: rust-test py-test

rust-test:
	$(CARGO) test --release --workspace --exclude lazulite-python

py-test: build
	$(PY) -m pytest -q python/tests

## Benchmarks: lazulite vs NumPy, numexpr and JAX (CPU) in one run.
$(BSTAMP): bench/requirements.txt $(STAMP)
	$(PY) -m pip install -q -r bench/requirements.txt
	touch $(BSTAMP)

bench: build $(BSTAMP)
	JAX_PLATFORMS=cpu $(PY) bench/run.py

## fmt + clippy, as CI checks them.
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf $(VENV)
