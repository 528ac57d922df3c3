"""linspace, eye, meshgrid, tril, triu against NumPy (values, dtypes, shapes) and their errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz
from _support import ANY, REAL_NUMERIC, assert_matches, elements, xps

FLOATS = ["float32", "float64"]
COMPLEX = ["complex64", "complex128"]


@given(
    start=st.one_of(st.integers(-100, 100), st.floats(-1e3, 1e3)),
    stop=st.one_of(st.integers(-100, 100), st.floats(-1e3, 1e3)),
    num=st.integers(0, 40),
    endpoint=st.booleans(),
    dtype=st.sampled_from([None] + FLOATS),
)
def test_linspace_matches_numpy(start, stop, num, endpoint, dtype):
    got = lz.linspace(start, stop, num, endpoint=endpoint, dtype=None if dtype is None else getattr(lz, dtype))
    expected = np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype or "float64")
    assert_matches(got, expected, ulps=0 if dtype != "float32" else 1, what=f"linspace({start}, {stop}, {num})")
    if endpoint and num > 1:  # with one point the interval holds only `start`
        assert float(got[-1]) == np.float64(stop).astype(dtype or "float64")


@given(
    re=st.floats(-100, 100), im=st.floats(-100, 100), num=st.integers(0, 12),
    endpoint=st.booleans(), dtype=st.sampled_from([None] + COMPLEX),
)
def test_complex_linspace_matches_numpy(re, im, num, endpoint, dtype):
    start, stop = complex(re, -im), complex(im, re)
    got = lz.linspace(start, stop, num, endpoint=endpoint, dtype=None if dtype is None else getattr(lz, dtype))
    expected = np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype or "complex128")
    assert str(got.dtype) == expected.dtype.name and got.shape == expected.shape
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6 if dtype == "complex64" else 1e-15)


def test_linspace_defaults_and_errors():
    assert lz.linspace(0, 1, 3).dtype == lz.float64
    assert lz.linspace(0, 1j, 3).dtype == lz.complex128
    assert lz.linspace(0, 10, num=5).shape == (5,)  # num is positional-or-keyword
    with pytest.raises(TypeError):
        lz.linspace(0, 1, 3, dtype=lz.int32)  # integer output is not supported
    with pytest.raises(TypeError):
        lz.linspace(0, 1j, 3, dtype=lz.float64)  # a complex bound needs a complex dtype
    with pytest.raises(TypeError):
        lz.linspace("0", 1, 3)
    with pytest.raises(TypeError):
        lz.linspace(0, 1, 2.5)
    with pytest.raises(ValueError):
        lz.linspace(0, 1, -1)
    with pytest.raises(TypeError):
        lz.linspace(0, 1, 3, False)  # endpoint is keyword-only


@given(
    n=st.integers(0, 8), m=st.one_of(st.none(), st.integers(0, 8)), k=st.integers(-10, 10),
    dtype=st.sampled_from([None] + ANY + COMPLEX),
)
def test_eye_matches_numpy(n, m, k, dtype):
    got = lz.eye(n, m, k=k, dtype=None if dtype is None else getattr(lz, dtype))
    assert_matches(got, np.eye(n, m, k=k, dtype=dtype or "float64"), what=f"eye({n}, {m}, k={k})")


def test_eye_errors():
    with pytest.raises(ValueError):
        lz.eye(-1)
    with pytest.raises(TypeError):
        lz.eye(2.0)
    with pytest.raises(TypeError):
        lz.eye(2, 2, 1)  # k is keyword-only
    with pytest.raises(TypeError):
        lz.eye(2, dtype="float64")


@given(data=st.data())
def test_meshgrid_matches_numpy(data):
    n = data.draw(st.integers(0, 4), label="n")
    dtype = data.draw(st.sampled_from(REAL_NUMERIC), label="dtype")
    xs = [data.draw(xps.arrays(dtype, st.integers(0, 4).map(lambda s: (s,)), elements=elements(dtype)), label=f"x{i}") for i in range(n)]
    indexing = data.draw(st.sampled_from(["xy", "ij"]), label="indexing")
    got = lz.meshgrid(*[lz.asarray(x) for x in xs], indexing=indexing)
    expected = np.meshgrid(*xs, indexing=indexing)
    assert type(got) is tuple and len(got) == len(expected)
    for g, e in zip(got, expected):
        assert_matches(g, e, what=f"meshgrid({indexing})")


def test_meshgrid_errors():
    a = lz.ones(2)
    with pytest.raises(ValueError):
        lz.meshgrid(a, lz.ones(3, dtype=lz.float32))  # one dtype for all inputs
    with pytest.raises(ValueError):
        lz.meshgrid(a, lz.ones((2, 2)))  # inputs are 1-D
    with pytest.raises(ValueError):
        lz.meshgrid(a, indexing="xx")
    with pytest.raises(TypeError):
        lz.meshgrid(np.ones(2))


@pytest.mark.parametrize("name", ["tril", "triu"])
@given(data=st.data())
def test_tril_triu_match_numpy(name, data):
    dtype = data.draw(st.sampled_from(ANY), label="dtype")
    shape = data.draw(xps.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=5), label="shape")
    x = data.draw(xps.arrays(dtype, shape, elements=elements(dtype)), label="x")
    k = data.draw(st.integers(-6, 6), label="k")
    got = getattr(lz, name)(lz.asarray(x), k=k)
    assert_matches(got, getattr(np, name)(x, k=k), what=f"{name}(k={k})")


def test_tril_triu_errors():
    with pytest.raises(ValueError):
        lz.tril(lz.ones(3))
    with pytest.raises(TypeError):
        lz.triu(lz.ones((2, 2)), 1)  # k is keyword-only
    with pytest.raises(TypeError):
        lz.tril(np.ones((2, 2)))
