"""The namespace, dtype and device objects, array attributes, conversions and the materialisation point."""

import sys
import math
import pickle

import numpy as np
import pytest

import lazulite as lz

DTYPE_NAMES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
]


def test_version_and_constants():
    assert lz.__array_api_version__ == "2025.12"
    assert lz.e == math.e and lz.pi == math.pi and lz.inf == math.inf
    assert math.isnan(lz.nan)
    assert lz.newaxis is None


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_objects(name):
    d = getattr(lz, name)
    assert isinstance(d, lz.dtype)
    assert repr(d) == f"lazulite.{name}"
    assert d == getattr(lz, name) and hash(d) == hash(getattr(lz, name))
    assert d != name and d != np.dtype(name) and d is not None
    others = [getattr(lz, n) for n in DTYPE_NAMES if n != name]
    assert all(d != o for o in others)
    assert pickle.loads(pickle.dumps(d)) == d
    assert len({getattr(lz, n) for n in DTYPE_NAMES}) == 13


def test_array_attributes():
    x = lz.reshape(lz.arange(6, dtype=lz.float32), (2, 3))
    assert x.dtype == lz.float32 and x.shape == (2, 3) and x.ndim == 2 and x.size == 6
    assert x.device == "cpu" and x.device == lz.asarray(1).device
    assert x.T.shape == (3, 2) and x.mT.shape == (3, 2)
    assert np.array_equal(np.asarray(x.T), np.arange(6, dtype=np.float32).reshape(2, 3).T)
    with pytest.raises(ValueError, match="T"):
        lz.zeros((2, 3, 4)).T
    assert lz.zeros((2, 3, 4)).mT.shape == (2, 4, 3)
    assert x.__array_namespace__() is lz
    assert x.__array_namespace__(api_version="2025.12") is lz
    with pytest.raises(ValueError):
        x.__array_namespace__(api_version="1999.01")
    assert x.to_device("cpu") is x
    with pytest.raises(TypeError):
        hash(x)
    assert not hasattr(lz.Array, "__len__")


def test_compute_returns_self_realized():
    x = lz.asarray([1.0, 2.0]) * 3
    assert not x.is_computed
    assert x.compute() is x
    assert x.is_computed


def test_scalar_conversions():
    assert bool(lz.asarray(True)) is True and bool(lz.asarray(0.0)) is False
    assert int(lz.asarray(7, dtype=lz.int8)) == 7 and int(lz.asarray(-2.7)) == -2
    assert float(lz.asarray(3, dtype=lz.uint16)) == 3.0
    assert complex(lz.asarray(1.5)) == 1.5 + 0j
    assert [10, 20, 30][lz.asarray(1)] == 20
    assert int(lz.asarray(2**64 - 1, dtype=lz.uint64)) == 2**64 - 1
    with pytest.raises(TypeError):
        [1, 2][lz.asarray(1.0)]  # __index__ only for integer dtypes
    for conv in (bool, int, float, complex):
        with pytest.raises(TypeError):
            conv(lz.asarray([1, 2]))
    with pytest.raises(ValueError):
        int(lz.asarray(float("nan")))
    with pytest.raises(OverflowError):
        int(lz.asarray(float("inf")))


def test_materialisation_choke_point_and_policy():
    before = lz.materialization_count()
    y = lz.asarray([1.0, 2.0]) + 1
    float(y[0])
    repr(y)
    assert lz.materialization_count() > before
    old = lz.set_implicit_compute("raise")
    try:
        z = lz.asarray([1.0]) + 1
        with pytest.raises(RuntimeError, match="compute"):
            bool(z[0])
        assert z.compute() is z
        assert float(z[0].compute()) == 2.0  # explicit computes are always allowed
        assert repr(z) == "Array([2.])"  # realized: nothing left to compute
        # uncomputed: what is known without computing, and that it is lazy
        assert repr(z * 2) == "Array(<lazy, not computed>, shape=(1,), dtype=float64, device=cpu)"
    finally:
        lz.set_implicit_compute(old)
    with pytest.raises(ValueError):
        lz.set_implicit_compute("sometimes")


