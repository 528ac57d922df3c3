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

.PHONY: all demo test gpu-bundle rust-test rust-examples py-test cuda-tools cuda-corpus emu-driver build venv bench bench-dask bench-rust bench-matmul-candidates docs doc lint fmt clean wheel wheel-manylinux

all: test

$(STAMP): python/requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r python/requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

MATURIN := VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH maturin
DIST ?= dist
ZIGLANG ?= 0.17.1
# CPythons other than the venv's to smoke-test the wheel with (pyenv's or Debian's, when installed)
WHEEL_PYTHONS ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10)) \
  $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12)) \
  $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13))

## Build the Python extension (release) into the venv (root pyproject.toml -> python/Cargo.toml).
## (An extension of another ABI left in python/lazulite would shadow the new one: removed first.)
build: $(STAMP)
	rm -f python/lazulite/_lazulite*.so
	$(MATURIN) develop --release --quiet

## The sdist next to the wheel in $(DIST), both checked (tags, metadata, files), then the wheel installed,
## alone, in a fresh venv of each CPython of WHEEL_PYTHONS and smoke-tested there (no NumPy needed).
define check_wheel
	$(MATURIN) sdist --out $(DIST)
	$(PY) python/tests/check_dist.py $(DIST)
	@for py in $(WHEEL_PYTHONS); do \
	  rm -rf target/wheel-venv && $$py -m venv target/wheel-venv && \
	  target/wheel-venv/bin/python -m pip install -q --no-index $(DIST)/*.whl && \
	  target/wheel-venv/bin/python python/tests/smoke_wheel.py || exit 1; \
	done; rm -rf target/wheel-venv
	@test -n "$(strip $(WHEEL_PYTHONS))" || echo "wheel: no CPython 3.10/3.12/3.13 found; the wheel was not smoke-tested"
endef

## One wheel for every CPython >= 3.10 (the stable ABI, `cp310-abi3`; root pyproject.toml turns on
## python/Cargo.toml's `abi3`) and the sdist into dist/, their tags and metadata checked; then the
## wheel installed, alone, in a fresh venv of each CPython of WHEEL_PYTHONS that is installed (3.10, the
## oldest it serves, first) and smoke-tested there (python/tests/smoke_wheel.py: no NumPy needed).
wheel: build
	rm -rf $(DIST) target/wheel-venv
	$(MATURIN) build --release --quiet --out $(DIST)
	$(check_wheel)

## The release wheel: the same, but linked by zig (ziglang from PyPI, in its own venv under target/)
## against glibc 2.17, so it honestly claims manylinux2014 (manylinux_2_17; `auditwheel show` agrees,
## and check_dist.py compares the tag with the GLIBC_x.y versions the .so needs). A native link
## (`make wheel`) needs this host's glibc (2.35: hypot, dlopen, exp/log/pow). Not part of `make test`:
## zig builds for an explicit target triple, a second full release build into
## target/x86_64-unknown-linux-gnu (7 min on the idle 2-core dev machine, 23 min loaded).
wheel-manylinux: build
	test -x target/zig-venv/bin/python || python3 -m venv target/zig-venv
	target/zig-venv/bin/python -m pip install -q ziglang==$(ZIGLANG)
	rm -rf $(DIST) target/wheel-venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath target/zig-venv)/bin:$(abspath $(VENV))/bin:$$PATH maturin build --release --quiet --zig \
	  --compatibility manylinux2014 --out $(DIST)
	$(check_wheel)

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

## The emulated CUDA device (a test tool: codegen/cuda/tests/emu/emu_driver.cpp): `cuda:0` for a process
## started with LAZULITE_CUDA_EMULATOR=$(EMU_DRIVER). The Rust tests build it themselves.
EMU_DRIVER := $(abspath target/cuda-emu/liblazulite_cuda_emu.so)
emu-driver: $(EMU_DRIVER)

$(EMU_DRIVER): codegen/cuda/tests/emu/emu_driver.cpp codegen/cuda/tests/emu/cuda_host_shim.h
	mkdir -p $(dir $@)
	$${CXX:-g++} -std=c++20 -O1 -fPIC -shared -pthread \
	  -DLZ_EMU_SHIM_DIR=\"$(abspath codegen/cuda/tests/emu)\" $< -ldl -o $@.tmp
	mv $@.tmp $@

cuda-corpus: cuda-tools
	$(CUDA_ENV) $(CARGO) test --release -p lazulite-tests --test cuda_nvrtc -- --ignored

## Benchmarks: lazulite vs NumPy, numexpr and JAX (CPU) in one run.
$(BSTAMP): bench/requirements.txt $(STAMP)
	$(PY) -m pip install -q -r bench/requirements.txt
	touch $(BSTAMP)

bench: build $(BSTAMP)
	JAX_PLATFORMS=cpu $(PY) bench/run.py

## What to carry to a GPU machine (H100/H200, driver 580, CuPy + PyTorch, no Rust, no internet):
## $(GPU_BUNDLE).tar.gz with the release wheel built here, bench/gpu/run.py and run.sh, and the
## device tests of the Python suite. There: `tar xzf lazulite-gpu-bundle.tar.gz &&
## sh lazulite-gpu-bundle/run.sh` (bench/gpu/README.md). NVRTC and cuBLAS come from the machine's own
## nvidia-* wheels (PyTorch's); the bundle carries none (they are hundreds of MB).
GPU_BUNDLE ?= $(DIST)/lazulite-gpu-bundle
gpu-bundle: build
	rm -rf $(GPU_BUNDLE) $(GPU_BUNDLE).tar.gz
	mkdir -p $(GPU_BUNDLE)/wheels $(GPU_BUNDLE)/tests
	$(MATURIN) build --release --quiet --out $(GPU_BUNDLE)/wheels
	cp bench/gpu/run.py bench/gpu/run.sh bench/gpu/README.md $(GPU_BUNDLE)/
	cp python/tests/conftest.py python/tests/_support.py $(GPU_BUNDLE)/tests/
	cp $(wildcard python/tests/test_*device*.py python/tests/test_*cuda*.py python/tests/test_dlpack.py) $(GPU_BUNDLE)/tests/
	tar czf $(GPU_BUNDLE).tar.gz -C $(dir $(GPU_BUNDLE)) $(notdir $(GPU_BUNDLE))
	@ls -l $(GPU_BUNDLE).tar.gz

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
