"""``lazulite.fft`` against ``numpy.fft``: every function, any axis of any rank, any length (primes and
odd lengths included), zero-padding and truncation by ``n`` / ``s``, every ``norm``, float32 and
float64 precision. Results must lie within a tolerance scaled with log n and the dtype's epsilon.
"""

import inspect
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lazulite as lz

NORMS = ["backward", "ortho", "forward"]
COMPLEX = {"complex64": np.complex64, "complex128": np.complex128}
REAL = {"float32": np.float32, "float64": np.float64}
# Sizes: 1, primes (Rader / Bluestein paths), odd and even composites, a power of two.
SIZES = st.sampled_from([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31])


@st.composite
def shapes(draw, min_dims=1, max_dims=3):
    return tuple(draw(st.lists(SIZES, min_size=min_dims, max_size=max_dims)))


def sample(shape, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def assert_close(got, want, n, dtype):
    """``got`` (a lazulite array) equals NumPy's float64/complex128 ``want`` within a tolerance that
    grows with log2 of the transform length and the precision's epsilon."""
    got = np.asarray(got)
    assert got.shape == want.shape
    eps = np.finfo(np.float32 if dtype in (np.float32, np.complex64) else np.float64).eps
    tol = 16 * eps * max(1.0, math.log2(max(n, 2)))
    scale = max(1.0, float(np.max(np.abs(want), initial=0.0)))
    err = float(np.max(np.abs(got - want), initial=0.0))
    assert err <= tol * scale, f"max error {err:.3g} > {tol * scale:.3g}"


def out_dtype(name):
    return {
        "complex64": lz.complex64,
        "complex128": lz.complex128,
        "float32": lz.float32,
        "float64": lz.float64,
    }[name]


@given(
    shape=shapes(),
    data=st.data(),
    func=st.sampled_from(["fft", "ifft"]),
    dtype=st.sampled_from(sorted(COMPLEX)),
    norm=st.sampled_from(NORMS),
)
def test_complex_1d(shape, data, func, dtype, norm):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    n = data.draw(st.none() | SIZES, label="n")
    x = sample(shape, COMPLEX[dtype], data.draw(st.integers(0, 2**32 - 1), label="seed"))
    y = getattr(lz.fft, func)(lz.asarray(x), n=n, axis=axis, norm=norm)
    want = getattr(np.fft, func)(x.astype(np.complex128), n=n, axis=axis, norm=norm)
    # dtype and shape are known before anything runs
    assert y.dtype == out_dtype(dtype) and y.shape == want.shape
    assert_close(y, want, n or shape[axis], COMPLEX[dtype])


@given(
    shape=shapes(),
    data=st.data(),
    func=st.sampled_from(["rfft", "irfft", "hfft", "ihfft"]),
    precision=st.sampled_from(["32", "64"]),
    norm=st.sampled_from(NORMS),
)
def test_real_and_hermitian_1d(shape, data, func, precision, norm):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    n = data.draw(st.none() | SIZES, label="n")
    real_in = func in ("rfft", "ihfft")
    if n is None and not real_in and shape[axis] < 2:
        n = 3  # the default 2*(m-1) needs m >= 2 (tested with the errors)
    dtype = np.dtype({"32": np.float32, "64": np.float64}[precision])
    cdtype = np.dtype({"32": np.complex64, "64": np.complex128}[precision])
    x = sample(shape, dtype if real_in else cdtype, data.draw(st.integers(0, 2**32 - 1), label="seed"))
    y = getattr(lz.fft, func)(lz.asarray(x), n=n, axis=axis, norm=norm)
    want = getattr(np.fft, func)(x.astype(np.complex128 if not real_in else np.float64), n=n, axis=axis, norm=norm)
    assert y.dtype == out_dtype((cdtype if real_in else dtype).name) and y.shape == want.shape
    length = n or (shape[axis] if real_in else 2 * (shape[axis] - 1))
    assert_close(y, want, length, dtype.type)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # NumPy 2 deprecates s without axes
@given(
    shape=shapes(max_dims=3),
    data=st.data(),
    func=st.sampled_from(["fftn", "ifftn", "rfftn", "irfftn"]),
    precision=st.sampled_from(["32", "64"]),
    norm=st.sampled_from(NORMS),
)
def test_n_dimensional(shape, data, func, precision, norm):
    ndim = len(shape)
    axes = data.draw(
        st.none() | st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim, unique_by=lambda a: a % ndim),
        label="axes",
    )
    count = ndim if axes is None else len(axes)
    s = data.draw(st.none() | st.lists(SIZES, min_size=count, max_size=count), label="s")
    if s is not None and axes is None and data.draw(st.booleans(), label="s_only"):
        s = s[ndim - data.draw(st.integers(1, ndim), label="k"):]  # s alone: the last len(s) axes
    if s is not None and data.draw(st.booleans(), label="minus_one"):
        s[data.draw(st.integers(0, len(s) - 1), label="at")] = -1  # keeps that axis's length
    real_in = func == "rfftn"
    last = axes[-1] % ndim if axes is not None else ndim - 1
    if func == "irfftn" and s is None and shape[last] < 2:
        s = [3] * count
    dtype = np.dtype({"32": np.float32, "64": np.float64}[precision])
    cdtype = np.dtype({"32": np.complex64, "64": np.complex128}[precision])
    x = sample(shape, dtype if real_in else cdtype, data.draw(st.integers(0, 2**32 - 1), label="seed"))
    kw = {"norm": norm}
    if s is not None:
        kw["s"] = s
    if axes is not None:
        kw["axes"] = axes
    y = getattr(lz.fft, func)(lz.asarray(x), **kw)
    want = getattr(np.fft, func)(x.astype(np.float64 if real_in else np.complex128), **kw)
    assert y.dtype == out_dtype((dtype if func == "irfftn" else cdtype).name) and y.shape == want.shape
    assert_close(y, want, max(1, math.prod(want.shape)), dtype.type)


