"""The benchmark workloads of `bench/run.py`, at small sizes, against NumPy.

`make py-test` runs this with `LAZULITE_CUDA_CORPUS` set, so every kernel the benchmarks build is dumped
into the CUDA corpus (`make cuda-corpus` compiles it with NVRTC and ptxas) without running the
benchmarks themselves.
"""

import importlib.util
import pathlib

import numpy as np
import pytest

import lazulite as lz


def _bench_module():
    path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "run.py"
    spec = importlib.util.spec_from_file_location("lazulite_bench_run", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bench_workloads_match_numpy(dtype):
    bench = _bench_module()
    # sizes that are not multiples of a warp, a block or a SIMD width
    rows = list(bench.workloads(4099, 67, np.dtype(dtype)))
    assert len(rows) >= 7
    tol = 1e-4 if dtype == "float32" else 1e-10
    for name, np_fn, lz_fn, *_ in rows:
        want = np.asarray(np_fn())
        got = np.asarray(lz_fn())
        assert got.shape == want.shape, name
        assert got.dtype == want.dtype, name
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=name)


def test_bench_cold_compile_chain_matches_numpy():
    # bench/run.py's COLD_COMPILE kernel: 20 alternating multiplies and adds
    k = 3.0
    xn = np.linspace(0.1, 1.0, 1 << 10)
    x = lz.asarray(xn)
    y, yn = x, xn
    for i in range(20):
        y = (y * (k + i)) if i % 2 else (y + (k - i))
        yn = (yn * (k + i)) if i % 2 else (yn + (k - i))
    np.testing.assert_allclose(np.asarray(y.compute()), yn, rtol=1e-12)
