"""DLPack: export (__dlpack__, __dlpack_device__) to NumPy and import (from_dlpack) from NumPy, with
strides, 0-D and size-0 arrays, copies, the read-only flag and keep-alive."""

import ctypes
import gc
import sys

import numpy as np
import pytest

import lazulite as lz

DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128",
]


def sample(name, shape=(2, 3)):
    n = int(np.prod(shape))
    if name == "bool":
        return (np.arange(n) % 3 == 0).reshape(shape)
    if name.startswith("complex"):
        return (np.arange(n) + 1j * np.arange(n, 0, -1)).astype(name).reshape(shape)
    return np.arange(n).astype(name).reshape(shape)


class Capsule:
    """A producer that hands out a capsule made beforehand (what a consumer sees)."""

    def __init__(self, x, **kw):
        self.x, self.kw, self.calls = x, kw, []

    def __dlpack__(self, **kw):
        self.calls.append(kw)
        return self.x.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self.x.__dlpack_device__()


def capsule_name(cap):
    get = ctypes.pythonapi.PyCapsule_GetName
    get.restype = ctypes.c_char_p
    get.argtypes = [ctypes.py_object]
    return get(cap).decode()


@pytest.mark.parametrize("name", DTYPES)
def test_numpy_from_lazulite_round_trip(name):
    a = sample(name)
    x = lz.asarray(a) + lz.zeros((2, 3), dtype=getattr(lz, name)) if name != "bool" else lz.asarray(a)
    y = np.from_dlpack(x)
    assert y.dtype == a.dtype and y.shape == a.shape
    assert np.array_equal(y, a)
    assert not y.flags.writeable  # the read-only flag reaches NumPy
    back = lz.from_dlpack(y)
    assert back.dtype == getattr(lz, name) and np.array_equal(np.asarray(back), a)


def test_export_is_zero_copy_and_lazy_arrays_compute_once():
    x = lz.arange(6, dtype=lz.float64) * 2
    n = lz.materialization_count()
    y = np.from_dlpack(x)
    assert lz.materialization_count() == n + 1 and x.is_computed
    z = np.from_dlpack(x)
    assert lz.materialization_count() == n + 1
    # both views address the same memory: the array's own buffer
    assert y.__array_interface__["data"][0] == z.__array_interface__["data"][0]
    assert y.__array_interface__["data"][0] == np.asarray(x).__array_interface__["data"][0]


def test_export_strides_negative_strides_and_offsets():
    base = np.arange(24, dtype=np.int32).reshape(4, 6)
    x = lz.asarray(base)
    for view, ref in [
        (x[::2, 1::2], base[::2, 1::2]),
        (lz.permute_dims(x, (1, 0)), base.T),
        (lz.flip(x, axis=1), base[:, ::-1]),
        (x[3], base[3]),
        (lz.broadcast_to(x[0], (3, 6)), np.broadcast_to(base[0], (3, 6))),
    ]:
        got = np.from_dlpack(view)
        assert got.shape == ref.shape and np.array_equal(got, ref)
    # the transposed export is a view of the original memory, with the original's strides
    t = np.from_dlpack(lz.permute_dims(x, (1, 0)))
    assert t.strides == base.T.strides


def test_export_zero_d_and_size_zero():
    for a in [np.float32(2.5).reshape(()), np.zeros((0,), np.int16), np.zeros((3, 0, 2), np.float64)]:
        y = np.from_dlpack(lz.asarray(a))
        assert y.shape == a.shape and y.dtype == a.dtype and np.array_equal(y, a)
    assert np.from_dlpack(lz.asarray(7)).item() == 7


def test_capsule_versions_and_flags():
    x = lz.asarray([1.0, 2.0])
    assert capsule_name(x.__dlpack__()) == "dltensor"
    assert capsule_name(x.__dlpack__(max_version=(0, 8))) == "dltensor"
    assert capsule_name(x.__dlpack__(max_version=(1, 0))) == "dltensor_versioned"
    assert capsule_name(x.__dlpack__(max_version=(2, 0))) == "dltensor_versioned"
    assert x.__dlpack_device__() == (1, 0)
    # NumPy asks for a versioned capsule; a legacy-only consumer still gets data
    p = Capsule(x)
    assert np.array_equal(np.from_dlpack(p), [1.0, 2.0])
    assert p.calls and p.calls[0].get("max_version", (0, 0))[0] >= 1


