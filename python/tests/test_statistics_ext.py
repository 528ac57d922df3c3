"""std, var, cumulative_sum/prod, count_nonzero, diff, isin and clip's broadcasting, against NumPy
and array_api_strict."""

import warnings

import array_api_strict as xs
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import lazulite as lz
from _support import ANY, INTEGER, LAYOUTS, REAL_FLOAT, REAL_NUMERIC, assert_matches, elements, with_layout, xps


def draw_axis(data, ndim, *, tuples=True):
    options = [st.none()]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
        if tuples:
            options.append(xps.valid_tuple_axes(ndim))
    return data.draw(st.one_of(*options), label="axis")


@pytest.mark.parametrize("name", ["std", "var"])
@given(data=st.data())
def test_std_var_match_numpy(name, data):
    dtype = data.draw(st.sampled_from(REAL_FLOAT), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype, lo=-1e3, hi=1e3, specials=False)), label="x")
    xl, xn = with_layout(data.draw(st.sampled_from(LAYOUTS), label="layout"), x)
    axis = draw_axis(data, x.ndim)
    correction = data.draw(st.sampled_from([0, 1, 0.0, 1.5, 2]), label="correction")
    keepdims = data.draw(st.booleans(), label="keepdims")
    got = getattr(lz, name)(xl, axis=axis, correction=correction, keepdims=keepdims)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.asarray(getattr(np, name)(xn.astype("float64"), axis=axis, ddof=correction, keepdims=keepdims))
    g = np.asarray(got)
    assert str(got.dtype) == dtype and g.shape == expected.shape
    # the standard: NaN where N - correction <= 0 (NumPy divides by zero and may give inf there)
    n = int(np.prod([x.shape[a] for a in (range(x.ndim) if axis is None else np.atleast_1d(axis))]))
    if n - correction <= 0:
        expected = np.full(expected.shape, np.nan)
    # else close to the float64 value
    np.testing.assert_allclose(g.astype("float64"), expected, rtol=2e-5 if dtype == "float32" else 1e-9, atol=1e-3 if dtype == "float32" else 1e-9, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 2)])
