"""repr/str follow NumPy's printing: the same text as NumPy prints for the same data (NumPy is the
oracle; lazulite's wrapper is ``Array(`` where NumPy's is ``array(``, both six characters, so the
alignment of continuation lines is the same)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import lazulite as lz

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]


def np_repr(a):
    return repr(a).replace("array(", "Array(", 1)


def check(a):
    x = lz.asarray(a)
    assert repr(x) == np_repr(a)
    assert str(x) == str(a)


@st.composite
def arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    if dtype.kind in "fc":
        scale = draw(st.sampled_from([1.0, 1e-6, 1e4, 1e9, 1e-30, 1e30]))
        elements = st.floats(width=64 if dtype.kind == "f" and dtype.itemsize == 8 else 32,
                             allow_subnormal=False) | st.floats(-10, 10).map(lambda v: v * scale)
        if dtype.kind == "c":
            elements = st.builds(complex, elements, elements)
        return draw(hnp.arrays(dtype, shape, elements=elements))
    return draw(hnp.arrays(dtype, shape))


@given(arrays())
def test_repr_and_str_match_numpy(a):
    check(a)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1001,), (40, 30), (3, 400), (2, 3, 200), (7, 7, 7, 7)])
def test_summarised_arrays_match_numpy(dtype, shape):
    rng = np.random.default_rng(0)
    a = (rng.standard_normal(shape) * 100).astype(dtype) if dtype != "bool" else rng.random(shape) < 0.5
    check(a)


@pytest.mark.parametrize("values", [
    [1.0, 2.682941969615793, 2.8185948536513634],
    [0.1, 1.23456789e-5], [1e8, 1.0], [1e-5, 1.0], [1e100, 1.0], [float("nan"), 1.5],
    [float("inf"), -float("inf"), 1e10], [-0.0, 0.0], [1 / 512, 1.0], [], [0.1 + 0.2],
    [float("nan")], [123456789.123, 0.5], list(np.linspace(0, 1, 40)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64", "complex64", "complex128"])
def test_float_cases_match_numpy(values, dtype):
    with np.errstate(over="ignore"):  # 1e100 is inf in float32
        a = np.asarray(values, dtype=dtype)
    check(a)
    check(a * (1 - 2j) if dtype.startswith("complex") else -a)
    check(a.reshape(-1, 1))


@pytest.mark.parametrize("value", [0.1 + 0.2, 1e16, 1e-5, 1234567.0, 1e6, -0.0, float("nan"), -float("inf"),
                                   True, 7, -3, 2j, 1 - 2j, complex(-0.0, -0.0), complex("nan-infj")])
@pytest.mark.parametrize("dtype", [None, "float32", "complex64"])
def test_zero_d_matches_numpy(value, dtype):
    if dtype and isinstance(value, bool):
        return
    if dtype == "float32" and isinstance(value, complex):
        return
    check(np.asarray(value, dtype=dtype))


def test_empty_and_shapes():
    for shape in [(0,), (0, 3), (2, 0, 1)]:
        for dtype in ["float64", "int8", "bool"]:
            check(np.zeros(shape, dtype=dtype))
    assert repr(lz.zeros((0, 3))) == "Array([], shape=(0, 3), dtype=float64)"
    assert repr(lz.asarray([1.0, 2.0])) == "Array([1., 2.])"
    assert repr(lz.asarray([1.0, 2.0], dtype=lz.float32)) == "Array([1., 2.], dtype=float32)"
    assert str(lz.asarray([[1, 2], [3, 4]])) == "[[1 2]\n [3 4]]"


def test_lazy_repr_under_raise_policy():
    x = lz.ones((2, 3), dtype=lz.float32) * 2
    old = lz.set_implicit_compute("raise")
    try:
        before = lz.materialization_count()
        r = repr(x)
        assert r == "Array(<lazy, not computed>, shape=(2, 3), dtype=float32, device=cpu)"
        assert str(x) == r
        assert lz.materialization_count() == before  # nothing computed
        x.compute()
        assert repr(x) == "Array([[2., 2., 2.],\n       [2., 2., 2.]], dtype=float32)"
    finally:
        lz.set_implicit_compute(old)