def test_repr():
    # NumPy's text with `Array` for `array` (python/tests/test_printing.py compares against NumPy)
    assert repr(lz.asarray([1.0, 2.0])) == "Array([1., 2.])"
    assert repr(lz.asarray(3, dtype=lz.int8)) == "Array(3, dtype=int8)"
    assert repr(lz.asarray([True, False])) == "Array([ True, False])"
    assert repr(lz.asarray([[1, 2], [3, 4]])) == "Array([[1, 2],\n       [3, 4]])"
    assert repr(lz.zeros((0, 3))) == "Array([], shape=(0, 3), dtype=float64)"
    assert repr(lz.asarray([0.5, float("nan"), -float("inf")])) == "Array([ 0.5,  nan, -inf])"
    big = repr(lz.arange(5000))
    assert big == "Array([   0,    1,    2, ..., 4997, 4998, 4999], shape=(5000,))"


def test_asarray_scalars_and_sequences():
    assert lz.asarray(True).dtype == lz.bool
    assert lz.asarray(1).dtype == lz.int64
    assert lz.asarray(1.0).dtype == lz.float64
    assert lz.asarray([1, 2.5]).dtype == lz.float64
    assert lz.asarray([[True], [False]]).shape == (2, 1)
    assert lz.asarray([]).shape == (0,) and lz.asarray([]).dtype == lz.float64
    assert lz.asarray([[], []]).shape == (2, 0)
    assert lz.asarray((1, 2), dtype=lz.uint8).dtype == lz.uint8
    x = lz.asarray([[1, 2, 3], [4, 5, 6]], dtype=lz.float32)
    assert np.array_equal(np.asarray(x), np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    assert np.array_equal(np.asarray(lz.asarray([lz.asarray(1), 2])), [1, 2])
    with pytest.raises(ValueError, match="ragged"):
        lz.asarray([[1, 2], [3]])
    with pytest.raises(ValueError, match="ragged"):
        lz.asarray([[1, 2], 3])
    with pytest.raises(OverflowError):
        lz.asarray([300], dtype=lz.int8)
    with pytest.raises(OverflowError):
        lz.asarray(2**64)
    with pytest.raises(TypeError):
        lz.asarray(["a"])
    with pytest.raises(TypeError):
        lz.asarray(object())
    with pytest.raises(TypeError, match="asarray"):
        lz.asarray(1, dtype="float64")
    with pytest.raises(ValueError):
        lz.asarray(1, device="gpu")
    with pytest.raises(ValueError):
        lz.asarray([1, 2], copy=False)


def _addr(a):
    return a.__array_interface__["data"][0]


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.arange(12, dtype=np.float64),
        lambda: np.arange(24, dtype=np.int32).reshape(4, 6)[::2, ::-3],
        lambda: np.arange(24, dtype=np.uint16).reshape(2, 3, 4).transpose(2, 0, 1),
        lambda: np.array([True, False, True]),
        lambda: np.array(5, dtype=np.int8),
        lambda: np.broadcast_to(np.arange(3.0, dtype=np.float32), (4, 3)),
    ],
)
def test_asarray_numpy_is_zero_copy(make):
    a = make()
    x = lz.asarray(a, copy=False)  # writable memory is wrapped without a copy only when asked
    assert x.shape == a.shape and str(x.dtype) == a.dtype.name
    back = np.asarray(x)
    assert np.array_equal(back, a)
    assert _addr(back) == _addr(a)  # the same memory, read through lazulite's buffer
    # ... and the data survives the NumPy array going away
    del a
    assert np.array_equal(np.asarray(x), make())


def test_asarray_copies_when_it_must():
    a = np.arange(6, dtype=">i4")  # big-endian
    x = lz.asarray(a)
    assert x.dtype == lz.int32 and np.array_equal(np.asarray(x), np.arange(6))
    with pytest.raises(ValueError):
        lz.asarray(a, copy=False)
    with pytest.raises(TypeError, match="asarray"):
        lz.asarray(np.zeros(3, dtype=np.float16))
    b = np.arange(4.0)
    c = lz.asarray(b, copy=True)
    b[0] = 100.0
    assert float(c[0]) == 0.0
    d = lz.asarray(b, dtype=lz.float32)
    assert d.dtype == lz.float32 and float(d[0]) == 100.0
    assert np.array_equal(np.asarray(lz.asarray(bytearray(b"\x01\x02"))), [1, 2])


