"""Float sums against an exact oracle (`math.fsum` of the float64 values): the compiled reduction
folds each element into a vector accumulator with a bounded number of others and then sums those
blocks up a cascade (like NumPy's pairwise sum), so its error stays near NumPy's instead of growing
with the length of a partial."""

import math

import numpy as np
import pytest

import lazulite as lz

# Relative error that NumPy's pairwise sum meets on these inputs (checked below). One sequential
# accumulator per vector lane misses it by far on the constant inputs: about 7e-5 for float32 and
# 2e-13 for float64 at 2^20 elements, where every add rounds the same way.
TOLERANCE = {"float32": 1e-6, "float64": 1e-14}


def exact_sum(values):
    return math.fsum(np.asarray(values, dtype=np.float64).ravel().tolist())


def relative_error(got, exact):
    return abs(float(got) - exact) / abs(exact)


def inputs(n, dtype):
    """Positive inputs (no cancellation, so the relative error is the accumulation's)."""
    rng = np.random.default_rng(n)
    return {
        "constant 0.1": np.full(n, 0.1, dtype),
        "constant 1/3": np.full(n, 1 / 3, dtype),
        "uniform in [1, 2)": (rng.random(n) + 1.0).astype(dtype),
        "ramp": (np.arange(1, n + 1, dtype=np.float64) / n).astype(dtype),
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
    x = np.full((4, 2**19 + 5), 0.1, dtype)
    x[1:] += np.random.default_rng(5).random((3, 2**19 + 5)).astype(dtype)
    tol = TOLERANCE[dtype]
    got = np.asarray(lz.sum(lz.asarray(x), axis=-1).compute())
    for r in range(x.shape[0]):
        exact = exact_sum(x[r])
        assert relative_error(np.sum(x[r]), exact) <= tol
        assert relative_error(got[r], exact) <= tol, f"row {r} of sum(axis=-1), {dtype}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sum_over_two_dims_matches_exact(dtype):
    # Broadcast-reduce: the kernel's loop nest keeps both dims, so the cascaded inner loop runs once
    # per row into the same accumulators (what earlier rows added must survive).
    rng = np.random.default_rng(7)
    u = rng.random(700).astype(dtype)
    v = (rng.random(1500) + 2.0).astype(dtype)
    d = np.abs(u[:, None] - v[None, :])
    exact = exact_sum(d)
    tol = TOLERANCE[dtype]
    assert relative_error(np.sum(d), exact) <= tol
    lu, lv = lz.asarray(u), lz.asarray(v)
    got = lz.sum(lz.abs(lu[:, None] - lv[None, :])).compute()
    assert relative_error(got, exact) <= tol, f"broadcast-reduce {dtype}"
    # A strided view of a matrix: rows of 0.1 and 0.2, every other column.
    m = np.full((300, 2 * 1031), 0.1, dtype)
    m[::2] = np.asarray(0.2, dtype)
    view = m[:, ::2]
    exact = exact_sum(view)
    got = lz.sum(lz.asarray(m)[:, ::2]).compute()
    assert relative_error(got, exact) <= tol, f"sum of a strided view, {dtype}"
