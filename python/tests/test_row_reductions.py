"""Row-wise reduction patterns written with namespace ops (softmax, log-softmax, logsumexp, and a
min/max/sum/mean family of one domain, which the passes fold into one multi-output kernel), against
NumPy: float32 and float64, axis last and first, rows with NaN, infinities, all -inf, empty rows."""

import numpy as np
import pytest

import lazulite as lz


def _rows(dtype):
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((12, 37)) * 4).astype(dtype)
    x[1, 5] = np.nan
    x[2, 0] = np.inf
    x[3, -1] = -np.inf
    x[4, :] = -np.inf  # the max is -inf: exp(x - max) is NaN, as in NumPy
    x[5, :] = 80.0  # exp would overflow without the max shift
    x[6, 3] = 1e30 if dtype == "float32" else 1e300
    return x


def _softmax(xp, x, axis):
    e = xp.exp(x - xp.max(x, axis=axis, keepdims=True))
    return e / xp.sum(e, axis=axis, keepdims=True)


def _log_softmax(xp, x, axis):
    z = x - xp.max(x, axis=axis, keepdims=True)
    return z - xp.log(xp.sum(xp.exp(z), axis=axis, keepdims=True))


def _logsumexp(xp, x, axis):
    m = xp.max(x, axis=axis, keepdims=True)
    return xp.log(xp.sum(xp.exp(x - m), axis=axis)) + xp.squeeze(m, axis=axis)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("fn", [_softmax, _log_softmax, _logsumexp])
def test_softmax_family_matches_numpy(dtype, axis, fn):
    x = _rows(dtype)
    with np.errstate(all="ignore"):
        want = fn(np, x, axis)
        got = np.asarray(fn(lz, lz.asarray(x), axis))
    assert got.dtype == want.dtype and got.shape == want.shape
    tol = 2e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_reductions_of_one_domain_match_numpy(dtype, axis):
    x = _rows(dtype)
    xl = lz.asarray(x)
    got = lz.max(xl, axis=axis) - lz.min(xl, axis=axis) + lz.sum(xl, axis=axis) * lz.mean(xl, axis=axis)
    with np.errstate(all="ignore"):
        want = np.max(x, axis=axis) - np.min(x, axis=axis) + np.sum(x, axis=axis) * np.mean(x, axis=axis)
    np.testing.assert_allclose(np.asarray(got), want, rtol=1e-4 if dtype == "float32" else 1e-12, equal_nan=True)
    # the same results asked for at once: one pass over x computes max, min and sum (mean shares the
    # sum; its division is a one-element kernel)
    outs = [lz.max(xl), lz.min(xl), lz.sum(xl), lz.mean(xl)]
    plan = lz.explain(*outs)
    assert plan.startswith("2 kernels,") and "max + min + sum" in plan, plan
    with np.errstate(all="ignore"):
        for o, w in zip(outs, [np.max(x), np.min(x), np.sum(x), np.mean(x)]):
            np.testing.assert_allclose(np.asarray(o), w, rtol=1e-5, equal_nan=True)


def test_empty_rows():
    x = np.zeros((3, 0))
    for axis in (1, None):
        got = lz.sum(lz.asarray(x), axis=axis) + lz.mean(lz.asarray(x), axis=axis)
        with np.errstate(all="ignore"):
            want = np.sum(x, axis=axis) + np.mean(x, axis=axis)
        np.testing.assert_array_equal(np.asarray(got), want)
        assert np.isnan(np.asarray(lz.var(lz.asarray(x), axis=axis))).all()
