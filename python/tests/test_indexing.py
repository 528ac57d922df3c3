"""Integer-array and boolean-mask indexing, __setitem__, nonzero and unique_*, against NumPy; the
data-dependent-shapes switch."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
from _support import LAYOUTS, assert_matches, with_layout


def cube(dtype="int64"):
    return np.arange(24).reshape(2, 3, 4).astype(dtype)


def as_key(key):
    """The same key with NumPy index arrays turned into lazulite arrays."""
    conv = lambda k: lz.asarray(k) if isinstance(k, np.ndarray) else k  # noqa: E731
    return tuple(conv(k) for k in key) if isinstance(key, tuple) else conv(key)


KEYS = [
    np.array([1, 0, 1]),
    (np.array([[1], [-2]]), np.array([0, 2, -1]), 3),
    (slice(None), np.array([2, 0, -1, 1]).reshape(2, 2)),
    (np.array([1, 0]), slice(None), np.array([3, -4])),  # separated: index dims first
    (None, slice(None, None, -1), -1, np.array([0, 3])),
    (Ellipsis, np.array([1], dtype=np.int8)),
    (1, np.array([2, 0]), slice(1, 3)),
    (np.array(1), np.array([0, 1])),
    np.array([True, False]),
    np.array([[True, False, True], [False, False, True]]),
    (Ellipsis, np.array([False, True, True, False])),
    (slice(None), np.array([True, False, True])),
    np.zeros((2, 3, 4), dtype=bool),
    True,
    False,
]


@pytest.mark.parametrize("key", KEYS, ids=range(len(KEYS)))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_array_indexing_matches_numpy(key, layout):
    xl, xn = with_layout(layout, cube("float32"))
    assert_matches(xl[as_key(key)], xn[key], what=f"getitem {key!r}")


@given(data=st.data())
def test_random_integer_array_indexing(data):
    shape = data.draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), label="shape")
    xn = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    k = data.draw(st.integers(1, len(shape)), label="k")
    bshape = data.draw(st.lists(st.integers(0, 3), max_size=2).map(tuple), label="bshape")
    key = tuple(
        np.array(data.draw(st.lists(st.integers(-n, n - 1), min_size=int(np.prod(bshape)), max_size=int(np.prod(bshape))), label=f"idx{i}"), dtype=np.int64).reshape(bshape)
        for i, n in enumerate(shape[:k])
    )
    assert_matches(lz.asarray(xn)[as_key(key)], xn[key], what=f"{key!r}")


def test_index_errors():
    x = lz.asarray(cube())
    with pytest.raises(IndexError):
        x[lz.asarray([0, 2])]  # axis 0 has size 2
    with pytest.raises(IndexError):
        x[lz.asarray([0.0])]
    with pytest.raises(IndexError):
        x[lz.asarray([0, 1]), lz.asarray([0, 1, 2])]  # do not broadcast
    with pytest.raises(IndexError):
        x[lz.asarray([True, False, True])]  # wrong extent
    # computed indices are checked when the graph runs
    lazy = lz.asarray([0, 5]) + 0
    y = x[:, lazy]
    with pytest.raises(IndexError):
        y.compute()


SET_CASES = [
    (1, 7),
    ((0, slice(1, None)), -1),
    ((Ellipsis, None, slice(None, None, 3)), np.array([[-1, -2]])),
    ((np.array([0, -1]), np.array([2, 0])), np.array([[5], [6]], dtype=np.int8)),
    (np.array([[False, True, True], [False, True, False]]), 0),
    (np.array([[False, True, True], [False, True, False]]), np.arange(12).reshape(3, 4) * 10),
    ((slice(None), np.array([1, 1])), np.array([8, 9, 10, 11])),
    ((), 3),
    (np.array([1, 1]), np.zeros((2, 3, 4), dtype=np.int16)),
]


@pytest.mark.parametrize("key,value", SET_CASES, ids=range(len(SET_CASES)))
def test_setitem_matches_numpy(key, value):
    xn = cube()
    x = lz.asarray(xn)
    before = x
    derived = x + 0
    x[as_key(key)] = lz.asarray(value) if isinstance(value, np.ndarray) else value
    xn = xn.copy()
    xn[key] = value
    assert_matches(x, xn, what=f"setitem {key!r}")
    # functional update: other references keep the old value
    assert_matches(derived, cube(), what="derived")
    assert before is x  # the same Python object, rebound
    # and the update chains
    x[0, 0, 0] = 100
    xn[0, 0, 0] = 100
    assert_matches(x, xn, what="chained")


def test_setitem_promotion_rules():
    x = lz.asarray(np.zeros(4, dtype=np.int32))
    with pytest.raises(TypeError):
        x[0] = 1.5
    with pytest.raises(TypeError):
        x[0] = lz.asarray([1], dtype=lz.int64)  # would promote int32 to int64
    with pytest.raises(TypeError):
        x[0] = lz.asarray([1.0])
    with pytest.raises(OverflowError):
        lz.asarray(np.zeros(2, dtype=np.uint8))[0] = 300
    with pytest.raises(ValueError):
        x[:2] = lz.asarray([1, 2, 3], dtype=lz.int32)
    x[1] = lz.asarray(5, dtype=lz.int8)  # int8 -> int32 keeps x's dtype
    f = lz.asarray(np.zeros(3, dtype=np.float64))
    f[0] = 2  # an int scalar into a float array
    f[1] = lz.asarray(0.5, dtype=lz.float32)
    f[2] = float("nan")
    assert_matches(f, np.array([2.0, 0.5, np.nan]), what="float setitem")
    c = lz.asarray(np.zeros(2, dtype=np.complex64))
    c[0] = 1 + 2j
    assert_matches(c, np.array([1 + 2j, 0], dtype=np.complex64), what="complex setitem")
    b = lz.asarray(np.zeros(2, dtype=bool))
    b[1] = True
    with pytest.raises(TypeError):
        b[0] = 1
    assert_matches(b, np.array([False, True]), what="bool setitem")
    assert_matches(x, np.array([0, 5, 0, 0], dtype=np.int32), what="x")


VALUES = np.array([0.0, 2.0, np.nan, 2.0, -0.0, np.nan, 1.0, 0.0, np.inf]).reshape(3, 3)


def test_nonzero_matches_numpy():
    for xn in [VALUES, VALUES > 1, np.arange(5, dtype=np.uint8) % 2, np.zeros((2, 0))]:
        got = lz.nonzero(lz.asarray(xn))
        want = np.nonzero(xn)
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_matches(g, w.astype(np.int64), what="nonzero")
    with pytest.raises(ValueError):
        lz.nonzero(lz.asarray(1.0))


def test_unique_matches_numpy_with_distinct_nans():
    x = lz.asarray(VALUES)
    vals, idx, inv, counts = np.unique(VALUES, return_index=True, return_inverse=True, return_counts=True, equal_nan=False)
    r = lz.unique_all(x)
    assert type(r).__name__ == "UniqueAllResult"
    assert r._fields == ("values", "indices", "inverse_indices", "counts")
    assert_matches(r.values, vals, what="values")
    assert_matches(r.indices, idx.astype(np.int64), what="indices")
    assert_matches(r.counts, counts.astype(np.int64), what="counts")
    assert_matches(r.inverse_indices, inv.reshape(VALUES.shape).astype(np.int64), what="inverse")
    c = lz.unique_counts(x)
    assert c._fields == ("values", "counts")
    assert_matches(c.counts, counts.astype(np.int64), what="counts")
    i = lz.unique_inverse(x)
    assert i._fields == ("values", "inverse_indices")
    assert_matches(lz.unique_values(x), vals, what="unique_values")
    ints = np.array([[3, 1], [3, -2]], dtype=np.int16)
    assert_matches(lz.unique_values(lz.asarray(ints)), np.unique(ints), what="ints")


def test_data_dependent_switch():
    x = lz.asarray(cube())
    mask = lz.asarray(cube() > 5)
    old = lz.set_data_dependent_shapes(False)
    try:
        for f in [lambda: x[mask], lambda: lz.nonzero(x), lambda: lz.unique_values(x), lambda: lz.unique_all(x)]:
            with pytest.raises(RuntimeError, match="set_data_dependent_shapes"):
                f()
        with pytest.raises(RuntimeError, match="set_data_dependent_shapes"):
            x[mask] = 0
        # integer arrays and 0-d booleans have known shapes: still available
        assert x[lz.asarray([1, 0])].shape == (2, 3, 4)
        assert x[True].shape == (1, 2, 3, 4)
    finally:
        lz.set_data_dependent_shapes(old)
    assert x[mask].shape == (18,)


def test_asarray_without_copy_is_the_same_array_and_sees_setitem():
    x = lz.asarray([1, 2, 3], dtype=lz.uint8)
    y = lz.asarray(x, copy=False)
    z = lz.asarray(x)
    c = lz.asarray(x, copy=True)
    assert y is x and z is x and c is not x
    x[0] = 7
    assert int(y[0]) == 7 and int(z[0]) == 7  # the same array: the update shows through
    assert int(c[0]) == 1  # a copy keeps the old value
    cast = lz.asarray(x, dtype=lz.int16)
    assert cast is not x and cast.dtype == lz.int16
    with pytest.raises(ValueError):
        lz.asarray(x, dtype=lz.int16, copy=False)
