"""Shared test helpers: NumPy as the oracle, strategies over NumPy's array API namespace, layouts."""

import warnings

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

import lazulite as lz

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    xps = make_strategies_namespace(np, api_version="2024.12")

BOOL = ["bool"]
SIGNED = ["int8", "int16", "int32", "int64"]
UNSIGNED = ["uint8", "uint16", "uint32", "uint64"]
INTEGER = SIGNED + UNSIGNED
REAL_FLOAT = ["float32", "float64"]
REAL_NUMERIC = INTEGER + REAL_FLOAT
NUMERIC = REAL_NUMERIC  # complex dtypes are not exercised here
ANY = BOOL + REAL_NUMERIC

# The dtypes each function accepts, from the standard's function pages (real and bool dtypes only).
UNARY = {
    "abs": NUMERIC, "negative": NUMERIC, "positive": NUMERIC, "square": NUMERIC, "sign": NUMERIC,
    "round": NUMERIC, "isnan": NUMERIC, "isinf": NUMERIC, "isfinite": NUMERIC, "real": NUMERIC,
    "conj": NUMERIC,
    "sqrt": REAL_FLOAT, "reciprocal": REAL_FLOAT, "exp": REAL_FLOAT, "expm1": REAL_FLOAT,
    "log": REAL_FLOAT, "log1p": REAL_FLOAT, "log2": REAL_FLOAT, "log10": REAL_FLOAT,
    "sin": REAL_FLOAT, "cos": REAL_FLOAT, "tan": REAL_FLOAT, "asin": REAL_FLOAT, "acos": REAL_FLOAT,
    "atan": REAL_FLOAT, "sinh": REAL_FLOAT, "cosh": REAL_FLOAT, "tanh": REAL_FLOAT,
    "asinh": REAL_FLOAT, "acosh": REAL_FLOAT, "atanh": REAL_FLOAT,
    "floor": REAL_NUMERIC, "ceil": REAL_NUMERIC, "trunc": REAL_NUMERIC,
    "signbit": REAL_FLOAT,
    "logical_not": BOOL,
    "bitwise_invert": INTEGER + BOOL,
}
BINARY = {
    "add": NUMERIC, "subtract": NUMERIC, "multiply": NUMERIC, "pow": NUMERIC,
    "divide": REAL_FLOAT,
    "floor_divide": REAL_NUMERIC, "remainder": REAL_NUMERIC, "maximum": REAL_NUMERIC,
    "minimum": REAL_NUMERIC, "less": REAL_NUMERIC, "less_equal": REAL_NUMERIC,
    "greater": REAL_NUMERIC, "greater_equal": REAL_NUMERIC,
    "atan2": REAL_FLOAT, "hypot": REAL_FLOAT, "copysign": REAL_FLOAT, "nextafter": REAL_FLOAT,
    "logaddexp": REAL_FLOAT,
    "equal": ANY, "not_equal": ANY,
    "logical_and": BOOL, "logical_or": BOOL, "logical_xor": BOOL,
    "bitwise_and": INTEGER + BOOL, "bitwise_or": INTEGER + BOOL, "bitwise_xor": INTEGER + BOOL,
    "bitwise_left_shift": INTEGER, "bitwise_right_shift": INTEGER,
}

# functions whose float results are rounded transcendental values (compared within a few ULP)
EXACT_FLOAT = {
    "abs", "negative", "positive", "square", "sign", "round", "isnan", "isinf", "isfinite", "real",
    "conj", "floor", "ceil", "trunc", "signbit", "add", "subtract", "multiply", "divide", "maximum",
    "minimum", "less", "less_equal", "greater", "greater_equal", "equal", "not_equal", "copysign",
    "nextafter", "sqrt", "reciprocal", "floor_divide", "remainder",
}


def lz_dtype(name):
    return getattr(lz, name)


def np_func(name):
    return getattr(np, name)


SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, float("nan"), float("inf"), float("-inf")]


