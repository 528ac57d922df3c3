"""The standard's device model on the emulated CUDA device (issue 9).

The emulated device (``codegen/cuda/tests/emu``, built by ``make emu-driver``) runs the generated CUDA
C on the host; everything above its driver is the code a GPU runs. It is enabled for this module only
(``LAZULITE_CUDA_EMULATOR``), so other modules keep seeing the CPU alone. Without g++ the module is
skipped with the reason.
"""

import ctypes
import gc
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

import lazulite as lz

ROOT = pathlib.Path(__file__).resolve().parents[2]
EMU = ROOT / "target" / "cuda-emu" / "liblazulite_cuda_emu.so"


def _build_emulator():
    if EMU.exists():
        return None
    if shutil.which(os.environ.get("CXX", "g++")) is None:
        return "no C++ compiler (g++) to build the emulated CUDA device"
    r = subprocess.run(["make", "-s", "emu-driver"], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0 or not EMU.exists():
        return f"make emu-driver failed: {r.stderr[-500:]}"
    return None


@pytest.fixture(scope="module", autouse=True)
def cuda0():
    why = _build_emulator()
    if why is not None:
        pytest.skip(why)
    old = os.environ.get("LAZULITE_CUDA_EMULATOR")
    os.environ["LAZULITE_CUDA_EMULATOR"] = str(EMU)
    try:
        yield lz.Device("cuda:0")
    finally:
        if old is None:
            del os.environ["LAZULITE_CUDA_EMULATOR"]
        else:
            os.environ["LAZULITE_CUDA_EMULATOR"] = old


def rng(seed=0):
    return np.random.default_rng(seed)


def host(x):
    return np.asarray(x.to_device("cpu"))


# ---- the device objects and the inspection API ----


def test_device_objects(cuda0):
    assert lz.Device("cpu") == lz.cpu and lz.cpu == "cpu"
    assert lz.Device("cuda") == cuda0 == "cuda:0" and str(cuda0) == "cuda:0"
    assert repr(cuda0) == "Device('cuda:0')"
    assert cuda0 != lz.cpu and lz.Device("cuda:1") != cuda0
    assert len({lz.Device("cuda:0"), cuda0, lz.cpu, lz.Device("cpu")}) == 2
    with pytest.raises(ValueError, match="cuda:N"):
        lz.Device("gpu")
    info = lz.__array_namespace_info__()
    assert info.devices() == (lz.cpu, cuda0)
    assert info.default_device() == lz.cpu


def test_to_device_round_trip_and_dlpack_device(cuda0):
    for dt in ["bool", "int8", "uint16", "int32", "int64", "float32", "float64", "complex64", "complex128"]:
        a = (rng(1).standard_normal((5, 7)) * 10).astype(dt)
        x = lz.asarray(a)
        d = x.to_device(cuda0)
        assert d.device == cuda0 and d.__dlpack_device__() == (2, 0)
        assert x.to_device("cuda:0").device == cuda0
        back = d.to_device(lz.cpu)
        assert back.device == lz.cpu and back.__dlpack_device__() == (1, 0)
        np.testing.assert_array_equal(np.asarray(back), a)
        # a strided view travels with its layout
        np.testing.assert_array_equal(host(x[::-2, 1::3].to_device(cuda0)), a[::-2, 1::3])
    assert x.to_device(lz.cpu) is x
    with pytest.raises(ValueError, match="stream"):
        x.to_device(cuda0, stream=1)


def test_mixed_devices_raise_naming_both(cuda0):
    g = lz.ones(3, device=cuda0)
    c = lz.ones(3)
    for f in (lambda: g + c, lambda: lz.matmul(c, g), lambda: lz.where(c > 0, g, c)):
        with pytest.raises(ValueError, match=r"cpu and cuda:0|cuda:0 and cpu"):
            f()
    # Python scalars go with the array
    np.testing.assert_array_equal(host(g * 2 + 1), np.full(3, 3.0))


def test_results_stay_on_the_device_and_host_access_is_counted(cuda0):
    a = rng(2).standard_normal((64, 33))
    x = lz.asarray(a, device=cuda0)
    y = lz.exp(x) * 2 - 1
    s0 = lz._stats()
    y.compute()
    z = lz.sum(y * y, axis=1)
    z.compute()
    s1 = lz._stats()
    assert z.device == cuda0
    assert s1["device_to_host_bytes"] == s0["device_to_host_bytes"], "no copy back between computes"
    assert s1["device_launches"] > s0["device_launches"]
    want = np.sum((np.exp(a) * 2 - 1) ** 2, axis=1)
    got = np.asarray(z)  # implicit: one counted copy to the host
    s2 = lz._stats()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert s2["host_copies_of_device_arrays"] == s1["host_copies_of_device_arrays"] + 1
    assert s2["device_to_host_bytes"] == s1["device_to_host_bytes"] + 64 * 8
    assert float(lz.sum(z)) == pytest.approx(want.sum(), rel=1e-12)
    assert repr(lz.asarray([1.5, 2.0], device=cuda0)).startswith("Array([1.5, 2. ]")  # printing reads a copy
    old = lz.set_implicit_compute("raise")
    try:
        with pytest.raises(RuntimeError, match="cuda:0 to the host"):
            float(z[0].compute())  # computed: only the copy is implicit
        np.testing.assert_allclose(np.asarray(z.to_device("cpu").compute()), want, rtol=1e-12)
    finally:
        lz.set_implicit_compute(old)
    np.testing.assert_allclose(np.from_dlpack(z, device="cpu"), want, rtol=1e-12)  # dl_device=(1, 0)
    np.testing.assert_allclose(np.from_dlpack(z.to_device(lz.cpu)), want, rtol=1e-12)


# ---- a representative subset of the array API on cuda:0, against NumPy ----


@pytest.mark.parametrize("dt", ["int32", "int64", "float32", "float64"])
def test_elementwise_over_dtypes(cuda0, dt):
    a = (rng(3).standard_normal((6, 5)) * 8).astype(dt)
    b = (rng(4).standard_normal((5,)) * 8).astype(dt)
    x, y = lz.asarray(a, device=cuda0), lz.asarray(b, device=cuda0)
    tol = 1e-5 if dt == "float32" else 1e-12
    np.testing.assert_allclose(host(x * y + x - 3), a * b + a - 3, rtol=tol)  # broadcasting
    np.testing.assert_array_equal(host(lz.maximum(x, y)), np.maximum(a, b))
    np.testing.assert_array_equal(host(x < y), a < b)
    np.testing.assert_allclose(host(lz.astype(lz.abs(x), lz.float64)), np.abs(a).astype("float64"))


def test_reductions_softmax_indexing_creation_matmul(cuda0):
    a = rng(5).standard_normal((8, 12))
    x = lz.asarray(a, device=cuda0)
    np.testing.assert_allclose(host(lz.sum(x, axis=0)), a.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(host(lz.max(x, axis=1, keepdims=True)), a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(host(lz.mean(x)), a.mean(), rtol=1e-12)
    e = lz.exp(x - lz.max(x, axis=1, keepdims=True))
    sm = e / lz.sum(e, axis=1, keepdims=True)
    ea = np.exp(a - a.max(axis=1, keepdims=True))
    np.testing.assert_allclose(host(sm), ea / ea.sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(host(x[2:6:2, ::-3]), a[2:6:2, ::-3])
    # creation functions with device=
    for arr, want in [
        (lz.zeros((2, 3), device=cuda0), np.zeros((2, 3))),
        (lz.ones(4, dtype=lz.int32, device=cuda0), np.ones(4, dtype="int32")),
        (lz.full((2,), 7.5, device=lz.Device("cuda:0")), np.full(2, 7.5)),
        (lz.arange(5, device=cuda0), np.arange(5)),
        (lz.linspace(0, 1, 5, device=cuda0), np.linspace(0, 1, 5)),
        (lz.eye(3, device=cuda0), np.eye(3)),
        (lz.zeros_like(x), np.zeros_like(a)),
        (lz.empty((1, 2), device=cuda0), np.zeros((1, 2))),
        (lz.astype(x, lz.float32, device=cuda0), a.astype("float32")),
    ]:
        assert arr.device == cuda0
        np.testing.assert_allclose(host(arr), want)
    assert lz.zeros_like(lz.ones(2)).device == lz.cpu
    # matmul: a host round trip inside the computation, explicit in explain; the result stays
    b = rng(6).standard_normal((12, 4))
    m = lz.matmul(x, lz.asarray(b, device=cuda0))
    assert m.device == cuda0
    np.testing.assert_allclose(host(m), a @ b, rtol=1e-12)


# ---- DLPack of device memory: (kDLCUDA, 0), zero-copy both ways ----
#
# The capsules are read with ctypes (the DLPack C layout). The emulated device's memory is host memory,
# so its device pointers can be read from the host: that is how these tests check the exported values.

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
READ_ONLY, IS_COPIED = 1, 2


def _managed(cap):
    """(address of the DLTensor, address of the flags or None) of an unconsumed capsule."""
    try:
        return _capsule_pointer(cap, b"dltensor"), None  # DLManagedTensor: the DLTensor comes first
    except ValueError:
        # DLManagedTensorVersioned: version (2 x u32), manager_ctx, deleter, flags (u64), DLTensor
        m = _capsule_pointer(cap, b"dltensor_versioned")
        return m + 32, m + 24


def _data(cap):
    return ctypes.c_void_p.from_address(_managed(cap)[0]).value


def _device(cap):
    t = _managed(cap)[0]
    return ctypes.c_int32.from_address(t + 8).value, ctypes.c_int32.from_address(t + 12).value


def _set_device(cap, device_type, device_id):
    t = _managed(cap)[0]
    ctypes.c_int32.from_address(t + 8).value = device_type
    ctypes.c_int32.from_address(t + 12).value = device_id


def _flags(cap):
    f = _managed(cap)[1]
    return ctypes.c_uint64.from_address(f).value


def _read(ptr, like):
    """The bytes at host address `ptr` as an array shaped and typed like the C-contiguous `like`."""
    raw = (ctypes.c_char * like.nbytes).from_address(ptr)
    return np.frombuffer(raw, dtype=like.dtype).reshape(like.shape).copy()


class Producer:
    """A DLPack producer that records the arguments of each ``__dlpack__`` call."""

    def __init__(self, device, export):
        self.device, self.export, self.calls = device, export, []

    def __dlpack_device__(self):
        return self.device

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        self.calls.append({"stream": stream, "max_version": max_version, "dl_device": dl_device, "copy": copy})
        return self.export(stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)


def test_dlpack_export_device_memory_zero_copy_round_trip(cuda0):
    for dt in ["bool", "int8", "int32", "uint64", "float32", "float64", "complex128"]:
        a = (rng(2).standard_normal((4, 6)) * 10).astype(dt)
        d = lz.asarray(a, device=cuda0)
        cap = d.__dlpack__(max_version=(1, 0))
        assert _device(cap) == (2, 0)
        assert _flags(cap) == READ_ONLY  # zero-copy, read-only as on the CPU
        ptr = _data(cap)
        np.testing.assert_array_equal(_read(ptr, a), a)  # the device memory holds the values
        assert _data(d.__dlpack__()) == ptr  # legacy capsule, same memory
        b = lz.from_dlpack(d.__dlpack__(stream=1))
        assert b.device == cuda0 and b.dtype == d.dtype
        assert _data(b.__dlpack__()) == ptr  # imported without a copy
        np.testing.assert_array_equal(host(b), a)  # bit-exact
        if dt != "bool":
            np.testing.assert_array_equal(host(b + b), a + a)  # computes on the device
        c = lz.from_dlpack(Producer((2, 0), d.__dlpack__))  # through a producer object too
        assert c.device == cuda0 and _data(c.__dlpack__()) == ptr
    # a strided view keeps its strides through the capsule
    a = rng(3).standard_normal((5, 8))
    d = lz.asarray(a, device=cuda0)
    v = d[::-2, 1::3]
    got = lz.from_dlpack(v.__dlpack__())
    assert got.device == cuda0
    np.testing.assert_array_equal(host(got), a[::-2, 1::3])
    np.testing.assert_array_equal(host(lz.from_dlpack(d.mT.__dlpack__())), a.T)
    # a lazy device array is computed, then exported
    lazy = d * 3.0
    np.testing.assert_array_equal(host(lz.from_dlpack(lazy.__dlpack__())), a * 3.0)


def test_dlpack_export_copy_and_dl_device(cuda0):
    a = rng(4).standard_normal((3, 5))
    d = lz.asarray(a, device=cuda0)
    ptr = _data(d.__dlpack__())
    cap = d.__dlpack__(max_version=(1, 0), copy=True)  # a copy on the device
    assert _device(cap) == (2, 0) and _flags(cap) == READ_ONLY | IS_COPIED and _data(cap) != ptr
    np.testing.assert_array_equal(_read(_data(cap), a), a)
    cap = d.__dlpack__(max_version=(1, 0), dl_device=(2, 0))  # its own device: as dl_device=None
    assert _device(cap) == (2, 0) and _data(cap) == ptr
    cap = d.__dlpack__(max_version=(1, 0), dl_device=(1, 0))  # a host copy
    assert _device(cap) == (1, 0) and _flags(cap) & IS_COPIED and _data(cap) != ptr
    np.testing.assert_array_equal(np.from_dlpack(d, device="cpu"), a)
    with pytest.raises(BufferError, match=r"copy=False.*needs a copy"):
        d.__dlpack__(dl_device=(1, 0), copy=False)
    with pytest.raises(BufferError, match=r"\(2, 1\).*cuda:0"):
        d.__dlpack__(dl_device=(2, 1))
    with pytest.raises(BufferError, match=r"\(2, 0\).*cpu"):
        lz.asarray(a).__dlpack__(dl_device=(2, 0))


def test_dlpack_stream_rules(cuda0):
    d = lz.asarray([1.0, 2.0], device=cuda0)
    for s in [None, 1, 2, -1, 2**40, np.int64(7)]:  # default streams, a handle, no synchronisation
        assert _device(d.__dlpack__(stream=s)) == (2, 0)
    for s in [0, -2]:
        with pytest.raises(ValueError, match=f"stream={s} is not a valid CUDA stream"):
            d.__dlpack__(stream=s)
    with pytest.raises(TypeError, match="stream must be None or an int"):
        d.__dlpack__(stream="1")
    # the CPU has no streams: only None
    with pytest.raises(ValueError, match="pass stream=None"):
        lz.asarray([1.0]).__dlpack__(stream=1)
    with pytest.raises(ValueError, match="pass stream=None"):
        d.__dlpack__(stream=1, dl_device=(1, 0))
    # as a consumer lazulite passes stream=1 (CUDA's legacy default stream) to a CUDA producer and
    # no stream to a CPU one
    p = Producer((2, 0), d.__dlpack__)
    lz.from_dlpack(p)
    assert p.calls[0]["stream"] == 1 and p.calls[0]["max_version"][0] >= 1
    q = Producer((1, 0), np.asarray([1.0]).__dlpack__)
    lz.from_dlpack(q)
    assert q.calls[0]["stream"] is None


def test_dlpack_import_foreign_device_memory_zero_copy(cuda0):
    # A producer whose capsule says (kDLCUDA, 0) over NumPy memory: honest on the emulated device,
    # whose device pointers are host pointers. The capsule's deleter is NumPy's.
    a = rng(5).standard_normal((6, 4))
    refs = sys.getrefcount(a)

    def export(**kw):
        cap = a.__dlpack__(max_version=kw["max_version"])
        _set_device(cap, 2, 0)
        return cap

    p = Producer((2, 0), export)
    x = lz.from_dlpack(p)
    assert x.device == cuda0 and x.shape == (6, 4)
    assert _data(x.__dlpack__()) == a.ctypes.data  # zero-copy
    np.testing.assert_array_equal(host(x), a)
    np.testing.assert_allclose(host(lz.sum(x, axis=0)), a.sum(axis=0), rtol=1e-12)
    a[0, 0] = 42.0  # the memory is shared, not captured
    assert host(x)[0, 0] == 42.0
    y = lz.from_dlpack(p, copy=True)  # a device-to-device copy: the producer's memory is let go
    assert _data(y.__dlpack__()) != a.ctypes.data
    np.testing.assert_array_equal(host(y), a)
    assert sys.getrefcount(a) == refs + 1  # only x's buffer (NumPy's deleter) holds it
    del x
    gc.collect()
    assert sys.getrefcount(a) == refs  # the producer's deleter ran
    # device= copies to the device asked for
    h = lz.from_dlpack(p, device=lz.cpu)
    assert h.device == lz.cpu
    np.testing.assert_array_equal(np.asarray(h), a)
    assert lz.from_dlpack(p, device=cuda0).device == cuda0
    assert lz.from_dlpack(np.asarray([1.0, 2.0]), device=cuda0).device == cuda0
    # a capsule itself (no stream negotiation)
    cap = export(max_version=(1, 0))
    z = lz.from_dlpack(cap)
    assert z.device == cuda0 and _data(z.__dlpack__()) == a.ctypes.data


def test_dlpack_import_absent_device(cuda0):
    a = np.arange(4.0)
    p = Producer((2, 3), a.__dlpack__)
    with pytest.raises(BufferError, match=r"CUDA device 3.*cuda:3 is not present.*cuda:0"):
        lz.from_dlpack(p)
    assert p.calls == []  # refused before the producer exported anything
    cap = a.__dlpack__(max_version=(1, 0))
    _set_device(cap, 2, 3)
    with pytest.raises(BufferError, match="cuda:3 is not present"):
        lz.from_dlpack(cap)
    cap = a.__dlpack__(max_version=(1, 0))
    _set_device(cap, 4, 0)  # kDLOpenCL
    with pytest.raises(BufferError, match=r"DLPack device \(4, 0\)"):
        lz.from_dlpack(cap)
