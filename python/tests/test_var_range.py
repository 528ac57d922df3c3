"""var and std over the whole floating-point range, against an exact oracle (fractions.Fraction).

The rule (NumPy's for NaN): NaN only where the data has a NaN or an infinity (or N - correction <= 0);
inf only where the true result overflows; finite and accurate otherwise, also where the squared
deviations from the first element (or their sum) overflow although the variance does not.
"""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
from _support import xps


def exact_var(vals, correction):
    """The variance of one slice as a Fraction; None where it is NaN."""
    vals = [float(v) for v in vals]
    n = len(vals)
    if n - correction <= 0 or not all(math.isfinite(v) for v in vals):
        return None
    fr = [Fraction(v) for v in vals]
    mean = sum(fr) / n
    return sum((f - mean) ** 2 for f in fr) / (Fraction(n) - Fraction(correction))


def exact_sqrt(q):
    """sqrt of a non-negative Fraction, to a float64 ulp or so, as a Fraction (None for inf)."""
    if q == 0:
        return Fraction(0)
    e = (q.numerator.bit_length() - q.denominator.bit_length()) // 2
    m = float(q / Fraction(4) ** e)  # in [1/4, 16): fits a float
    try:
        return Fraction(math.ldexp(math.sqrt(m), e))
    except OverflowError:
        return None


def check_slice(got, vals, correction, name, dtype):
    """got (a float) against the exact result for the slice vals."""
    fi = np.finfo(dtype)
    n = len(vals)
    want = exact_var(vals, correction)
    ctx = f"{name}({[float(v) for v in vals]}, correction={correction}) = {got!r}"
    if want is None:
        assert math.isnan(got), f"{ctx}, want nan"
        return
    assert not math.isnan(got), f"{ctx}: NaN from finite data"
    # rounding: the shifted sums cancel at most a factor N + 1 (the shift is one of the data), and
    # squares of deviations below sqrt(tiny) underflow (absolute, as NumPy's)
    rtol = Fraction(32 * (n + 1)) * Fraction(float(fi.eps))
    atol = Fraction(16 * (n + 1)) * Fraction(float(fi.smallest_subnormal)) / min(Fraction(1), Fraction(n) - Fraction(correction))
    if name == "std":
        want = exact_sqrt(want)
        atol = exact_sqrt(atol)
        if want is None:  # beyond float64: certainly beyond dtype
            assert got == math.inf, f"{ctx}, want inf"
            return
    big = Fraction(float(fi.max))
    if got == math.inf:
        assert want >= big * (1 - rtol), f"{ctx}: inf, want {float(want)!r}"
        return
    assert math.isfinite(got) and got >= 0, ctx
    assert abs(Fraction(got) - want) <= rtol * want + atol, f"{ctx}, want {float(min(want, Fraction(2) * big))!r}"


def slices(x, axis):
    """The reduced slices of x (an ndarray), in the row-major order of the kept axes."""
    if axis is None:
        return [x.reshape(-1)]
    moved = np.moveaxis(x, axis, -1)
    return list(moved.reshape(-1, moved.shape[-1]))


def check(x, axis, correction, keepdims=False):
    for name in ("var", "std"):
        got = getattr(lz, name)(lz.asarray(x), axis=axis, correction=correction, keepdims=keepdims)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            shape = np.var(x, axis=axis, keepdims=keepdims).shape
        g = np.asarray(got)
        assert str(got.dtype) == str(x.dtype) and g.shape == shape, (got.dtype, g.shape, shape)
        for v, vals in zip(g.reshape(-1), slices(x, axis)):
            check_slice(float(v), vals, correction, name, x.dtype)


F64, F32 = np.finfo("float64"), np.finfo("float32")

TABLE = [
    # (data, dtype): NumPy gives nan, nan, inf, 1e308 / inf, nan
    ([-F64.max, F64.max], "float64"),  # true variance overflows: inf (was nan)
    ([3e38, -3e38], "float32"),
    ([F64.max, F64.max, F64.max], "float64"),  # 0 (NumPy: inf, its sum overflows)
    ([F32.max] * 3, "float32"),
    ([1e154, -1e154], "float64"),  # (x - x[0])^2 overflows, (x - mean)^2 = 1e308 does not
    ([1e154, -1e154] * 5, "float64"),
    ([1e19, -1e19] * 5, "float32"),
    ([0.0, 1e300, -1e300, 5.0], "float64"),
    ([F64.max, -F64.max, 0.0, 1.0], "float64"),  # x - x[0] itself overflows
    ([np.inf, 1.0], "float64"),  # an infinity or a NaN: nan
    ([1.0, np.inf], "float64"),
    ([1.0, np.nan, 2.0], "float64"),
    ([-F64.max, np.inf], "float64"),
    ([F32.max, -F32.max, -np.inf], "float32"),
    ([1e-160, 3e-160, -2e-160], "float64"),  # tiny: accurate down to the subnormals
    ([1e-300, 1e-300], "float64"),
]