def test_numpy_view_of_lazulite_is_zero_copy_and_read_only():
    x = lz.asarray([1.0, 2.0, 3.0]) * 2
    a = np.asarray(x)
    b = np.asarray(x)
    assert _addr(a) == _addr(b)
    assert not a.flags.writeable
    assert np.array_equal(a, [2.0, 4.0, 6.0])
    assert np.asarray(x, dtype=np.float32).dtype == np.float32
    c = np.asarray(x, copy=True)
    assert _addr(c) != _addr(a) and c.flags.writeable
    y = lz.flip(lz.asarray(np.arange(6.0).reshape(2, 3)), axis=1)
    assert np.array_equal(np.asarray(y), np.arange(6.0).reshape(2, 3)[:, ::-1])


@pytest.mark.parametrize("name,fmt", [("bool", "?"), ("int8", "b"), ("int64", "q"), ("uint32", "I"), ("float32", "f"), ("float64", "d")])
def test_buffer_protocol(name, fmt):
    # memoryview(x) from Python 3.12 on (PEP 688 fills the C slot from __buffer__); x.__buffer__ on all
    def export(a):  # PyBUF_FULL_RO (0x11c): strided, with format, read-only, as memoryview() asks
        return memoryview(a) if sys.version_info >= (3, 12) else a.__buffer__(0x11C)

    x = lz.reshape(lz.astype(lz.arange(6), getattr(lz, name)), (2, 3))
    for m in [export(x), x.__buffer__(0)]:
        assert m.readonly and m.format == fmt and m.shape == (2, 3) and m.ndim == 2
        assert m.strides == (3 * m.itemsize, m.itemsize)
        assert m.tolist() == np.arange(6).astype(name).reshape(2, 3).tolist()
    t = export(lz.permute_dims(x, (1, 0)).compute())
    assert t.shape == (3, 2) and not t.c_contiguous
    assert t.tolist() == np.arange(6).astype(name).reshape(2, 3).T.tolist()
    with pytest.raises(BufferError, match="__buffer__: lazulite arrays are read-only"):
        x.__buffer__(1)  # PyBUF_WRITABLE
    with pytest.raises(BufferError, match="__buffer__: the array is not C-contiguous"):
        lz.permute_dims(x, (1, 0)).__buffer__(0x38)  # PyBUF_C_CONTIGUOUS
    if sys.version_info >= (3, 12):
        import inspect

        with pytest.raises(BufferError, match="__buffer__: the array is not C-contiguous"):
            lz.permute_dims(x, (1, 0)).__buffer__(inspect.BufferFlags.C_CONTIGUOUS)
        with pytest.raises(BufferError, match="__buffer__: lazulite arrays are read-only"):
            x.__buffer__(inspect.BufferFlags.WRITABLE)
    else:
        with pytest.raises(TypeError):
            memoryview(x)  # 3.10/3.11: the limited API cannot give the pyo3 class a buffer slot


def test_concurrent_compute_from_threads():
    from concurrent.futures import ThreadPoolExecutor

    base = np.linspace(0.0, 1.0, 50_000)

    def work(k):
        x = lz.asarray(base)
        return float(lz.sum(lz.sqrt(x * k + 1.0)))

    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(work, range(8)))
    for k, g in enumerate(got):
        want = float(np.sum(np.sqrt(base * k + 1.0)))
        assert abs(g - want) <= 1e-9 * abs(want)


@pytest.mark.parametrize("dtype", ["int16", "uint32", "int64", "float32", "float64", "complex64", "complex128"])
def test_asarray_of_non_native_byte_order_copies_with_the_right_values(dtype):
    native = (np.arange(24) - 7).astype(dtype).reshape(4, 6) * (1 + (1j if "complex" in dtype else 0))
    swapped = native.astype(native.dtype.newbyteorder())
    for view in (swapped, swapped[::-1, ::2], swapped.T):
        got = np.asarray(lz.asarray(view))
        assert got.dtype == native.dtype and np.array_equal(got, view)
    with pytest.raises(ValueError):
        lz.asarray(swapped, copy=False)
