"""Python scalars are kernel parameters (issue 11): a new constant in an otherwise cached expression
re-plans and recompiles nothing, and gives the same values as NumPy; dtype promotion of Python scalars
is unchanged; several threads computing the same fresh expression agree."""

import threading

import numpy as np
import pytest

import lazulite as lz


def chain(xp, x, n, k):
    """n ops cycling mul, add, sin, mul, cos, with constants that depend on k."""
    y = x
    for i in range(n):
        step = i % 5
        if step in (0, 3):
            y = y * (0.5 + k + i * 1e-3)
        elif step == 1:
            y = y + (0.25 - k + i * 1e-3)
        else:
            y = xp.sin(y) if step == 2 else xp.cos(y)
    return y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_new_constants_reuse_the_plan_and_the_kernel(dtype):
    x = np.linspace(-2.0, 2.0, 4099, dtype=dtype)
    lx = lz.asarray(x)
    for _ in range(10):  # plans once, and compiles once the kernel is hot (8 calls by default)
        np.asarray(chain(lz, lx, 20, 0.125).compute())
    before = lz._stats()
    eps = 1e-6 if dtype == "float32" else 1e-13
    for j in range(12):
        k = 0.37 * j - 1.9
        got = np.asarray(chain(lz, lx, 20, k).compute())
        # the oracle: the chain in float64 on the same (rounded) inputs and constants; the chain
        # amplifies rounding, so lazulite must be as close to it as NumPy in `dtype` is (or closer)
        k_rounded = np.asarray(k, dtype=dtype).item()
        want = chain(np, x.astype(np.float64), 20, k_rounded)
        same_dtype = chain(np, x, 20, k_rounded)
        assert got.dtype == same_dtype.dtype == np.dtype(dtype)
        assert np.abs(got - want).max() <= 2 * np.abs(same_dtype - want).max() + eps, k
    after = lz._stats()
    assert after["plan_cache_misses"] == before["plan_cache_misses"], "a new constant re-planned"
    assert after["kernel_cache_misses"] == before["kernel_cache_misses"], "a new constant made a new kernel"
    assert after["kernels_compiled"] == before["kernels_compiled"], "a new constant recompiled"


@pytest.mark.parametrize(
    "make, scalar",
    [
        (lambda: np.arange(-5, 5, dtype=np.int8), 3),
        (lambda: np.arange(-5, 5, dtype=np.int16), -7),
        (lambda: np.arange(0, 10, dtype=np.uint8), 200),
        (lambda: np.arange(-5, 5, dtype=np.int64), 2**40),
        (lambda: np.linspace(-1, 1, 10, dtype=np.float32), 0.1),
        (lambda: np.linspace(-1, 1, 10, dtype=np.float32), 3),
        (lambda: np.linspace(-1, 1, 10), 1 / 3),
        (lambda: np.array([True, False, True]), True),
    ],
)
def test_python_scalars_take_the_arrays_dtype(make, scalar):
    x = make()
    lx = lz.asarray(x)
    ops = [lambda a, s: a + s, lambda a, s: s * a, lambda a, s: a - s]
    if x.dtype == np.bool_:
        ops = [lambda a, s: a & s, lambda a, s: a | s, lambda a, s: s ^ a]
    for op in ops:
        got = op(lx, scalar).compute()
        want = op(x, np.asarray(scalar).astype(x.dtype))
        assert np.dtype(str(got.dtype)) == x.dtype
        np.testing.assert_array_equal(np.asarray(got), want)


def test_int_scalar_out_of_range_is_still_an_error():
    with pytest.raises(OverflowError, match="out of range"):
        lz.asarray(np.arange(3, dtype=np.int8)) + 300


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"), -0.0, 1e300])
def test_special_constants(dtype, value):
    x = np.array([-np.inf, -2.5, -0.0, 0.0, 1.0, np.inf, np.nan] * 3, dtype=dtype)
    lx = lz.asarray(x)
    with np.errstate(all="ignore"):
        v = np.asarray(value).astype(dtype)
        for op in (lambda a, s: a + s, lambda a, s: a * s, lambda a, s: s - a, lambda a, s: a / s):
            got = np.asarray(op(lx, value).compute())
            np.testing.assert_array_equal(got, op(x, v))
        got = np.asarray(lz.maximum(lx, value).compute())
        np.testing.assert_array_equal(got, np.maximum(x, v))


def test_same_value_used_twice_and_pow_exponent():
    x = np.linspace(0.5, 2.0, 33)
    lx = lz.asarray(x)
    got = np.asarray(((lx * 0.5 + 0.5) ** 2 - 0.5 * lx).compute())
    np.testing.assert_allclose(got, (x * 0.5 + 0.5) ** 2 - 0.5 * x, rtol=1e-14)
    for e in (0.5, 3, -1, 2.5):
        np.testing.assert_allclose(np.asarray((lx**e).compute()), x**e, rtol=1e-14)


def test_threads_computing_the_same_fresh_expression_agree():
    x = np.linspace(-3.0, 3.0, 1 << 17, dtype=np.float32)
    lx = lz.asarray(x)
    want = chain(np, x, 20, np.float32(0.77).item())
    results, errors = [None] * 6, []
    barrier = threading.Barrier(len(results))

    def work(i):
        try:
            barrier.wait()
            results[i] = np.asarray(chain(lz, lx, 20, 0.77).compute())
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for r in results:
        np.testing.assert_allclose(r, want, rtol=1e-5, atol=1e-5)


def test_a_remembered_structure_runs_right_on_the_calling_thread():
    """The warm path of issue 11: a chain of the structure computed just before (the compute walk's
    memo; chains short enough that `make test`'s CUDA corpus check compiles their kernels without
    spilling) with little work runs on the calling thread without planning; new constants, new data, two
    roots at once, a realized array among them, and a structure that differs all give NumPy's values."""
    x = np.linspace(0.1, 1.0, 10)
    lx = lz.asarray(x)
    for _ in range(3):
        chain(lz, lx, 40, 0.0).compute()
    before = lz._stats()
    for j in range(4):
        k = 0.01 * j
        data = x + j
        got = np.asarray(chain(lz, lz.asarray(data), 40, k).compute())
        np.testing.assert_allclose(got, chain(np, data, 40, k), rtol=1e-12, atol=1e-12)
    after = lz._stats()
    assert after["plan_cache_misses"] == before["plan_cache_misses"]
    assert after["plan_cache_hits"] >= before["plan_cache_hits"] + 4
    # two roots (the memo then remembers both), again with other constants, one root realized
    for j in range(3):
        a, b = chain(lz, lx, 60, 0.1 * j), chain(lz, lx, 61, 0.1 * j)
        if j == 2:
            a.compute()
        ga, gb = (np.asarray(v) for v in lz.compute_many(a, b))
        np.testing.assert_allclose(ga, chain(np, x, 60, 0.1 * j), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gb, chain(np, x, 61, 0.1 * j), rtol=1e-12, atol=1e-12)
    # one op more: another structure, planned anew
    got = np.asarray(chain(lz, lx, 41, 0.0).compute())
    np.testing.assert_allclose(got, chain(np, x, 41, 0.0), rtol=1e-12, atol=1e-12)
