"""`pow` / `**` against NumPy: float32 (inline vector code, `codegen/cpu/src/jit/pow.rs`) and float64,
within 2 ulp on finite results (non-finite results and the sign of zeros exact), broadcasting, scalar
exponents and bases, negative bases, and the C99 / array-API special cases exactly."""

import math

import numpy as np
import pytest

import lazulite as lz

DTYPES = ["float32", "float64"]


def ulp_distance(a, b):
    """Units in the last place between same-dtype finite arrays (signed-magnitude order)."""
    it = np.int32 if a.dtype == np.float32 else np.int64
    ia, ib = a.view(it).astype(np.int64), b.view(it).astype(np.int64)
    mag = (1 << (a.dtype.itemsize * 8 - 1)) - 1
    oa = np.where(ia < 0, -(ia & mag), ia)
    ob = np.where(ib < 0, -(ib & mag), ib)
    return np.abs(oa - ob)


def numpy_pow(x, y):
    """NumPy's `x ** y`, with C99's values for the bases -inf and -0, where NumPy departs from them:
    float32 `pow(-inf, 0.5)` is NaN, and `x ** 0.5` is `sqrt(x)` (-0 for -0, NaN for -inf)."""
    x, y = np.broadcast_arrays(x, y)
    with np.errstate(all="ignore"):
        want = np.asarray(x ** y)
        odd = (np.mod(y, 2) == 1) | (np.mod(y, 2) == -1)
        sign = np.where(odd, -1.0, 1.0)
        ninf = np.where(y > 0, np.inf, 0.0) * sign
        nzero = np.where(y > 0, 0.0, np.inf) * sign
        live = ~np.isnan(y) & (y != 0)
        want = np.where((x == -np.inf) & live, ninf.astype(want.dtype), want)
        want = np.where((x == 0) & np.signbit(x) & live, nzero.astype(want.dtype), want)
    return want.astype(x.dtype)


def check_pow(got, want, what):
    got = np.asarray(got)
    assert got.dtype == want.dtype and got.shape == want.shape, what
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan), f"{what}: NaN positions differ"
    fin = np.isfinite(want) & np.isfinite(got)
    assert np.array_equal(got[~fin & ~nan], want[~fin & ~nan]), f"{what}: non-finite results differ"
    d = ulp_distance(got[fin], want[fin])
    assert d.size == 0 or d.max() <= 2, f"{what}: {d.max()} ulp at {np.argmax(d)}"
    zero = fin & (want == 0)
    assert np.array_equal(np.signbit(got[zero]), np.signbit(want[zero])), f"{what}: signed zeros"