@pytest.mark.parametrize("correction", [0, 1])
def test_std_var_one_pass_keeps_precision_under_a_large_offset(dtype, axis, correction):
    # The sum-of-squares formula loses every digit here (offset^2 / spread^2 = 1e12 > 1 / eps of
    # float64); shifted sums keep them: compare with NumPy's two-pass result in float64.
    rng = np.random.default_rng(7)
    offset = 1e3 if dtype == "float32" else 1e6
    x = (offset + rng.standard_normal((13, 9, 21))).astype(dtype)
    for name in ("var", "std"):
        got = np.asarray(getattr(lz, name)(lz.asarray(x), axis=axis, correction=correction))
        expected = getattr(np, name)(x.astype("float64"), axis=axis, ddof=correction)
        rtol = 2e-3 if dtype == "float32" else 1e-9
        np.testing.assert_allclose(got.astype("float64"), expected, rtol=rtol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_std_var_special_rows(dtype):
    nan, inf = float("nan"), float("inf")
    rows = [
        [1.0, 2.0, 3.0, 4.0],
        [nan, 2.0, 3.0, 4.0],  # NaN anywhere: NaN
        [1.0, 2.0, nan, 4.0],
        [inf, 2.0, 3.0, 4.0],  # an infinity: NaN (inf - inf in the deviations)
        [1.0, -inf, 3.0, 4.0],
        [5.0, 5.0, 5.0, 5.0],  # constant: exactly 0, never a rounding negative
        [0.1, 0.1, 0.1, 0.1],
        [-3.0, 1e-3, 7.0, 2.5],
    ]
    x = np.array(rows, dtype=dtype)
    for axis in (1, 0, None):
        for name in ("var", "std"):
            got = np.asarray(getattr(lz, name)(lz.asarray(x), axis=axis))
            with np.errstate(all="ignore"):
                expected = getattr(np, name)(x.astype("float64"), axis=axis)
            np.testing.assert_allclose(got.astype("float64"), expected, rtol=1e-5, atol=1e-6, equal_nan=True)
    constant = np.asarray(lz.var(lz.asarray(x[5:7]), axis=1))
    assert (constant == 0).all(), constant
    # finite data whose squared deviations overflow: inf, as NumPy
    big = np.array([0.0, np.finfo(dtype).max / 2], dtype=dtype)
    with np.errstate(all="ignore"):
        assert np.isinf(np.asarray(lz.var(lz.asarray(big)))) and np.isinf(np.var(big))


def test_var_along_an_axis_is_one_kernel():
    x = lz.asarray(np.random.default_rng(3).standard_normal((64, 32)))
    for axis in (0, 1):
        plan = lz.explain(lz.var(x, axis=axis))
        assert plan.startswith("1 kernel,"), plan
        assert "sum + sum" in plan, plan
    plan = lz.explain(lz.std(x, axis=1, keepdims=True))
    assert plan.startswith("1 kernel,"), plan


def test_std_var_errors():
    with pytest.raises(TypeError):
        lz.var(lz.ones(3, dtype=lz.int32))
    with pytest.raises(TypeError):
        lz.std(lz.ones(3), correction="1")
    with pytest.raises(TypeError):
        lz.std(lz.ones(3), correction=True)
    with pytest.raises(IndexError):
        lz.var(lz.ones(3), axis=1)
    with pytest.raises(TypeError):
        lz.var(lz.ones(3), 0)  # axis is keyword-only


@pytest.mark.parametrize("name", ["cumulative_sum", "cumulative_prod"])
@given(data=st.data())
def test_cumulative_matches_strict(name, data):
    dtype = data.draw(st.sampled_from(INTEGER + REAL_FLOAT), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), label="shape")
    lo, hi = (-3, 3) if name == "cumulative_prod" else (-100, 100)
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype, lo=lo, hi=hi, specials=False)), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1) if x.ndim > 1 else st.sampled_from([None, 0] if x.ndim == 1 else [None]), label="axis")
    include_initial = data.draw(st.booleans(), label="include_initial")
    if x.ndim == 0:
        with pytest.raises(ValueError):
            getattr(lz, name)(lz.asarray(x), axis=axis)
        return
    got = getattr(lz, name)(lz.asarray(x), axis=axis, include_initial=include_initial)
    expected = getattr(xs, name)(xs.asarray(x), axis=axis, include_initial=include_initial)
    e = np.asarray(expected)
    if dtype.startswith("float"):
        assert str(got.dtype) == e.dtype.name and got.shape == e.shape
        np.testing.assert_allclose(np.asarray(got), e, rtol=1e-5, atol=1e-3)
    else:
        assert_matches(got, e, what=name)


def test_cumulative_errors():
    with pytest.raises(TypeError):
        lz.cumulative_sum(lz.asarray([True, False]))  # numeric dtypes only, like array_api_strict
    with pytest.raises(ValueError):
        lz.cumulative_prod(lz.ones((2, 2)))  # axis is required for more than one dimension
    with pytest.raises(IndexError):
        lz.cumulative_sum(lz.ones((2, 2)), axis=2)


@given(data=st.data())
def test_count_nonzero_matches_numpy(data):
    dtype = data.draw(st.sampled_from(ANY + ["complex64"]), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape), label="x")
    axis = draw_axis(data, x.ndim)
    keepdims = data.draw(st.booleans(), label="keepdims")
    got = lz.count_nonzero(lz.asarray(x), axis=axis, keepdims=keepdims)
    expected = np.asarray(np.count_nonzero(x, axis=axis, keepdims=keepdims)).astype("int64")
    assert_matches(got, expected, what=f"count_nonzero(axis={axis})")


@given(data=st.data())
def test_diff_matches_numpy(data):
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype, lo=-100, hi=100, specials=False)), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    n = data.draw(st.integers(0, 3), label="n")
    kw = {}
    for edge in ("prepend", "append"):
        if data.draw(st.booleans(), label=edge):
            s = list(shape)
            s[axis] = data.draw(st.integers(0, 2), label=f"{edge} len")
            kw[edge] = data.draw(xps.arrays(dtype, tuple(s), elements=elements(dtype, lo=-100, hi=100, specials=False)), label=edge)
    got = lz.diff(lz.asarray(x), axis=axis, n=n, **{k: lz.asarray(v) for k, v in kw.items()})
    with np.errstate(over="ignore"):
        if n == 0:
            # the spec: the axis has M + N1 + N2 - n elements (NumPy returns x unchanged for n=0)
            nothing = np.take(x, [], axis=axis)
            expected = np.concat([kw.get("prepend", nothing), x, kw.get("append", nothing)], axis=axis)
        else:
            expected = np.diff(x, axis=axis, n=n, **kw)
    assert_matches(got, expected, what=f"diff(axis={axis}, n={n}, {sorted(kw)})")


