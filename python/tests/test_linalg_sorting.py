"""matmul (and @), tensordot, vecdot, sort, argsort, argmax, argmin, searchsorted, take,
take_along_axis against NumPy (values, dtypes, shapes) and their errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import lazulite as lz
from _support import INTEGER, LAYOUTS, REAL_FLOAT, REAL_NUMERIC, assert_matches, elements, with_layout, xps

PRODUCT = ["int8", "int32", "int64", "uint8", "float32", "float64", "complex64", "complex128"]


def small(dtype):
    if dtype.startswith("complex"):
        return None  # Hypothesis' default complex elements are bounded below
    return elements(dtype, lo=-8, hi=8, specials=False)


def close_product(got, expected, what):
    e = np.asarray(expected)
    g = np.asarray(got)
    assert str(got.dtype) == e.dtype.name and g.shape == e.shape, f"{what}: {got.dtype}{g.shape} vs {e.dtype}{e.shape}"
    if e.dtype.kind in "fc":
        tol = 1e-4 if e.dtype.itemsize * (2 if e.dtype.kind == "f" else 1) <= 8 else 1e-10
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol, err_msg=what)
    else:
        assert np.array_equal(g, e), what  # integer products wrap like NumPy


def complex_elements(dtype):
    width = 64 if dtype == "complex64" else 128
    part = st.floats(-8, 8, width=width // 2)
    return st.builds(complex, part, part)


def draw_product_array(data, dtype, shape, label):
    el = complex_elements(dtype) if dtype.startswith("complex") else small(dtype)
    return data.draw(xps.arrays(dtype, shape, elements=el), label=label)


@given(data=st.data())
def test_matmul_matches_numpy(data):
    dtype = data.draw(st.sampled_from(PRODUCT), label="dtype")
    m, k, n = (data.draw(st.integers(0, 5), label=s) for s in "mkn")
    batch = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), label="batch")
    s1 = data.draw(st.sampled_from([(k,), batch + (m, k)]), label="s1")
    s2 = data.draw(st.sampled_from([(k,), (k, n)]), label="s2")
    a = draw_product_array(data, dtype, s1, "a")
    b = draw_product_array(data, dtype, s2, "b")
    al, an = with_layout(data.draw(st.sampled_from(LAYOUTS), label="layout"), a)
    expected = np.matmul(an, b)
    close_product(lz.matmul(al, lz.asarray(b)), expected, "matmul")
    close_product(al @ lz.asarray(b), expected, "@")


def test_matmul_operators_and_errors():
    a = lz.reshape(lz.arange(6, dtype=lz.float32), (2, 3))
    b = lz.ones((3, 3), dtype=lz.float32)
    y = a
    want = np.asarray(a) @ np.ones((3, 3), np.float32)
    y @= b  # keeps dtype and shape: writes into y (NumPy's semantics: a is the same array)
    assert y is a and y.shape == (2, 3)
    assert np.array_equal(np.asarray(y), want)
    with pytest.raises(ValueError):
        y @= a  # (2, 3) @ (2, 3) does not contract
    z = a
    with pytest.raises(ValueError):
        z @= lz.ones((3, 2), dtype=lz.float32)  # would change the shape of z
    with pytest.raises(TypeError):
        a @ 2  # @ is defined for arrays only
    with pytest.raises(TypeError):
        2 @ a
    with pytest.raises(ValueError):
        lz.matmul(lz.ones(()), lz.ones(3))
    with pytest.raises(ValueError):
        lz.matmul(lz.ones((2, 3)), lz.ones((2, 3)))
    with pytest.raises(TypeError):
        lz.matmul(lz.ones(2, dtype=lz.bool), lz.ones(2, dtype=lz.bool))
    with pytest.raises(TypeError):
        lz.matmul(lz.ones(2, dtype=lz.int8), lz.ones(2, dtype=lz.float32))
    with pytest.raises(TypeError):
        lz.matmul(np.ones(2), lz.ones(2))


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "int32"])
def test_matmul_transposed_strided_and_batch_broadcast_operands(dtype):
    # Sizes past the small-product path: gemm reads transposed and strided operands through their
    # strides, a batch of small products runs across the pool, batch axes broadcast both ways.
    rng = np.random.default_rng(11)

    def make(shape):
        x = rng.integers(-8, 8, size=shape)
        if dtype.startswith("complex"):
            x = x + 1j * rng.integers(-8, 8, size=shape)
        return x.astype(dtype)

    a, b, c = make((130, 70)), make((130, 90)), make((90, 70))
    close_product(lz.asarray(a).mT @ lz.asarray(b)[:, ::3], a.T @ b[:, ::3], "transposed, strided")
    close_product(lz.asarray(a)[::-2] @ lz.asarray(c).mT, a[::-2] @ c.T, "negative row stride")
    x, y = make((4, 1, 9, 13)), make((3, 13, 7))
    close_product(lz.matmul(lz.asarray(x), lz.asarray(y)), np.matmul(x, y), "batch broadcast")
    close_product(lz.matmul(lz.asarray(y).mT, lz.asarray(x).mT), np.matmul(y.mT, x.mT), "batch transposed")
    for shape_a, shape_b in [((64, 1, 5), (64, 5, 1)), ((0, 4, 5), (5, 6)), ((1, 1), (1, 1)), ((3, 0), (0, 2))]:
        p, q = make(shape_a), make(shape_b)
        close_product(lz.asarray(p) @ lz.asarray(q), p @ q, f"{shape_a} @ {shape_b}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_batch_of_256_products_one_per_task(dtype):
    # 256^3 multiply-adds per product: the largest size a batch runs one product per pool task
    # (each task a one-thread gemm); a product per batch entry, transposed operands included.
    rng = np.random.default_rng(12)
    a, b = (rng.integers(-8, 8, size=(3, 256, 256)).astype(dtype) for _ in range(2))
    close_product(lz.asarray(a) @ lz.asarray(b), a @ b, "batch of 3 x 256^2")
    close_product(lz.asarray(a).mT @ lz.asarray(b), a.mT @ b, "batch, transposed left")


@given(data=st.data())
def test_tensordot_matches_numpy(data):
    dtype = data.draw(st.sampled_from(PRODUCT), label="dtype")
    shared = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3), label="shared")
    left = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), label="left")
    right = data.draw(xps.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3), label="right")
    a = draw_product_array(data, dtype, left + shared, "a")
    b = draw_product_array(data, dtype, shared + right, "b")
    if data.draw(st.booleans(), label="pairs"):
        c = len(shared)
        axes = (list(range(len(left), len(left) + c)), list(range(c)))
        if c and data.draw(st.booleans(), label="negative"):
            axes = ([ax - a.ndim for ax in axes[0]], axes[1])
        axes = tuple(axes)
    else:
        axes = len(shared)
    close_product(lz.tensordot(lz.asarray(a), lz.asarray(b), axes=axes), np.tensordot(a, b, axes=axes), f"tensordot(axes={axes})")


@given(data=st.data())
def test_vecdot_matches_numpy(data):
    dtype = data.draw(st.sampled_from(PRODUCT), label="dtype")
    shapes = data.draw(xps.mutually_broadcastable_shapes(2, min_dims=1, max_dims=3, min_side=1, max_side=4), label="shapes")
    s1, s2 = shapes.input_shapes
    axis = data.draw(st.integers(-min(len(s1), len(s2)), -1), label="axis")
    k = data.draw(st.integers(0, 4), label="k")
    s1 = s1[: len(s1) + axis] + (k,) + (s1[len(s1) + axis + 1 :])
    s2 = s2[: len(s2) + axis] + (k,) + (s2[len(s2) + axis + 1 :])
    assume(len(np.broadcast_shapes(s1, s2)) == max(len(s1), len(s2)))
    a = draw_product_array(data, dtype, s1, "a")
    b = draw_product_array(data, dtype, s2, "b")
    expected = np.vecdot(a, b, axis=axis)  # conjugates a for complex, as the spec says
    close_product(lz.vecdot(lz.asarray(a), lz.asarray(b), axis=axis), expected, f"vecdot(axis={axis})")


def test_tensordot_vecdot_errors():
    with pytest.raises(ValueError):
        lz.tensordot(lz.ones((2, 3)), lz.ones((2, 3)), axes=1)
    with pytest.raises(ValueError):
        lz.tensordot(lz.ones((2, 3)), lz.ones((3, 2)), axes=-1)
    with pytest.raises(TypeError):
        lz.tensordot(lz.ones(2), lz.ones(2), axes=(0, 0, 0))
    with pytest.raises(TypeError):
        lz.tensordot(lz.ones(2), lz.ones(2), 1)  # axes is keyword-only
    with pytest.raises(ValueError):
        lz.vecdot(lz.ones((2, 3)), lz.ones((2, 4)))
    with pytest.raises(ValueError):
        lz.vecdot(lz.ones(3), lz.ones(3), axis=0)  # the standard allows negative axes only


@pytest.mark.parametrize("name", ["sort", "argsort"])
@given(data=st.data())
def test_sort_argsort_match_numpy(name, data):
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6), label="shape")
    el = elements(dtype, lo=-5, hi=5)  # few distinct values: ties exercise stability
    x = data.draw(xps.arrays(dtype, shape, elements=el), label="x")
    xl, xn = with_layout(data.draw(st.sampled_from(LAYOUTS), label="layout"), x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    descending = data.draw(st.booleans(), label="descending")
    got = getattr(lz, name)(xl, axis=axis, descending=descending, stable=True)
    if descending:
        # stable descending order: ties keep their original order (as array_api_strict does)
        flipped = np.flip(xn, axis=axis)
        idx = np.flip(np.argsort(flipped, axis=axis, stable=True), axis=axis)
        idx = xn.shape[axis] - 1 - idx
    else:
        idx = np.argsort(xn, axis=axis, stable=True)
    expected = idx if name == "argsort" else np.take_along_axis(xn, idx, axis=axis)
    assert_matches(got, expected.astype("int64") if name == "argsort" else expected, what=f"{name}(axis={axis}, descending={descending})")


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
def test_argmax_argmin_match_numpy(name, data):
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype, lo=-5, hi=5, specials=False)), label="x")
    axis = data.draw(st.none() if x.ndim == 0 else st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1)), label="axis")
    keepdims = data.draw(st.booleans(), label="keepdims")
    got = getattr(lz, name)(lz.asarray(x), axis=axis, keepdims=keepdims)
    expected = np.asarray(getattr(np, name)(x, axis=axis, keepdims=keepdims)).astype("int64")
    assert_matches(got, expected, what=f"{name}(axis={axis}, keepdims={keepdims})")


@given(data=st.data())
def test_searchsorted_matches_numpy(data):
    dtype = data.draw(st.sampled_from(INTEGER + REAL_FLOAT), label="dtype")
    n = data.draw(st.integers(0, 8), label="n")
    x1 = np.sort(data.draw(xps.arrays(dtype, (n,), elements=elements(dtype, lo=-10, hi=10, specials=False)), label="x1"))
    x2 = data.draw(xps.arrays(dtype, xps.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4), elements=elements(dtype, lo=-12, hi=12, specials=False)), label="x2")
    side = data.draw(st.sampled_from(["left", "right"]), label="side")
    expected = np.searchsorted(x1, x2, side=side).astype("int64")
    assert_matches(lz.searchsorted(lz.asarray(x1), lz.asarray(x2), side=side), expected, what=f"searchsorted({side})")
    # with a sorter: x1 unsorted, sorter its argsort
    perm = data.draw(st.permutations(range(n)), label="perm")
    shuffled = x1[list(perm)] if n else x1
    sorter = np.argsort(shuffled, stable=True)
    got = lz.searchsorted(lz.asarray(shuffled), lz.asarray(x2), side=side, sorter=lz.asarray(sorter))
    assert_matches(got, expected, what="searchsorted(sorter)")


def test_searching_errors():
    with pytest.raises(ValueError):
        lz.argmax(lz.ones(0))
    with pytest.raises(IndexError):
        lz.argmin(lz.ones((2, 2)), axis=2)
    with pytest.raises(TypeError):
        lz.argmax(lz.ones((2, 2)), axis=(0, 1))  # one axis or None
    with pytest.raises(ValueError):
        lz.searchsorted(lz.ones(3), lz.ones(2), side="middle")
    with pytest.raises(ValueError):
        lz.searchsorted(lz.ones((2, 2)), lz.ones(2))  # x1 is 1-D
    with pytest.raises(IndexError):
        lz.sort(lz.ones(3), axis=1)
    with pytest.raises(TypeError):
        lz.sort(lz.ones(3), -1)  # axis is keyword-only


@given(data=st.data())
def test_take_matches_numpy(data):
    dtype = data.draw(st.sampled_from(["bool"] + REAL_NUMERIC), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)), label="x")
    axis = data.draw(st.none() if x.ndim == 1 and data.draw(st.booleans(), label="none") else st.integers(-x.ndim, x.ndim - 1), label="axis")
    n = x.size if axis is None else x.shape[axis]
    idx_dtype = data.draw(st.sampled_from(["int8", "int32", "int64", "uint16"]), label="idx dtype")
    lo = 0 if idx_dtype.startswith("u") else -n
    indices = data.draw(xps.arrays(idx_dtype, st.integers(0, 6).map(lambda s: (s,)), elements=st.integers(lo, n - 1)), label="indices")
    xl, xn = with_layout(data.draw(st.sampled_from(LAYOUTS), label="layout"), x)
    assert_matches(lz.take(xl, lz.asarray(indices), axis=axis), np.take(xn, indices, axis=axis), what=f"take(axis={axis})")


@given(data=st.data())
def test_take_along_axis_matches_numpy(data):
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)), label="x")
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    ishape = list(shape)
    ishape[axis] = data.draw(st.integers(0, 5), label="k")
    indices = data.draw(xps.arrays("int64", tuple(ishape), elements=st.integers(-shape[axis], shape[axis] - 1)), label="indices")
    got = lz.take_along_axis(lz.asarray(x), lz.asarray(indices), axis=axis)
    assert_matches(got, np.take_along_axis(x, indices, axis=axis), what=f"take_along_axis(axis={axis})")


def test_take_errors():
    x = lz.ones((2, 3))
    with pytest.raises(TypeError):
        lz.take(x, lz.asarray([0.0]), axis=0)  # integer indices
    with pytest.raises(ValueError):
        lz.take(x, lz.asarray([[0]]), axis=0)  # 1-D indices
    with pytest.raises(ValueError):
        lz.take(x, lz.asarray([0]))  # axis may be omitted for 1-D x only
    with pytest.raises(TypeError):
        lz.take(x, [0], axis=0)  # indices is an array
    with pytest.raises(ValueError):
        lz.take_along_axis(x, lz.asarray([0]), axis=0)
