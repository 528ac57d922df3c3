"""Row-blocked runs of kernels (`runtime/src/rowblock.rs`): softmax-like graphs large enough that the
CPU runs their kernels a block of rows at a time, against NumPy (float32 and float64, axis last and
first, keepdims or not, 3-d, views of the input, rows with NaN, infinities, all -inf, huge and tiny
values, a row whose exponentials span the whole range), and bit for bit against the same plan run
kernel by kernel (`LAZULITE_ROW_BLOCK_BYTES=0`)."""

import os
import subprocess
import sys

import numpy as np
import pytest

import lazulite as lz

# Four kernels of 517 x 1031 points: past the 2^20 loop points a run needs to be row-blocked.
SHAPE = (517, 1031)


def _rows(dtype, shape=SHAPE, seed=5):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    flat = x.reshape(-1, shape[-1])
    flat[1, 5] = np.nan
    flat[2, 0] = np.inf
    flat[3, -1] = -np.inf
    flat[4, :] = -np.inf  # the max is -inf: exp(x - max) is NaN, as in NumPy
    flat[5, :] = 80.0  # exp would overflow without the max shift
    flat[6, 3] = 1e30 if dtype == "float32" else 1e300
    flat[7, :] = 1e-30 if dtype == "float32" else 1e-300
    flat[8, ::2] = -100.0  # exp(x - max) underflows to 0 in half the row
    # x - max over exp's whole finite range down to past the underflow (float64: the table-driven
    # hot path up to -708.4, the cold block below, both in one vector at the seam)
    flat[9, :] = -np.linspace(0.0, 104.0 if dtype == "float32" else 746.0, shape[-1])
    flat[-1, :] = np.arange(shape[-1]) * (0.1 if dtype == "float32" else 1.0)
    return x


def _softmax(xp, x, axis, keepdims=True):
    m = xp.max(x, axis=axis, keepdims=keepdims)
    if not keepdims:
        m = xp.expand_dims(m, axis=axis)
    e = xp.exp(x - m)
    s = xp.sum(e, axis=axis, keepdims=keepdims)
    if not keepdims:
        s = xp.expand_dims(s, axis=axis)
    return e / s


def _log_softmax(xp, x, axis, keepdims=True):
    z = x - xp.max(x, axis=axis, keepdims=True)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _logsumexp(xp, x, axis, keepdims=True):
    m = xp.max(x, axis=axis, keepdims=True)
    return xp.log(xp.sum(xp.exp(x - m), axis=axis)) + xp.squeeze(m, axis=axis)


def _check(fn, x, axis, keepdims=True, view=lambda a: a):
    with np.errstate(all="ignore"):
        want = fn(np, view(x), axis, keepdims)
        got = np.asarray(fn(lz, view(lz.asarray(x)), axis, keepdims))
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 2e-5 if x.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("fn", [_softmax, _log_softmax, _logsumexp])
def test_softmax_family_matches_numpy(dtype, axis, fn):
    _check(fn, _rows(dtype), axis)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_softmax_without_keepdims_matches_numpy(dtype):
    _check(_softmax, _rows(dtype), -1, keepdims=False)


@pytest.mark.parametrize("axis", [-1, 1, 0])
def test_softmax_3d_matches_numpy(axis):
    _check(_softmax, _rows("float64", shape=(3, 173, 1031), seed=6), axis)


@pytest.mark.parametrize(
    "view",
    [lambda a: a.T, lambda a: a[::2, 1:-1], lambda a: a[3:, ::-1]],
    ids=["transposed", "strided", "reversed"],
)
def test_softmax_of_views_matches_numpy(view):
    _check(_softmax, _rows("float64"), -1, view=view)


def test_softmax_runs_its_kernels_a_block_of_rows_at_a_time():
    x = lz.asarray(_rows("float64"))
    text = str(lz.explain(_softmax(lz, x, -1)))
    assert "4 kernels" in text, text
    assert "kernels 0-3 run together a block of rows at a time" in text, text
    # a small matrix fits the cache anyway: no row blocks
    small = str(lz.explain(_softmax(lz, lz.asarray(np.ones((8, 8))), -1)))
    assert "run together" not in small, small


_SAME_PLAN = """
import sys, numpy as np, lazulite as lz
sys.path.insert(0, {here!r})
import test_row_blocks as t
out = []
for dtype in ("float32", "float64"):
    x = lz.asarray(t._rows(dtype))
    for fn in (t._softmax, t._log_softmax, t._logsumexp):
        for axis in (-1, 0):
            out.append(np.asarray(fn(lz, x, axis)))
np.savez({path!r}, *out)
"""


def test_row_blocks_give_the_bits_of_kernel_by_kernel(tmp_path):
    # Both sides compile every kernel (`LAZULITE_EXEC=compile`): a small cold kernel (the 517-row
    # `log` of log-softmax) is otherwise interpreted kernel by kernel, and the interpreter's scalar
    # `log` may differ from the compiled vector `log` in the last bit.
    results = []
    for row_bytes in ("0", str(64 << 10)):
        path = str(tmp_path / f"rows{row_bytes}.npz")
        env = dict(os.environ, LAZULITE_ROW_BLOCK_BYTES=row_bytes, LAZULITE_EXEC="compile")
        script = _SAME_PLAN.format(here=os.path.dirname(__file__), path=path)
        subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=300)
        with np.load(path) as f:
            results.append([f[k] for k in sorted(f.files, key=lambda k: int(k.split("_")[1]))])
    plain, blocked = results
    assert len(plain) == len(blocked) == 12
    for g, w in zip(blocked, plain):
        assert g.dtype == w.dtype and g.shape == w.shape
        assert np.array_equal(g.view(np.uint8), w.view(np.uint8))