def elements(dtype_name, *, lo=None, hi=None, specials=True):
    """Element strategy: full range for ints and bools; floats of moderate magnitude plus specials."""
    dt = np.dtype(dtype_name)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return st.integers(
            int(info.min) if lo is None else max(int(info.min), lo),
            int(info.max) if hi is None else min(int(info.max), hi),
        )
    if dt.kind == "b":
        return st.booleans()
    width = dt.itemsize * 8
    lo = -1e6 if lo is None else lo
    hi = 1e6 if hi is None else hi
    finite = st.floats(lo, hi, width=width, allow_subnormal=False)
    if not specials:
        return finite
    return st.one_of(finite, st.sampled_from(SPECIAL_FLOATS))


shapes = xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5)

LAYOUTS = ["contiguous", "flipped", "strided", "permuted", "numpy_view", "broadcast"]


def with_layout(layout, x):
    """`(lazulite array, numpy array)` holding the same values as `x`, with `layout` on the lazulite
    side: built by lazulite's own movement ops, or imported zero-copy from a strided NumPy view."""
    if x.ndim == 0 or layout == "contiguous":
        return lz.asarray(x), x
    if layout == "flipped":
        # flip a flipped copy: same values, negative strides inside the engine
        return lz.flip(lz.asarray(np.ascontiguousarray(np.flip(x)))), x
    if layout == "strided":
        doubled = np.repeat(x, 2, axis=0)
        return lz.asarray(doubled)[::2], x
    if layout == "permuted":
        axes = tuple(reversed(range(x.ndim)))
        return lz.permute_dims(lz.asarray(np.ascontiguousarray(np.transpose(x, axes))), axes), x
    if layout == "numpy_view":
        base = np.repeat(np.flip(x, axis=0), 2, axis=0)
        view = base[::-2]  # negative byte strides, zero-copy import
        return lz.asarray(view, copy=False), view  # aliasing: keeps the strided import
    if layout == "broadcast":
        # a size-1 leading axis broadcast away and indexed back
        return lz.broadcast_to(lz.asarray(x), (2,) + x.shape)[1], x
    raise AssertionError(layout)


def assert_matches(got, expected, *, ulps=0, what="", signed_zeros=True):
    """`got` (a lazulite array) equals `expected` (NumPy): same dtype and shape; exact for ints and
    bools; floats within `ulps` units in the last place (plus an absolute floor of `ulps` epsilon), NaN
    where NumPy has NaN."""
    assert isinstance(got, lz.Array), what
    g = np.asarray(got)
    expected = np.asarray(expected)
    assert str(got.dtype) == expected.dtype.name, f"{what}: dtype {got.dtype} != {expected.dtype}"
    assert g.shape == expected.shape, f"{what}: shape {g.shape} != {expected.shape}"
    if expected.dtype.kind == "f":
        assert np.array_equal(np.isnan(g), np.isnan(expected)), f"{what}: NaN positions differ\n{g}\n{expected}"
        if ulps == 0:
            mask = ~np.isnan(expected)
            assert np.array_equal(g[mask], expected[mask]), f"{what}:\n{g}\n{expected}"
            # signed zeros: exact results agree on the sign too (where the standard specifies it)
            assert not signed_zeros or np.array_equal(np.signbit(g[mask]), np.signbit(expected[mask])), f"{what}: signed zeros\n{g}\n{expected}"
        else:
            eps = np.finfo(expected.dtype).eps
            np.testing.assert_allclose(
                g, expected, rtol=ulps * eps, atol=ulps * eps, equal_nan=True, err_msg=what
            )
    else:
        assert np.array_equal(g, expected), f"{what}:\n{g}\n{expected}"


@pytest.fixture(autouse=True)
def threaded_scheduler():
    """The chunked tests run on Dask's threaded scheduler (autouse where a test module imports it)."""
    import dask

    with dask.config.set(scheduler="threads"):
        yield


def chunked_close(got, want, rtol=1e-12):
    """A chunked result, computed, equals `want` in shape, dtype and values (NaN where `want` has NaN)."""
    got = np.asarray(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-300, equal_nan=True)