def test_diff_errors():
    with pytest.raises(ValueError):
        lz.diff(lz.ones(()))
    with pytest.raises(TypeError):
        lz.diff(lz.ones(3, dtype=lz.bool))
    with pytest.raises(IndexError):
        lz.diff(lz.ones(3), axis=1)
    with pytest.raises(ValueError):
        lz.diff(lz.ones((2, 3)), axis=1, prepend=lz.ones((3, 1)))
    with pytest.raises(TypeError):
        lz.diff(lz.ones(3), prepend=np.ones(1))


@given(data=st.data())
def test_isin_matches_numpy(data):
    d1 = data.draw(st.sampled_from(INTEGER), label="d1")
    d2 = data.draw(st.sampled_from(INTEGER), label="d2")
    try:
        np.result_type(getattr(xs, d1), getattr(xs, d2))
        xs.result_type(getattr(xs, d1), getattr(xs, d2))
    except TypeError:
        d2 = d1
    x1 = data.draw(xps.arrays(d1, xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4), elements=elements(d1, lo=-5, hi=5)), label="x1")
    x2 = data.draw(xps.arrays(d2, xps.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4), elements=elements(d2, lo=-5, hi=5)), label="x2")
    invert = data.draw(st.booleans(), label="invert")
    got = lz.isin(lz.asarray(x1), lz.asarray(x2), invert=invert)
    # NumPy, not array_api_strict: strict 2.6.1 ignores invert=
    assert_matches(got, np.asarray(np.isin(x1, x2, invert=invert)), what="isin")
    # a Python int on either side (0-D result for a scalar x1)
    v = data.draw(st.integers(0, 5), label="v")
    assert_matches(lz.isin(v, lz.asarray(x2), invert=invert), np.asarray(np.isin(v, x2, invert=invert)), what="isin(int, x2)")
    assert_matches(lz.isin(lz.asarray(x1), v, invert=invert), np.isin(x1, v, invert=invert), what="isin(x1, int)")


def test_isin_errors():
    with pytest.raises(TypeError):
        lz.isin(lz.ones(2), lz.ones(2))  # integer dtypes only
    with pytest.raises(TypeError):
        lz.isin(1, 2)  # one side must be an array
    with pytest.raises(TypeError):
        lz.isin(lz.asarray([1]), lz.asarray([1]), True)  # invert is keyword-only


@given(data=st.data())
def test_clip_broadcasts_x_min_and_max(data):
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    shapes = data.draw(xps.mutually_broadcastable_shapes(3, max_dims=3, max_side=4), label="shapes")
    sx, smin, smax = shapes.input_shapes
    el = elements(dtype, lo=-50, hi=50, specials=False)
    x = data.draw(xps.arrays(dtype, sx, elements=el), label="x")
    lo = data.draw(st.one_of(st.none(), xps.arrays(dtype, smin, elements=el)), label="min")
    hi = data.draw(st.one_of(st.none(), xps.arrays(dtype, smax, elements=el)), label="max")
    # the standard leaves min > max unspecified (array_api_strict raises)
    assume(lo is None or hi is None or not np.any(lo > hi))
    got = lz.clip(lz.asarray(x), None if lo is None else lz.asarray(lo), None if hi is None else lz.asarray(hi))
    expected = xs.clip(xs.asarray(x), None if lo is None else xs.asarray(lo), None if hi is None else xs.asarray(hi))
    assert_matches(got, np.asarray(expected), what="clip")


def test_clip_shape_examples():
    # the case array_api_strict passes: x of shape () with max of shape (0,)
    r = lz.clip(lz.asarray(1.0), max=lz.zeros(0))
    assert r.shape == (0,) and r.dtype == lz.float64
    r = lz.clip(lz.asarray([1, 5, 9], dtype=lz.int16), min=lz.asarray([[2], [6]], dtype=lz.int16), max=7)
    assert r.dtype == lz.int16
    assert np.array_equal(np.asarray(r), [[2, 5, 7], [6, 6, 7]])
    with pytest.raises(ValueError):
        lz.clip(lz.ones(3), min=lz.ones(2))
    with pytest.raises(TypeError):
        lz.clip(lz.ones(3, dtype=lz.int8), min=lz.ones(3, dtype=lz.int16))  # never changes x's dtype