@pytest.mark.parametrize("shape,axis", [((64, 1031), 0), ((64, 1031), 1), ((3, 40, 37), 1), ((4096,), 0)])
def test_large_prime_and_parallel(shape, axis):
    # big enough for the thread split and the panel copies of a strided axis
    x = sample(shape, np.complex128, 1)
    assert_close(lz.fft.fft(lz.asarray(x), axis=axis), np.fft.fft(x, axis=axis), shape[axis], np.complex128)
    r = sample(shape, np.float64, 2)
    assert_close(lz.fft.rfft(lz.asarray(r), axis=axis), np.fft.rfft(r, axis=axis), shape[axis], np.float64)
    spec = np.fft.rfft(r, axis=axis)
    assert_close(
        lz.fft.irfft(lz.asarray(spec), n=shape[axis], axis=axis), r, shape[axis], np.float64
    )


def test_strided_and_fused_operands():
    x = sample((12, 10), np.complex128, 3)
    v = lz.asarray(x)
    # a transposed view, an elementwise producer and an elementwise consumer around the transform
    y = lz.fft.fft(lz.permute_dims(v, (1, 0)) * 2, axis=0) + 1
    assert_close(y, np.fft.fft(x.T * 2, axis=0) + 1, 10, np.complex128)
    z = lz.fft.ifft(v[::2, 1::3], n=7)
    assert_close(z, np.fft.ifft(x[::2, 1::3], n=7), 7, np.complex128)


def test_transforms_are_lazy():
    x = lz.asarray(sample((8, 5), np.float32, 4))
    before = lz.materialization_count()
    y = lz.fft.rfftn(x, s=(6, 9))
    z = lz.fft.fftshift(lz.fft.ifftn(y * 2))
    assert (y.dtype, y.shape) == (lz.complex64, (6, 5))
    assert (z.dtype, z.shape) == (lz.complex64, (6, 5))
    assert lz.materialization_count() == before
    assert not y.is_computed


@given(
    n=st.integers(1, 40),
    d=st.sampled_from([1.0, 0.5, 3, 1e-3, -2.0]),
    dtype=st.sampled_from([None, "float32", "float64"]),
)
def test_frequencies(n, d, dtype):
    kw = {} if dtype is None else {"dtype": out_dtype(dtype)}
    for func in ("fftfreq", "rfftfreq"):
        got = getattr(lz.fft, func)(n, d=d, device=lz.cpu, **kw)
        want = getattr(np.fft, func)(n, d=d)
        assert got.dtype == out_dtype(dtype or "float64") and got.shape == want.shape
        np.testing.assert_allclose(np.asarray(got), want.astype(dtype or "float64"), rtol=1e-6 if dtype == "float32" else 0)


