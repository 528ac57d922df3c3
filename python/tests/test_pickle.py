"""Pickling and copying arrays, dtypes and info objects; NumPy is the oracle for values.

A pickled array is its computed value (bytes, dtype, shape, device); unpickling builds a new realized
array that shares no memory with the original, in this process or another one.
"""

import copy
import multiprocessing
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import lazulite as lz

DTYPES = [
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
SHAPES = [(), (0,), (3, 0), (5,), (2, 3), (2, 1, 4)]
PROTOCOLS = [2, 4, 5]


def _same(a, want):
    """`a` (a lazulite array) has exactly the dtype, shape and elements of `want` (NumPy)."""
    assert isinstance(a, lz.Array)
    assert a.dtype == getattr(lz, want.dtype.name)
    assert a.shape == want.shape
    assert a.device == lz.cpu
    got = np.asarray(a)
    assert got.dtype == want.dtype
    # bitwise, in C order: NaNs, signed zeros and complex parts must survive exactly
    assert got.tobytes() == want.tobytes()


def _sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == "bool":
        v = rng.integers(0, 2, n).astype(bool)
    elif dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        v = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    elif dtype.startswith("float"):
        v = rng.standard_normal(n).astype(dtype)
        if n >= 3:
            v[:3] = [np.nan, -0.0, np.inf]
    else:
        v = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
        if n >= 2:
            v[:2] = [complex(np.nan, -0.0), complex(-np.inf, 1.5)]
    return v.reshape(shape)


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype_and_shape(dtype, shape, protocol):
    want = _sample(dtype, shape)
    x = lz.asarray(want)
    y = pickle.loads(pickle.dumps(x, protocol=protocol))
    _same(y, want)
    assert y.is_computed


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_lazy_and_non_contiguous_results(protocol):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    x = lz.asarray(base)
    cases = [
        (x * 2 + 1, base * 2 + 1),  # lazy: computed by pickling
        (x.T, base.T),  # a strided view
        (x[::-2, 1::2], base[::-2, 1::2]),  # negative steps
        (lz.broadcast_to(x[:1], (3, 6)), np.broadcast_to(base[:1], (3, 6))),  # zero strides
        (lz.sum(x, axis=0), base.sum(axis=0)),
    ]
    for a, want in cases:
        y = pickle.loads(pickle.dumps(a, protocol=protocol))
        _same(y, np.ascontiguousarray(want))


def test_protocol_5_out_of_band_buffers():
    want = _sample("float32", (100, 7))
    x = lz.asarray(want)
    buffers = []
    data = pickle.dumps(x, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1  # the elements travel out of band
    assert len(data) < want.nbytes  # and not in the pickle itself
    # the receiver may hand back any buffer-protocol object, here a private copy
    y = pickle.loads(data, buffers=[bytearray(b.raw()) for b in buffers])
    _same(y, want)
    # the PickleBuffer objects themselves, handed back as they are, for every dtype
    for name in DTYPES:
        w = _sample(name, (3, 2))
        buffers.clear()
        data = pickle.dumps(lz.asarray(w), protocol=5, buffer_callback=buffers.append)
        _same(pickle.loads(data, buffers=buffers), w)
    # a non-contiguous array is sent in band
    buffers.clear()
    z = pickle.loads(pickle.dumps(x.T, protocol=5, buffer_callback=buffers.append), buffers=buffers)
    _same(z, want.T)


def test_unpickled_array_does_not_share_memory():
    src = np.arange(6, dtype=np.int64)
    buffers = []
    data = pickle.dumps(lz.asarray(src), protocol=5, buffer_callback=buffers.append)
    raw = bytearray(buffers[0].raw())
    y = pickle.loads(data, buffers=[raw])
    raw[:8] = (99).to_bytes(8, "little")  # the unpickler copied: later writes do not show
    _same(y, src)


@given(
    hnp.arrays(
        dtype=st.sampled_from([np.int16, np.uint32, np.float64, np.complex64, np.bool_]),
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    ),
    st.sampled_from(PROTOCOLS),
)
def test_round_trip_property(a, protocol):
    _same(pickle.loads(pickle.dumps(lz.asarray(a), protocol=protocol)), a)


def test_pickle_under_raise_policy():
    x = lz.asarray(np.arange(3.0))
    lazy = x + 1
    old = lz.set_implicit_compute("raise")
    try:
        # pickling needs the value: an uncomputed array obeys the policy ...
        with pytest.raises(RuntimeError, match=r"pickle.*compute\(\)"):
            pickle.dumps(lazy)
        # ... a computed one pickles (no implicit computation is needed)
        lazy.compute()
        data = pickle.dumps(lazy)
    finally:
        lz.set_implicit_compute(old)
    _same(pickle.loads(data), np.arange(3.0) + 1)


def test_copy_and_deepcopy_are_independent():
    want = np.arange(6, dtype=np.int32).reshape(2, 3)
    for make in (copy.copy, copy.deepcopy):
        x = lz.asarray(want) * 1  # lazy
        y = make(x)
        assert y is not x
        _same(y, want)
        y[0, 0] = 100  # a write to the copy does not show in the original ...
        x[1, 2] = -5  # ... nor one to the original in the copy
        _same(x, np.array([[0, 1, 2], [3, 4, -5]], dtype=np.int32))
        _same(y, np.array([[100, 1, 2], [3, 4, 5]], dtype=np.int32))
    # deepcopy inside a container keeps identity sharing (memo) like any object
    x = lz.asarray(want)
    a, b = copy.deepcopy([x, x])
    assert a is b
    _same(a, want)


def test_copy_of_zero_copy_import_owns_its_elements():
    src = np.arange(4.0)
    x = lz.asarray(src, copy=False)  # may share src's memory
    y = copy.deepcopy(x)
    src[0] = 42.0
    _same(y, np.arange(4.0))


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_dtypes_info_and_named_tuples_pickle(protocol):
    for name in DTYPES:
        d = getattr(lz, name)
        assert pickle.loads(pickle.dumps(d, protocol=protocol)) == d
        assert copy.deepcopy(d) == d
    f = pickle.loads(pickle.dumps(lz.finfo(lz.complex64), protocol=protocol))
    assert (f.bits, f.eps, f.dtype) == (32, float(np.finfo(np.float32).eps), lz.float32)
    i = pickle.loads(pickle.dumps(lz.iinfo(lz.uint16), protocol=protocol))
    assert (i.bits, i.min, i.max, i.dtype) == (16, 0, 65535, lz.uint16)
    assert pickle.loads(pickle.dumps(lz.cpu, protocol=protocol)) is lz.cpu
    assert copy.deepcopy(lz.cpu) is lz.cpu
    info = pickle.loads(pickle.dumps(lz.__array_namespace_info__(), protocol=protocol))
    assert info.devices() == (lz.cpu,)
    u = lz.unique_counts(lz.asarray(np.array([3, 1, 3], dtype=np.int8)))
    v = pickle.loads(pickle.dumps(u, protocol=protocol))
    assert type(v) is type(u) and v._fields == ("values", "counts")
    _same(v.values, np.array([1, 3], dtype=np.int8))
    _same(v.counts, np.array([1, 2], dtype=np.int64))


def test_unpickling_rejects_corrupt_data():
    from lazulite._lazulite import _array_from_pickle

    with pytest.raises(ValueError, match=r"unpickling.*24 bytes.*float64.*\[2, 2\].*32 bytes"):
        _array_from_pickle(bytes(24), "float64", (2, 2), "cpu")
    with pytest.raises(ValueError, match=r'unpickling.*dtype "float16"'):
        _array_from_pickle(bytes(8), "float16", (4,), "cpu")
    with pytest.raises(ValueError, match=r'unpickling.*device "cuda:0"'):
        _array_from_pickle(bytes(8), "float64", (1,), "cuda:0")
    with pytest.raises(TypeError, match=r"unpickling.*buffer protocol.*int"):
        _array_from_pickle(5, "float64", (1,), "cpu")


def _child_square(a):
    # runs in another process: the array arrived by pickle, is used, and goes back by pickle
    assert isinstance(a, lz.Array)
    return a * a + 1


def test_multiprocessing_pool_round_trip():
    wants = [_sample("float64", (3, 4), seed=s) for s in range(3)] + [_sample("int32", (5,))]
    arrays = [lz.asarray(w) for w in wants]
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing shared but the pickle
    with ctx.Pool(2) as pool:
        out = pool.map(_child_square, arrays)
    for got, w in zip(out, wants):
        _same(got, w * w + 1)


def test_joblib_dump_and_load(tmp_path):
    joblib = pytest.importorskip("joblib")
    want = _sample("complex128", (4, 3))
    path = tmp_path / "a.joblib"
    joblib.dump({"scale": lz.asarray(want), "n": 3}, path)
    got = joblib.load(path)
    assert got["n"] == 3
    _same(got["scale"], want)
