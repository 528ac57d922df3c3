"""Float sums against an exact oracle (`math.fsum` of the float64 values): the compiled reduction
folds each element into a vector accumulator with a bounded number of others and then sums those
blocks up a cascade (like NumPy's pairwise sum), so its error stays near NumPy's instead of growing
with the length of a partial."""

import math

import numpy as np
import pytest

import lazulite as lz

# Relative error that NumPy's pairwise sum meets on these inputs (checked below), far below the
# ~1e-4 that one sequential accumulator per vector lane reaches for float32 at these sizes.
TOLERANCE = {"float32": 2e-6, "float64": 1e-14}


def exact_sum(values):
    return math.fsum(np.asarray(values, dtype=np.float64).ravel().tolist())


def relative_error(got, exact):
    return abs(float(got) - exact) / abs(exact)


def inputs(n, dtype):
    rng = np.random.default_rng(n)
    ramp = (np.arange(n, dtype=np.float64) / n).astype(dtype)
    return {
        "uniform": rng.random(n).astype(dtype),
        "ramp": ramp,
        "offset normal": (rng.standard_normal(n) + 4.0).astype(dtype),
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [2**20 + 3, 3 * 2**18 + 29])
def test_sum_of_squares_matches_exact(dtype, n):
    for name, x in inputs(n, dtype).items():
        sq = x * x  # rounded to `dtype`, as lazulite's fused body rounds it
        exact = exact_sum(sq)
        tol = TOLERANCE[dtype]
        assert relative_error(np.sum(sq), exact) <= tol, f"numpy itself misses the bound on {name}"
        lx = lz.asarray(x)
        got = lz.sum(lx * lx).compute()
        err = relative_error(got, exact)
        assert err <= tol, f"sum(x*x) of {n} {name} {dtype}: relative error {err:.2e} > {tol:.0e}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sum_and_mean_match_exact(dtype):
    n = 2**20 + 3
    for name, x in inputs(n, dtype).items():
        exact = exact_sum(x)
        tol = TOLERANCE[dtype]
        assert relative_error(np.sum(x), exact) <= tol
        lx = lz.asarray(x)
        assert relative_error(lz.sum(lx).compute(), exact) <= tol, f"sum of {name} {dtype}"
        assert relative_error(lz.mean(lx).compute(), exact / n) <= tol, f"mean of {name} {dtype}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_row_sums_match_exact(dtype):
    # Long rows: each row is one outer point reduced by one call (no partials).
    x = np.random.default_rng(5).random((4, 2**19 + 5)).astype(dtype) + np.asarray(1, dtype)
    tol = TOLERANCE[dtype]
    got = np.asarray(lz.sum(lz.asarray(x), axis=-1).compute())
    for r in range(x.shape[0]):
        exact = exact_sum(x[r])
        assert relative_error(np.sum(x[r]), exact) <= tol
        assert relative_error(got[r], exact) <= tol, f"row {r} of sum(axis=-1), {dtype}"