@given(shape=shapes(), data=st.data(), dtype=st.sampled_from(["float32", "float64", "complex64", "complex128"]))
def test_shifts(shape, data, dtype):
    ndim = len(shape)
    axis = st.integers(-ndim, ndim - 1)
    axes = data.draw(st.none() | axis | st.lists(axis, max_size=ndim, unique_by=lambda a: a % ndim), label="axes")
    x = sample(shape, np.dtype(dtype).type, 5)
    for func in ("fftshift", "ifftshift"):
        got = getattr(lz.fft, func)(lz.asarray(x), axes=axes)
        np.testing.assert_array_equal(np.asarray(got), getattr(np.fft, func)(x, axes=axes))
    np.testing.assert_array_equal(
        np.asarray(lz.fft.ifftshift(lz.fft.fftshift(lz.asarray(x), axes=axes), axes=axes)), x
    )


def test_shift_is_movement_that_fuses():
    # the shift is a roll: the elementwise producer fuses into the kernel that writes the tiled
    # array, and the consumer reads the rolled window of it as a view (no extern op, no copy of x*2)
    x = lz.asarray(sample((6, 7), np.float64, 6))
    y = lz.fft.fftshift(x * 2) + 1
    plan = lz.explain(y)
    assert plan.startswith("2 kernels") and "extern" not in plan, plan
    np.testing.assert_array_equal(np.asarray(y), np.fft.fftshift(np.asarray(x) * 2) + 1)


def test_errors_name_the_function_and_parameter():
    c = lz.asarray(sample((4, 3), np.complex128, 7))
    r = lz.asarray(sample((4, 3), np.float64, 8))
    for func, arg in [("fft", r), ("ifft", r), ("fftn", r), ("ifftn", r), ("irfft", r), ("hfft", r),
                      ("irfftn", r), ("rfft", c), ("ihfft", c), ("rfftn", c)]:
        with pytest.raises(TypeError, match=func):
            getattr(lz.fft, func)(arg)
    with pytest.raises(TypeError, match="fft"):
        lz.fft.fft(lz.asarray([1, 2, 3]))
    with pytest.raises(TypeError, match="fftshift"):
        lz.fft.fftshift(lz.asarray([1, 2, 3]))
    with pytest.raises(ValueError, match=r"fft: .*n=0"):
        lz.fft.fft(c, n=0)
    with pytest.raises(ValueError, match=r"rfftn: .*s\[1\]=-3"):
        lz.fft.rfftn(r, s=(2, -3))
    with pytest.raises(ValueError, match="irfft"):
        lz.fft.irfft(c[:, :1])  # default n = 2*(1-1) = 0
    with pytest.raises(ValueError, match="fftn"):
        lz.fft.fftn(c, s=(2, 2), axes=(0,))
    with pytest.raises(IndexError, match="ifft"):
        lz.fft.ifft(c, axis=2)
    with pytest.raises(ValueError, match="norm"):
        lz.fft.fft(c, norm="none")
    with pytest.raises(ValueError, match="fftfreq"):
        lz.fft.fftfreq(4, dtype=lz.int64)
    with pytest.raises(ValueError, match="rfftfreq"):
        lz.fft.rfftfreq(0)
    with pytest.raises(ValueError, match="fftfreq"):
        lz.fft.fftfreq(4, device="gpu")


SPEC = {
    "fft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "ifft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "fftn": "(x, /, *, s=None, axes=None, norm='backward')",
    "ifftn": "(x, /, *, s=None, axes=None, norm='backward')",
    "rfft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "irfft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "rfftn": "(x, /, *, s=None, axes=None, norm='backward')",
    "irfftn": "(x, /, *, s=None, axes=None, norm='backward')",
    "hfft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "ihfft": "(x, /, *, n=None, axis=-1, norm='backward')",
    "fftfreq": "(n, /, *, d=1.0, dtype=None, device=None)",
    "rfftfreq": "(n, /, *, d=1.0, dtype=None, device=None)",
    "fftshift": "(x, /, *, axes=None)",
    "ifftshift": "(x, /, *, axes=None)",
}


@pytest.mark.parametrize("name", sorted(SPEC))
def test_signatures_follow_the_stubs(name):
    assert str(inspect.signature(getattr(lz.fft, name))) == SPEC[name]


def test_namespace_lists_the_extension():
    import lazulite.fft as mod

    assert mod is lz.fft and "fft" in lz.__all__
    assert sorted(mod.__all__) == sorted(SPEC)
    assert set(SPEC) <= set(dir(lz.fft))
