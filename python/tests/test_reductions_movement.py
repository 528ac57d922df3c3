"""Reductions (axis / keepdims / dtype), movement ops and __getitem__, against NumPy."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
from _support import INTEGER, LAYOUTS, REAL_FLOAT, REAL_NUMERIC, assert_matches, elements, with_layout, xps


def axis_and_keepdims(data, ndim):
    axis = data.draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1) if ndim else st.none(),
            xps.valid_tuple_axes(ndim),
        ),
        label="axis",
    )
    return axis, data.draw(st.booleans(), label="keepdims")


REDUCTIONS = {
    "sum": INTEGER + REAL_FLOAT,
    "prod": INTEGER + REAL_FLOAT,
    "min": REAL_NUMERIC,
    "max": REAL_NUMERIC,
    "mean": REAL_FLOAT,
    "any": ["bool"],
    "all": ["bool"],
}


def reduced_length(shape, axis):
    if axis is None:
        axis = tuple(range(len(shape)))
    elif isinstance(axis, int):
        axis = (axis,)
    return int(np.prod([shape[a] for a in axis])) if shape else 1


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_reduction_matches_numpy(name, data):
    dtype = data.draw(st.sampled_from(REDUCTIONS[name]), label="dtype")
    min_side = 1 if name in ("min", "max", "mean") else 0  # no identity / NaN warning on empty axes
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=min_side, max_side=6), label="shape")
    if dtype.startswith("float"):
        lo, hi = (-2.0, 2.0) if name == "prod" else (-1e3, 1e3)
        elems = elements(dtype, lo=lo, hi=hi, specials=name in ("min", "max"))
    else:
        elems = elements(dtype)
    x = data.draw(xps.arrays(dtype, shape, elements=elems), label="x")
    layout = data.draw(st.sampled_from(LAYOUTS), label="layout")
    axis, keepdims = axis_and_keepdims(data, len(shape))
    xl, xn = with_layout(layout, x)
    got = getattr(lz, name)(xl, axis=axis, keepdims=keepdims)
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(xn, axis=axis, keepdims=keepdims)
    expected = np.asarray(expected)
    what = f"{name}({dtype}, axis={axis}, keepdims={keepdims}, {layout})"
    if np.dtype(dtype).kind == "f" and name in ("sum", "prod", "mean"):
        # summation order may differ: error bound grows with the number of terms
        n = max(reduced_length(shape, axis), 1)
        g = np.asarray(got)
        assert str(got.dtype) == expected.dtype.name and g.shape == expected.shape, what
        eps = np.finfo(dtype).eps
        if name == "prod":
            np.testing.assert_allclose(g, expected, rtol=4 * n * eps, atol=0, err_msg=what)
        else:
            scale = np.asarray(getattr(np, "sum" if name == "sum" else "mean")(np.abs(xn.astype(np.float64)), axis=axis, keepdims=keepdims))
            assert np.all(np.abs(g.astype(np.float64) - expected) <= 4 * n * eps * scale + 4 * eps), what
    else:
        # which zero min/max return for [-0.0, 0.0] is unspecified
        assert_matches(got, expected, what=what, signed_zeros=name not in ("min", "max"))


@pytest.mark.parametrize(
    "src,dtype,expected",
    [("int8", None, "int64"), ("uint16", None, "uint64"), ("float32", None, "float32"),
     ("int32", "float64", "float64"), ("uint8", "uint8", "uint8")],
)
def test_sum_prod_dtype_rules(src, dtype, expected):
    x = lz.asarray(np.arange(1, 7, dtype=src))
    kw = {} if dtype is None else {"dtype": getattr(lz, dtype)}
    for name in ("sum", "prod"):
        r = getattr(lz, name)(x, **kw)
        assert r.dtype == getattr(lz, expected), (name, r.dtype)
        want = getattr(np, name)(np.arange(1, 7, dtype=src), dtype=expected)
        assert float(r) == float(want)


@given(data=st.data())
def test_reshape_permute_flip_squeeze_expand(data):
    dtype = data.draw(st.sampled_from(["bool", "int16", "float64"]))
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)))
    layout = data.draw(st.sampled_from(LAYOUTS))
    xl, xn = with_layout(layout, x)
    n = x.size
    new_shape = data.draw(st.sampled_from([(n,), (-1,), (1, n), (n, 1, -1)]))
    assert_matches(lz.reshape(xl, new_shape), np.reshape(xn, new_shape), what="reshape")
    perm = tuple(data.draw(st.permutations(range(x.ndim))))
    assert_matches(lz.permute_dims(xl, perm), np.transpose(xn, perm), what="permute_dims")
    axis = data.draw(st.one_of(st.none(), xps.valid_tuple_axes(x.ndim, min_size=1)))
    assert_matches(lz.flip(xl, axis=axis), np.flip(xn, axis=axis), what="flip")
    ones = tuple(i for i, s in enumerate(x.shape) if s == 1)
    if ones:
        assert_matches(lz.squeeze(xl, ones), np.squeeze(xn, ones), what="squeeze")
    ax = data.draw(st.integers(-x.ndim - 1, x.ndim))
    assert_matches(lz.expand_dims(xl, axis=ax), np.expand_dims(xn, ax), what="expand_dims")
    target = data.draw(st.sampled_from([(2,) + x.shape, (3, 1) + x.shape]))
    assert_matches(lz.broadcast_to(xl, target), np.broadcast_to(xn, target), what="broadcast_to")
    if x.ndim >= 2:
        assert_matches(lz.matrix_transpose(xl), np.swapaxes(xn, -1, -2), what="matrix_transpose")


@given(data=st.data())
def test_getitem_matches_numpy(data):
    dtype = data.draw(st.sampled_from(["int32", "float32", "bool"]))
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)))
    key = data.draw(xps.indices(shape, allow_newaxis=True, allow_ellipsis=True), label="key")
    layout = data.draw(st.sampled_from(LAYOUTS))
    xl, xn = with_layout(layout, x)
    assert_matches(xl[key], xn[key], what=f"getitem {key!r}")


def test_getitem_errors():
    x = lz.reshape(lz.arange(6), (2, 3))
    with pytest.raises(IndexError):
        x[2]
    with pytest.raises(IndexError):
        x[0, 0, 0]
    assert x[True].shape == (1, 2, 3)  # a 0-d boolean index (see test_indexing.py)
    with pytest.raises(IndexError):
        x["a"]
    with pytest.raises(ValueError):
        x[::0]
    assert int(x[lz.asarray(1), -1]) == 5
