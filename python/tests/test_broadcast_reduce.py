"""Broadcast-reduce (`sum(abs(u[:, None] - v[None, :]))` and its relatives) against NumPy, exactly:
the compiled loop loads the broadcast operand once per row, makes `abs`'s mask once, and may compute
`u - v` as a fused multiply-add by -1 (`codegen/cpu/src/jit/hoist.rs`). Inputs are small integers
(every sum exact in any order) with NaN, inf and signed zeros placed among them, and extents around
the vector lanes and the unroll count, an empty reduced dim included."""

import numpy as np
import pytest

import lazulite as lz


def ints(rng, n, dtype):
    return rng.integers(-8, 9, n).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cols", [0, 1, 3, 7, 8, 17, 33, 64, 129])
def test_broadcast_reduce_matches_numpy_exactly(dtype, cols):
    rng = np.random.default_rng(cols)
    u, v = ints(rng, 5, dtype), ints(rng, cols, dtype)
    lu, lv = lz.asarray(u), lz.asarray(v)
    cases = [
        (lambda xp, a, b: xp.sum(xp.abs(a[:, None] - b[None, :]), axis=-1)),
        (lambda xp, a, b: xp.sum(xp.abs(a[:, None] - b[None, :]))),
        (lambda xp, a, b: xp.sum(a[:, None] - b[None, :], axis=-1)),
        (lambda xp, a, b: xp.sum(b[None, :] + a[:, None], axis=-1)),
        (lambda xp, a, b: xp.sum((a[:, None] - b[None, :]) * (a[:, None] + b[None, :]), axis=-1)),
    ]
    for i, f in enumerate(cases):
        want = f(np, u, v)
        got = np.asarray(f(lz, lu, lv).compute())
        assert got.dtype == want.dtype, f"case {i}"
        np.testing.assert_array_equal(got, want, err_msg=f"case {i}, {dtype}, {cols} columns")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_broadcast_reduce_nan_inf_and_zeros(dtype):
    rng = np.random.default_rng(11)
    u, v = ints(rng, 6, dtype), ints(rng, 37, dtype)
    u[1] = np.inf  # inf - inf is NaN in the row where v holds inf too
    v[36] = np.inf
    u[2] = -0.0
    v[5] = np.nan  # every row sees it: all NaN
    lu, lv = lz.asarray(u), lz.asarray(v)
    got = np.asarray(lz.sum(lz.abs(lu[:, None] - lv[None, :]), axis=-1).compute())
    np.testing.assert_array_equal(got, np.sum(np.abs(u[:, None] - v[None, :]), axis=-1))
    v[5] = 0.0
    lv = lz.asarray(v)
    got = np.asarray(lz.sum(lz.abs(lu[:, None] - lv[None, :]), axis=-1).compute())
    want = np.sum(np.abs(u[:, None] - v[None, :]), axis=-1)
    np.testing.assert_array_equal(got, want)
    assert np.isnan(want[1]) and np.isinf(want[0])  # the special values reached the sums