def test_dunder_dlpack_arguments():
    x = lz.asarray([1, 2, 3])
    x.__dlpack__(dl_device=(1, 0))
    x.__dlpack__(stream=None, max_version=(1, 0), dl_device=(1, 0), copy=False)
    with pytest.raises(BufferError):
        x.__dlpack__(dl_device=(2, 0))  # CUDA
    with pytest.raises(BufferError):
        x.__dlpack__(dl_device=(1, 1))
    with pytest.raises(ValueError):
        x.__dlpack__(stream=1)
    with pytest.raises(TypeError):
        x.__dlpack__(None)  # keyword-only
    with pytest.raises(ValueError):
        x.__dlpack__(max_version="1.0")


def test_export_copy_true_is_a_copy_flagged_as_copied():
    x = lz.asarray(np.arange(4.0))
    own = np.asarray(x).__array_interface__["data"][0]
    y = np.from_dlpack(x, copy=True)
    assert np.array_equal(y, np.arange(4.0))
    assert y.__array_interface__["data"][0] != own
    z = np.from_dlpack(x, copy=False)
    assert z.__array_interface__["data"][0] == own


def test_export_keeps_the_buffer_alive():
    x = lz.arange(1000, dtype=lz.float64) + 0.5
    y = np.from_dlpack(x)
    want = np.arange(1000, dtype=np.float64) + 0.5
    del x
    gc.collect()
    # new arrays of the same size would reuse a freed buffer from the pool
    for k in range(20):
        (lz.arange(1000, dtype=lz.float64) * -float(k)).compute()
    assert np.array_equal(y, want)


def test_import_is_zero_copy_and_keeps_the_producer_alive():
    a = np.arange(12, dtype=np.float64).reshape(3, 4)
    before = sys.getrefcount(a)
    x = lz.from_dlpack(a, copy=False)  # a writable producer: aliased only when asked
    assert sys.getrefcount(a) > before  # the export holds a reference to `a`
    assert x.is_computed
    # zero-copy: the array views a's memory (the buffer protocol export shows the same address)
    assert np.asarray(x).__array_interface__["data"][0] == a.__array_interface__["data"][0]
    a[0, 0] = 100.0  # visible: the memory is shared (copy=False aliases)
    assert float(x[0, 0]) == 100.0
    del x
    gc.collect()
    assert sys.getrefcount(a) == before  # the deleter ran


def test_import_strided_zero_d_size_zero_and_copy():
    a = np.arange(30, dtype=np.int16).reshape(5, 6)
    for view in [a[::2, ::-3], a.T, a[1:, 2], a[2, 3:4]]:
        x = lz.from_dlpack(view)
        assert x.shape == view.shape and np.array_equal(np.asarray(x), view)
        assert np.array_equal(np.asarray(x * 2), view * 2)
    z = lz.from_dlpack(np.asarray(3.5))
    assert z.shape == () and float(z) == 3.5
    e = lz.from_dlpack(np.zeros((0, 4), np.uint8))
    assert e.shape == (0, 4) and e.dtype == lz.uint8
    b = np.arange(4.0)
    c = lz.from_dlpack(b, copy=True)
    b[0] = -1.0
    assert float(c[0]) == 0.0  # a copy does not see later writes
    d = lz.from_dlpack(b, copy=False)
    assert float(d[0]) == -1.0


def test_from_dlpack_of_lazulite_arrays_and_errors():
    x = lz.arange(3) + 1
    assert lz.from_dlpack(x) is not None and np.array_equal(np.asarray(lz.from_dlpack(x)), [1, 2, 3])
    assert np.array_equal(np.asarray(lz.from_dlpack(x, copy=True)), [1, 2, 3])
    assert lz.from_dlpack(x, device=x.device).device == x.device
    with pytest.raises(AttributeError):
        lz.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError):
        lz.from_dlpack(x, None)  # device is keyword-only
    with pytest.raises(BufferError):
        lz.from_dlpack(np.zeros(2, dtype=np.float16))  # not an array API dtype
    # a capsule itself is accepted too (once)
    cap = lz.asarray([4, 5]).__dlpack__(max_version=(1, 0))
    assert np.array_equal(np.asarray(lz.from_dlpack(cap)), [4, 5])


def test_torch_round_trip_if_available():
    torch = pytest.importorskip("torch")
    t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    x = lz.from_dlpack(t)
    assert np.array_equal(np.asarray(x), t.numpy())
    back = torch.from_dlpack(lz.asarray([1.0, 2.0]))
    assert back.tolist() == [1.0, 2.0]
