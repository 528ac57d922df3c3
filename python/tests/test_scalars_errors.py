"""Python scalars with operators (the standard's weak-scalar rules), in-place operators, error types."""

import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
from _support import BINARY, UNARY, assert_matches, elements, xps

ARITH = [operator.add, operator.sub, operator.mul]


def scalar_allowed(dtype, value):
    """The standard's rule: bool scalars with bool arrays, ints with integer and float arrays (in
    range for integer dtypes), floats with float arrays."""
    kind = np.dtype(dtype).kind
    if isinstance(value, bool):
        return kind == "b"
    if isinstance(value, int):
        if kind in "iu":
            info = np.iinfo(dtype)
            return info.min <= value <= info.max
        return kind == "f"
    if isinstance(value, float):
        return kind == "f"
    return False


@given(data=st.data())
def test_arithmetic_with_python_scalars(data):
    dtype = data.draw(st.sampled_from(["int8", "int64", "uint8", "uint32", "float32", "float64"]))
    x = data.draw(xps.arrays(dtype, xps.array_shapes(min_dims=0, max_dims=2, max_side=4), elements=elements(dtype, lo=-100, hi=100)))
    value = data.draw(st.one_of(st.integers(-300, 300), st.floats(-1e3, 1e3, allow_nan=False), st.booleans()))
    op = data.draw(st.sampled_from(ARITH))
    reflected = data.draw(st.booleans())
    xl = lz.asarray(x)
    call = (lambda a, b: op(b, a)) if reflected else op
    if not scalar_allowed(dtype, value) or (np.dtype(dtype).kind == "b"):
        if isinstance(value, int) and not isinstance(value, bool) and np.dtype(dtype).kind in "iu":
            with pytest.raises(OverflowError):
                call(xl, value)
        else:
            with pytest.raises(TypeError):
                call(xl, value)
        return
    with np.errstate(all="ignore"):
        expected = call(x, np.asarray(value, dtype=dtype))
    assert_matches(call(xl, value), expected, what=f"{op.__name__}({dtype}, {value!r}, reflected={reflected})")


def test_spec_examples_for_scalars():
    with pytest.raises(TypeError):
        lz.asarray([1, 2], dtype=lz.int32) + 1.5
    big = lz.asarray([1.0], dtype=lz.float32) + 1e64
    assert big.dtype == lz.float32 and float(big[0]) == float("inf")
    with pytest.raises(TypeError):
        lz.asarray([True]) + 1
    assert (lz.asarray([True]) & True).dtype == lz.bool
    assert (2 ** lz.asarray([3.0])).dtype == lz.float64
    assert float((2 ** lz.asarray([3.0]))[0]) == 8.0
    assert (lz.asarray([1], dtype=lz.uint8) < 2).dtype == lz.bool
    with pytest.raises(OverflowError):
        lz.asarray([1], dtype=lz.uint8) + 256
    assert lz.add(1, lz.asarray([2.0])).dtype == lz.float64
    with pytest.raises(TypeError, match="add"):
        lz.add(1, 2)