@pytest.mark.parametrize("data,dtype", TABLE)
@pytest.mark.parametrize("correction", [0, 1])
def test_var_std_table(data, dtype, correction):
    check(np.array(data, dtype=dtype), None, correction)


def test_var_std_named_values():
    # the headline cases, spelled out (the oracle is checked too)
    with np.errstate(all="ignore"):
        for x in (np.array([-F64.max, F64.max]), np.array([3e38, -3e38], dtype="float32")):
            assert np.asarray(lz.var(lz.asarray(x))) == np.inf
            # std = |x[0]|: the true standard deviation is finite
            assert np.asarray(lz.std(lz.asarray(x))) == pytest.approx(abs(float(x[0])), rel=1e-6)
        assert np.asarray(lz.var(lz.asarray(np.array([F64.max] * 3)))) == 0.0
        got = np.asarray(lz.var(lz.asarray(np.array([1e154, -1e154] * 3))))
        assert got == pytest.approx(1e308, rel=1e-15)
        for x in ([np.inf, 1.0], [1.0, np.inf], [1.0, np.nan, 2.0]):
            assert np.isnan(np.asarray(lz.var(lz.asarray(np.array(x)))))


def test_var_std_rows_of_every_magnitude_along_each_axis():
    # one kernel reduces rows whose results take different paths (plain and scaled, NaN, inf)
    rows = [
        [1.0, 2.0, 3.0, 4.0],
        [1e154, -1e154, 1e154, -1e154],
        [-F64.max, F64.max, 0.0, 0.0],
        [1e6 + 1, 1e6 + 2, 1e6 + 3, 1e6 + 4],
        [np.inf, 1.0, 2.0, 3.0],
        [1e300, 1e300, 1e300, 1e300],
    ]
    x = np.array(rows)
    for axis in (0, 1, -1, None):
        for keepdims in (False, True):
            check(x, axis, 1, keepdims)
    rows32 = [
        [1.0, 2.0, 3.0, 4.0],
        [1e19, -1e19, 1e19, -1e19],
        [-F32.max, F32.max, 0.0, 0.0],
        [1e3 + 1, 1e3 + 2, 1e3 + 3, 1e3 + 4],
        [1.0, -np.inf, 2.0, 3.0],
        [3e38, 3e38, 3e38, 3e38],
    ]
    x32 = np.array(rows32, dtype="float32").T
    for axis in (0, 1):
        check(x32, axis, 0, True)


def magnitudes(dtype):
    """Floats of every magnitude: the full range (subnormals too), mantissas around a few scales
    (2^e near sqrt(max), where the squares overflow, and near max) and, sometimes, NaN and inf."""
    fi = np.finfo(dtype)
    width = 32 if dtype == "float32" else 64
    top = int(fi.maxexp)
    scales = [0, top // 2 - 2, top // 2, top // 2 + 1, top - 3, top - 1, -(top // 2), fi.minexp + 30]
    def at_scale(m, e):
        try:
            v = math.ldexp(m, e)
        except OverflowError:  # past float64: inf (an infinity in the data)
            v = math.copysign(math.inf, m)
        with np.errstate(over="ignore"):
            return float(np.float64(v).astype(dtype))

    scaled = st.builds(at_scale, st.floats(-2.0, 2.0, width=width), st.sampled_from(scales))
    return st.one_of(
        st.floats(width=width, allow_nan=False, allow_infinity=False),
        scaled,
        scaled,
        st.sampled_from([fi.max, -fi.max, float(fi.max) / 2, 0.0, 1.0]),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )


@given(data=st.data())
def test_var_std_against_exact_over_the_whole_range(data):
    dtype = data.draw(st.sampled_from(["float32", "float64"]), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6), label="shape")
    with np.errstate(all="ignore"):
        x = data.draw(xps.arrays(dtype, shape, elements=magnitudes(dtype)), label="x")
        x = np.asarray(x)
    axis = data.draw(st.sampled_from([None] + list(range(-x.ndim, x.ndim))), label="axis")
    correction = data.draw(st.sampled_from([0, 1, 1.5]), label="correction")
    check(x, axis, correction, data.draw(st.booleans(), label="keepdims"))