def regions(dtype, n=20001):
    rng = np.random.default_rng(11)
    xs = [
        np.abs(rng.standard_normal(n)),
        np.exp2(rng.uniform(-149, 128, n)),
        1 + rng.uniform(-1e-3, 1e-3, n),
        -rng.uniform(0, 3, n),
        rng.standard_normal(n) * 1e3,
    ]
    ys = [
        rng.standard_normal(n),
        rng.uniform(-1.2, 1.2, n),
        rng.uniform(-1e5, 1e5, n),
        np.round(rng.uniform(-40, 40, n)) + (rng.random(n) < 0.3) * 0.5,
        rng.uniform(-60, 60, n),
    ]
    return [(x.astype(dtype), y.astype(dtype)) for x, y in zip(xs, ys)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_matches_numpy_on_random_regions(dtype):
    with np.errstate(all="ignore"):
        for i, (x, y) in enumerate(regions(dtype)):
            check_pow(lz.asarray(x) ** lz.asarray(y), numpy_pow(x, y), f"{dtype} region {i}")
            check_pow(lz.pow(lz.asarray(x), lz.asarray(y)), numpy_pow(x, y), f"{dtype} pow region {i}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_broadcasting(dtype):
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 4, (37, 1)).astype(dtype)
    y = rng.uniform(-3, 3, (1, 41)).astype(dtype)
    with np.errstate(all="ignore"):
        check_pow(lz.asarray(x) ** lz.asarray(y), x ** y, f"{dtype} (37,1)**(1,41)")
        z = rng.uniform(-3, 3, 41).astype(dtype)
        check_pow(lz.asarray(x[:, 0:1] * np.ones((1, 41), dtype)) ** lz.asarray(z), (x * np.ones((1, 41), dtype)) ** z,
                  f"{dtype} (37,41)**(41,)")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("e", [0.0, -0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0, 1 / 3, 2.5, 10.0, -7.0, 1e-3, 1e4])
def test_pow_scalar_exponent(dtype, e):
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-5, 5, 1001), [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0]]).astype(dtype)
    want = numpy_pow(x, np.asarray(e, dtype=dtype))
    check_pow(lz.asarray(x) ** e, want, f"{dtype} x ** {e}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("b", [2.0, 0.5, 10.0, -2.0, 0.0, 1.0])
def test_pow_scalar_base(dtype, b):
    rng = np.random.default_rng(7)
    y = np.concatenate([rng.uniform(-30, 30, 1001), np.arange(-5, 6), [np.inf, -np.inf, np.nan]]).astype(dtype)
    want = numpy_pow(np.asarray(b, dtype=dtype), y)
    check_pow(b ** lz.asarray(y), want, f"{dtype} {b} ** y")


INF, NAN = math.inf, math.nan

# (x, y, x ** y) by C99 Annex F / the array API's special cases
SPECIAL = [
    (NAN, 0.0, 1.0), (NAN, -0.0, 1.0), (-INF, 0.0, 1.0), (-3.5, -0.0, 1.0),
    (1.0, NAN, 1.0), (1.0, INF, 1.0), (1.0, -INF, 1.0), (-1.0, INF, 1.0), (-1.0, -INF, 1.0),
    (NAN, 1.0, NAN), (2.0, NAN, NAN), (-1.0, NAN, NAN), (0.0, NAN, NAN),
    (-2.0, 0.5, NAN), (-0.5, -1.5, NAN),
    (-2.0, 3.0, -8.0), (-2.0, 2.0, 4.0), (-2.0, -1.0, -0.5), (-3.0, 1e30, INF), (-0.5, 1e30, 0.0),
    (0.0, -3.0, INF), (-0.0, -3.0, -INF), (-0.0, -2.0, INF), (-0.0, -0.5, INF), (-0.0, -INF, INF),
    (0.0, 3.0, 0.0), (-0.0, 3.0, -0.0), (-0.0, 2.0, 0.0), (-0.0, 0.5, 0.0), (-0.0, INF, 0.0),
    (INF, -1.0, 0.0), (INF, 0.5, INF), (INF, -INF, 0.0), (INF, INF, INF),
    (-INF, -3.0, -0.0), (-INF, -2.0, 0.0), (-INF, -0.5, 0.0), (-INF, 3.0, -INF), (-INF, 2.0, INF),
    (-INF, 0.5, INF), (-INF, INF, INF), (-INF, -INF, 0.0),
    (0.5, INF, 0.0), (-0.5, INF, 0.0), (0.5, -INF, INF), (-0.5, -INF, INF),
    (1.5, INF, INF), (-1.5, INF, INF), (1.5, -INF, 0.0), (-1.5, -INF, 0.0),
    (2.0, 1e30, INF), (2.0, -1e30, 0.0), (10.0, 400.0, INF), (10.0, -400.0, 0.0),
]


@pytest.mark.parametrize("dtype", DTYPES)
def test_pow_special_cases_exact(dtype):
    rng = np.random.default_rng(9)
    for pos in range(5):
        # each case among ordinary lanes, in several positions of a vector
        x = rng.uniform(0.1, 3, (len(SPECIAL), 9)).astype(dtype)
        y = rng.uniform(-2, 2, (len(SPECIAL), 9)).astype(dtype)
        x[:, pos] = [c[0] for c in SPECIAL]
        y[:, pos] = [c[1] for c in SPECIAL]
        got = np.asarray(lz.asarray(x) ** lz.asarray(y))
        want = np.array([c[2] for c in SPECIAL], dtype=dtype)
        g = got[:, pos]
        for i, (a, b, w) in enumerate(SPECIAL):
            ok = (math.isnan(w) and np.isnan(g[i])) or (g[i] == w and np.signbit(g[i]) == np.signbit(want[i]))
            assert ok, f"{dtype} pow({a}, {b}) = {g[i]}, want {w}"
        others = np.delete(np.arange(9), pos)
        with np.errstate(all="ignore"):
            check_pow(lz.asarray(x[:, others]) ** lz.asarray(y[:, others]), x[:, others] ** y[:, others],
                      f"{dtype} ordinary lanes")
        ordinary = got[:, others]
        with np.errstate(all="ignore"):
            check_pow(lz.asarray(ordinary), x[:, others] ** y[:, others], f"{dtype} ordinary lanes beside specials")