def test_in_place_operators_write_into_x_and_keep_dtype_and_shape():
    x = lz.asarray([1, 2, 3], dtype=lz.int16)
    original = x
    before = x * 1
    x += 1
    assert x is original and x.dtype == lz.int16  # NumPy's semantics: x itself changes
    assert np.array_equal(np.asarray(x), [2, 3, 4])
    assert np.array_equal(np.asarray(before), [1, 2, 3])  # built before the write: old values
    x *= lz.asarray([2, 2, 2], dtype=lz.int8)  # int8 promotes to int16: allowed
    assert x.dtype == lz.int16 and np.array_equal(np.asarray(x), [4, 6, 8])
    with pytest.raises(TypeError, match="dtype"):
        x += lz.asarray([1, 1, 1], dtype=lz.int32)
    with pytest.raises(TypeError):
        x /= 2
    with pytest.raises(ValueError, match="shape"):
        x += lz.ones((2, 3), dtype=lz.int16)
    f = lz.asarray([1.0, 4.0])
    f /= 2
    f **= 2
    f -= lz.asarray(0.25)
    assert np.array_equal(np.asarray(f), [0.0, 3.75])
    b = lz.asarray([True, False])
    b |= True
    b ^= lz.asarray([True, True])
    assert np.array_equal(np.asarray(b), [False, False])
    i = lz.asarray([8], dtype=lz.uint8)
    i >>= 1
    i <<= 2
    i //= 3
    i %= 4
    i &= 7
    assert i.dtype == lz.uint8 and int(i[0]) == (((8 >> 1) << 2) // 3) % 4 & 7


def test_operators_with_unsupported_objects():
    x = lz.asarray([1.0])
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x + [1.0]
    assert (x == "a") is False


def _bad_dtype(accepted):
    for name in ["bool", "int32", "float32", "uint8"]:
        if name not in accepted:
            return name
    return None


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_rejects_dtypes_naming_the_function(name):
    bad = _bad_dtype(UNARY[name])
    x = lz.astype(lz.asarray([1, 0]), getattr(lz, bad))
    with pytest.raises(TypeError, match=name):
        getattr(lz, name)(x)
    with pytest.raises(TypeError, match=name):
        getattr(lz, name)(np.zeros(2))  # not a lazulite array


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_errors_name_the_function(name):
    bad = _bad_dtype(BINARY[name])
    if bad is not None:
        x = lz.astype(lz.asarray([1, 0]), getattr(lz, bad))
        with pytest.raises(TypeError, match=name):
            getattr(lz, name)(x, x)
    good = getattr(lz, BINARY[name][0])
    a = lz.astype(lz.zeros((2, 3)), good)
    b = lz.astype(lz.zeros((4,)), good)
    with pytest.raises(ValueError, match=name):
        getattr(lz, name)(a, b)
    with pytest.raises(TypeError, match=name):
        getattr(lz, name)(a, "x")


def test_mixed_kind_promotion_is_a_type_error():
    with pytest.raises(TypeError, match="add"):
        lz.asarray([1], dtype=lz.int32) + lz.asarray([1.0], dtype=lz.float32)
    with pytest.raises(TypeError, match="multiply"):
        lz.multiply(lz.asarray([True]), lz.asarray([1]))


@pytest.mark.parametrize("name", ["sum", "prod", "min", "max", "mean", "any", "all", "flip"])
def test_bad_axis_is_an_index_error_naming_the_function(name):
    x = lz.zeros((2, 3), dtype=lz.bool if name in ("any", "all") else lz.float64)
    with pytest.raises(IndexError, match=name):
        getattr(lz, name)(x, axis=2)
    with pytest.raises(IndexError, match=name):
        getattr(lz, name)(x, axis=(0, -3))


def test_movement_errors():
    x = lz.zeros((2, 3))
    with pytest.raises(ValueError, match="reshape"):
        lz.reshape(x, (4, 2))
    with pytest.raises(ValueError, match="broadcast_to"):
        lz.broadcast_to(x, (3, 3))
    with pytest.raises(IndexError, match="permute_dims"):
        lz.permute_dims(x, (0, 5))
    with pytest.raises((ValueError, IndexError), match="squeeze"):
        lz.squeeze(x, 0)
    with pytest.raises(TypeError, match="zeros"):
        lz.zeros((2,), dtype=float)
    with pytest.raises(ValueError, match="zeros"):
        lz.zeros((-1,))
    with pytest.raises(TypeError, match="full"):
        lz.full((2,), "x")
    with pytest.raises(TypeError, match="sum"):
        lz.sum(lz.asarray([True]))  # the standard's sum takes numeric dtypes


def test_creation_functions_match_numpy():
    assert_matches(lz.zeros((2, 3)), np.zeros((2, 3)))
    assert_matches(lz.ones(4, dtype=lz.int8), np.ones(4, dtype=np.int8))
    assert_matches(lz.full((2,), 7), np.full((2,), 7))
    assert_matches(lz.full((2,), 1.5, dtype=lz.float32), np.full((2,), 1.5, dtype=np.float32))
    assert_matches(lz.full((), True), np.full((), True))
    assert_matches(lz.arange(5), np.arange(5))
    assert_matches(lz.arange(1, 10, 3), np.arange(1, 10, 3))
    assert_matches(lz.arange(0.0, 1.0, 0.25), np.arange(0.0, 1.0, 0.25))
    assert_matches(lz.arange(10, 0, -2, dtype=lz.int16), np.arange(10, 0, -2, dtype=np.int16))
    x = lz.asarray([[1, 2]], dtype=lz.uint16)
    assert_matches(lz.zeros_like(x), np.zeros((1, 2), dtype=np.uint16))
    assert_matches(lz.ones_like(x, dtype=lz.float32), np.ones((1, 2), dtype=np.float32))
    assert_matches(lz.full_like(x, 9), np.full((1, 2), 9, dtype=np.uint16))
    assert lz.empty((3,)).shape == (3,) and lz.empty_like(x).dtype == lz.uint16


def test_explain_and_compute_many():
    x = lz.asarray(np.arange(8.0))
    y = lz.sin(x) + 1
    z = y * 2
    plan = lz.explain(y, z)
    assert isinstance(plan, str) and "kernel" in plan
    assert repr(plan) == str(plan)
    ry, rz = lz.compute_many(y, z)
    assert ry.is_computed and rz.is_computed
    assert_matches(rz, (np.sin(np.arange(8.0)) + 1) * 2)
    with pytest.raises(TypeError, match="compute_many"):
        lz.compute_many(y, 3)
