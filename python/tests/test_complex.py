"""Complex numbers at the Python edge: asarray of Python complex values and NumPy complex buffers
(zero-copy), buffer and __array__ export, complex(), operators with complex Python scalars, finfo,
repr."""

import sys
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz

COMPLEX = ["complex64", "complex128"]
parts = st.floats(allow_nan=True, allow_infinity=True, width=32)
complexes = st.builds(complex, parts, parts)


def same_complex(got, expected):
    """Equal real and imaginary parts, NaN where NumPy has NaN."""
    g, e = np.asarray(got), np.asarray(expected)
    assert g.dtype == e.dtype and g.shape == e.shape, (g.dtype, g.shape, e.dtype, e.shape)
    for part in (np.real, np.imag):
        assert np.array_equal(part(g), part(e), equal_nan=True), (g, e)


@given(v=complexes)
def test_asarray_of_python_complex(v):
    x = lz.asarray(v)
    assert x.dtype == lz.complex128 and x.shape == ()  # the default complex dtype
    same_complex(x, np.asarray(v, dtype=np.complex128))
    y = lz.asarray(v, dtype=lz.complex64)
    same_complex(y, np.asarray(v, dtype=np.complex64))
    c = complex(x)
    assert type(c) is complex
    assert (c.real == v.real or (c.real != c.real and v.real != v.real)) and (c.imag == v.imag or (c.imag != c.imag and v.imag != v.imag))


@given(values=st.lists(st.one_of(st.booleans(), st.integers(-100, 100), st.floats(-1e6, 1e6), complexes), min_size=1, max_size=6))
def test_nested_lists_with_complex(values):
    nested = [values, values]
    has_complex = any(isinstance(v, complex) for v in values)
    x = lz.asarray(nested)
    if has_complex:
        assert x.dtype == lz.complex128
        same_complex(x, np.asarray(nested, dtype=np.complex128))
    else:
        assert x.dtype != lz.complex128


def test_complex_in_real_dtypes_is_refused():
    with pytest.raises(TypeError):
        lz.asarray([1, 2j], dtype=lz.float64)
    with pytest.raises(TypeError):
        lz.asarray(1j, dtype=lz.int64)
    with pytest.raises(TypeError):
        lz.full(3, 1j, dtype=lz.float32)
    with pytest.raises(TypeError):
        float(lz.asarray(1j))
    with pytest.raises(TypeError):
        int(lz.asarray(1j))


@pytest.mark.parametrize("name,fmt", [("complex64", "Zf"), ("complex128", "Zd")])
def test_numpy_complex_buffers_are_zero_copy_both_ways(name, fmt):
    a = (np.arange(6) + 1j * np.arange(6)[::-1]).astype(name).reshape(2, 3)
    x = lz.asarray(a, copy=False)
    assert x.dtype == getattr(lz, name) and x.shape == (2, 3)
    a[0, 1] = 7 - 7j  # copy=False aliases: the change is visible
    assert complex(x[0, 1]) == 7 - 7j
    # strided and reversed views import too
    v = a[:, ::-2]
    same_complex(lz.asarray(v), v)
    # export: the buffer protocol says Zf/Zd, and NumPy reads the same memory
    m = memoryview(x) if sys.version_info >= (3, 12) else x.__buffer__(0x11C)  # PyBUF_FULL_RO
    assert m.format == fmt and m.itemsize == np.dtype(name).itemsize and m.shape == (2, 3)
    out = np.asarray(x)
    assert out.dtype == np.dtype(name)
    assert out.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    same_complex(x * 2, a * 2)


def test_array_export_of_computed_complex():
    x = lz.asarray([1 + 2j, -3j]) * lz.asarray([2, 1j])
    same_complex(np.array(x), np.asarray([2 + 4j, 3 + 0j]))
    same_complex(np.asarray(lz.asarray([1j], dtype=lz.complex64) + 1), np.asarray([1 + 1j], np.complex64))


@pytest.mark.parametrize("real,cplx", [("float32", "complex64"), ("float64", "complex128")])
@given(v=st.builds(complex, st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), xs=st.lists(st.floats(-1e3, 1e3), min_size=0, max_size=5))
def test_operators_with_complex_python_scalars(real, cplx, v, xs):
    # 2024.12: a complex Python scalar with a real floating-point array gives the matching complex dtype
    a = np.asarray(xs, dtype=real)
    x = lz.asarray(a)
    for got, expected in [
        (x + v, a.astype(cplx) + np.asarray(v, cplx)),
        (v - x, np.asarray(v, cplx) - a.astype(cplx)),
        (x * v, a.astype(cplx) * np.asarray(v, cplx)),
        (x == v, a.astype(cplx) == np.asarray(v, cplx)),
    ]:
        assert str(got.dtype) == expected.dtype.name
        g = np.asarray(got)
        if expected.dtype.kind == "c":
            np.testing.assert_allclose(g, expected, rtol=1e-6 if cplx == "complex64" else 1e-15)
        else:
            assert np.array_equal(g, expected)
    c = lz.asarray(np.asarray(xs, dtype=cplx))
    assert (c + v).dtype == getattr(lz, cplx)  # complex arrays keep their precision
    assert (c * 2).dtype == getattr(lz, cplx) and (c * 0.5).dtype == getattr(lz, cplx)


def test_complex_scalars_with_integer_and_bool_arrays_are_type_errors():
    for d in (lz.int32, lz.uint8, lz.bool):
        with pytest.raises(TypeError):
            lz.ones(2, dtype=d) + 1j
    with pytest.raises(TypeError):
        lz.ones(2) < 1j  # no ordering of complex numbers


@pytest.mark.parametrize("name,real", [("complex64", "float32"), ("complex128", "float64")])
def test_finfo_of_complex(name, real):
    fi = lz.finfo(getattr(lz, name))
    ref = np.finfo(real)
    assert fi.dtype == getattr(lz, real)
    assert (fi.bits, fi.eps, fi.max, fi.min, fi.smallest_normal) == (
        ref.bits, float(ref.eps), float(ref.max), float(ref.min), float(ref.smallest_normal)
    )
    assert lz.finfo(lz.ones(1, dtype=getattr(lz, name))).bits == ref.bits


def test_repr_of_complex():
    assert repr(lz.asarray([1 + 2j, complex(0, -0.5)])) == "Array([1.+2.j , 0.-0.5j])"
    assert repr(lz.asarray([-0.5j])) == "Array([-0.-0.5j])"  # -0.5j is (-0.0-0.5j)
    assert repr(lz.asarray(1j, dtype=lz.complex64)) == "Array(0.+1.j, dtype=complex64)"
    r = repr(lz.asarray([complex("nan+infj")]))
    assert r == "Array([nan+infj])"
