# lazulite: `make demo` and `make test` set up everything they need on a fresh machine.
# One release build serves the Rust tests, the Python extension and the benchmarks.

VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.deps-stamp
BSTAMP  := $(VENV)/.bench-stamp
DSTAMP  := $(VENV)/.docs-stamp
DOCS_OUT ?= target/docs/html
CARGO   ?= cargo
# NVIDIA's NVRTC and ptxas 13.0 (the CUDA of the GPU host's driver 580), outside the repo, installed once
CUDA_WHEELS ?= $(HOME)/.cache/lazulite/cuda-wheels-13.0.88
CUDA_STAMP  := $(CUDA_WHEELS)/.ok
# kernels the Rust and Python test suites meet, rendered as CUDA C (then compiled by NVRTC + ptxas)
CUDA_CORPUS ?= target/cuda-corpus
CUDA_ENV    := LAZULITE_CUDA_WHEELS=$(CUDA_WHEELS) REQUIRE_NVRTC=1 LAZULITE_CUDA_CORPUS=$(abspath $(CUDA_CORPUS))
export CARGO_TERM_COLOR ?= never

.PHONY: all demo test rust-test rust-examples py-test cuda-tools cuda-corpus build venv bench bench-dask bench-rust bench-matmul-candidates docs doc lint fmt clean wheel

all: test

$(STAMP): python/requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r python/requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# The stable ABI (CPython 3.11+) when the venv's Python has it; the interpreter's own ABI on 3.10.
ABI3 = $$($(PY) -c 'import sys; print("--features abi3" if sys.version_info >= (3, 11) else "")')
MATURIN := VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH maturin
DIST ?= dist

## Build the Python extension (release) into the venv (root pyproject.toml -> python/Cargo.toml).
## (An extension of another ABI left in python/lazulite would shadow the new one: removed first.)
build: $(STAMP)
	rm -f python/lazulite/_lazulite*.so
	$(MATURIN) develop --release --quiet $(ABI3)

## The wheels and the sdist into dist/, with their tags and metadata checked: the stable-ABI wheel
## (CPython 3.11+, the same build as `make build`), the CPython 3.10 wheel (3.10's limited API has
## no buffer protocol; maturin builds it from its own sysconfig of 3.10 when no python3.10 is
## installed), and the sdist.
wheel: build
	rm -rf $(DIST)
	$(MATURIN) build --release --quiet $(ABI3) --out $(DIST)
	$(MATURIN) build --release --quiet -i python3.10 --out $(DIST)
	$(MATURIN) sdist --out $(DIST)
	$(PY) python/tests/check_dist.py $(DIST)

## Build everything and run the main example.
demo: build
	$(PY) examples/quickstart.py

## Build and run every test: Rust (unit, property, cross-crate, doc tests; the facade's examples, each
## checked against a plain Rust oracle, through lazulite/tests/examples.rs) then Python (pytest +
## Hypothesis), then NVRTC + ptxas over every kernel both suites met (CUDA C for sm_90, checked without
## a GPU), then the wheels and the sdist (built and checked).
test: rust-test py-test cuda-corpus wheel

## NVRTC and ptxas from NVIDIA's PyPI wheels (no GPU, no CUDA install): pinned, --no-deps (their
## dependencies are unpinned and drift to newer CUDA), one pip call (they share the nvidia/ folder).
cuda-tools: $(CUDA_STAMP)

$(CUDA_STAMP): | $(STAMP)
	rm -rf $(CUDA_WHEELS)
	$(PY) -m pip install -q --no-deps --target $(CUDA_WHEELS) \
	  nvidia-cuda-nvrtc==13.0.88 nvidia-cuda-nvcc==13.0.88
	touch $@

## (the workspace build has lazulite's `ndarray` feature on: bench/rust enables it, so its tests and doc
## tests run here too)
rust-test: cuda-tools
	rm -rf $(CUDA_CORPUS)
	$(CUDA_ENV) $(CARGO) test --release --workspace --exclude lazulite-python

## The Rust facade's examples from the command line (`make test` runs them as tests), each failing on a
## mismatch with its oracle.
rust-examples:
	$(CARGO) run --release -q -p lazulite --example signal -- 16 2048
	$(CARGO) run --release -q -p lazulite --example mmap_stats -- 50000 8 8192
	$(CARGO) run --release -q -p lazulite --example pipeline -- 1000000

## pytest also runs mypy over the stubs and python/tests/typing/ (test_typing.py) and every docstring
## example and user-guide page as a doctest (test_docs.py).
py-test: build
	LAZULITE_CUDA_CORPUS=$(abspath $(CUDA_CORPUS)) $(PY) -m pytest -q python/tests

cuda-corpus: cuda-tools
	$(CUDA_ENV) $(CARGO) test --release -p lazulite-tests --test cuda_nvrtc -- --ignored

## Benchmarks: lazulite vs NumPy, numexpr and JAX (CPU) in one run.
$(BSTAMP): bench/requirements.txt $(STAMP)
	$(PY) -m pip install -q -r bench/requirements.txt
	touch $(BSTAMP)

bench: build $(BSTAMP)
	JAX_PLATFORMS=cpu $(PY) bench/run.py

## The documentation site (Sphinx; API reference from the docstrings of the built package, user
## guide in docs/site/guide/), built with warnings as errors into $(DOCS_OUT).
$(DSTAMP): docs/requirements.txt $(STAMP)
	$(PY) -m pip install -q -r docs/requirements.txt
	touch $(DSTAMP)

docs: build $(DSTAMP)
	rm -rf $(DOCS_OUT)
	$(PY) -m sphinx -W --keep-going -q -b html -d target/docs/doctrees docs/site $(DOCS_OUT)
	@echo "docs: $(DOCS_OUT)/index.html"

## lazulite.chunked vs dask.array+NumPy on a 2-worker LocalCluster (not in CI; 2^26 elements by default).
bench-dask: build
	$(PY) bench/dask_bench.py $(BENCH_DASK_ARGS)

## lazulite's Rust API vs idiomatic ndarray (Zip + rayon), ratios in one run (see bench/README.md).
bench-rust:
	$(CARGO) run --release -p lazulite-bench

## The matmul libraries lazulite chose between (gemm 0.18/0.19, faer, matrixmultiply), GFLOP/s in one run
## on all cores then one (a standalone crate, not a workspace member; see bench/README.md).
bench-matmul-candidates:
	cd bench/matmul-candidates && $(CARGO) run --release -q -- && $(CARGO) run --release -q -- 1

## fmt + clippy + rustdoc (no warnings; the workspace build has the ndarray feature on), as CI checks them.
lint: doc
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --release --no-deps -p lazulite -p lazulite-frontend --features lazulite/ndarray

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
	rm -rf $(VENV)
