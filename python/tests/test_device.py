"""The standard's device model on the emulated CUDA device (issue 9).

The emulated device (``codegen/cuda/tests/emu``, built by ``make emu-driver``) runs the generated CUDA
C on the host; everything above its driver is the code a GPU runs. It is enabled for this module only
(``LAZULITE_CUDA_EMULATOR``), so other modules keep seeing the CPU alone. Without g++ the module is
skipped with the reason.
"""

import os
import pathlib
import shutil
import subprocess

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
    with pytest.raises(BufferError, match="dl_device"):
        z.__dlpack__()
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
